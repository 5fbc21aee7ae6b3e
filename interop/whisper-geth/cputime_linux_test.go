package interop

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuTime is the CPU time the process pid has used so far: the sum of its
// threads' on-CPU times in /proc/<pid>/task/*/schedstat (nanoseconds).
func cpuTime(pid int) (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return 0, fmt.Errorf("cpu time of %d: no tasks (%v)", pid, err)
	}
	var total time.Duration
	for _, path := range tasks {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread exited meanwhile
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu time of %d: %s: %w", pid, path, err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}

// minorFaults is the number of minor page faults the process pid has
// taken so far (field 10 of /proc/<pid>/stat): mostly first touches of
// memory, whose cost differs widely between machines.
func minorFaults(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("faults of %d: %w", pid, err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // from field 3
	if len(f) < 8 {
		return 0, fmt.Errorf("faults of %d: %d fields", pid, len(f))
	}
	return strconv.ParseInt(f[10-3], 10, 64)
}
