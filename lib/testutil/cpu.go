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
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	// The command name (field 2) may hold spaces; fields after its ")"
	// start at field 3, so utime and stime (14, 15) are the 12th and 13th.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		tb.Fatalf("%s: %d fields after the command", path, len(f))
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks
}
