package testutil

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// CPUTime returns the user plus system CPU time process pid (0: this one)
// has used so far, from /proc/<pid>/stat (Linux; 10 ms resolution). It
// fails tb if the file cannot be read.
func CPUTime(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	f := statFields(tb, pid)
	return time.Duration(f[statUtime]+f[statStime]) * time.Second / clockTicks
}

// MinorFaults returns the minor page faults process pid (0: this one) has
// taken so far, from /proc/<pid>/stat (Linux): mostly the first touch of
// memory it was given, whose cost depends on the machine
// (BenchmarkFirstTouch), so they explain part of how a benchmark's CPU
// time differs between machines. It fails tb if the file cannot be read.
func MinorFaults(tb testing.TB, pid int) int64 {
	tb.Helper()
	return statFields(tb, pid)[statMinflt]
}

// Fields of /proc/<pid>/stat, counted from field 3 (the first after the
// command name): minflt is field 10, utime 14, stime 15.
const (
	statMinflt = 10 - 3
	statUtime  = 14 - 3
	statStime  = 15 - 3
)

// statFields returns fields minflt through stime of /proc/<pid>/stat at
// their stat* indexes (the fields before them are left 0), failing tb if
// the file cannot be read or parsed.
func statFields(tb testing.TB, pid int) []int64 {
	tb.Helper()
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	// The command name (field 2) may hold spaces; fields after its ")"
	// start at field 3.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) <= statStime {
		tb.Fatalf("%s: %d fields after the command", path, len(f))
	}
	out := make([]int64, statStime+1)
	for i := statMinflt; i <= statStime; i++ {
		if out[i], err = strconv.ParseInt(f[i], 10, 64); err != nil {
			tb.Fatalf("%s: field %d: %v", path, i+3, err)
		}
	}
	return out
}
