//go:build !linux

package interop

import (
	"errors"
	"time"
)

// cpuTime is not measured outside Linux.
func cpuTime(pid int) (time.Duration, error) {
	return 0, errors.New("cpu time: Linux only")
}

// minorFaults is not counted outside Linux.
func minorFaults(pid int) (int64, error) {
	return 0, errors.New("page faults: Linux only")
}
