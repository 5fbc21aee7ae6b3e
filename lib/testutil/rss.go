package testutil

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// RSSBound is the resident memory a node stays under in the load tests
// (documented in docs/ARCHITECTURE.md, "Load, loss and bounds").
const RSSBound = 256 << 20

// PeakRSS is the peak resident set (VmHWM, Linux) of process pid in bytes;
// pid 0 means this process.
func PeakRSS(tb testing.TB, pid int) int {
	tb.Helper()
	path := "/proc/self/status"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, err := strconv.Atoi(f[1])
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in " + path)
	return 0
}

// CheckRSS fails the test when process pid (0: this one) peaked above
// RSSBound, and logs the peak otherwise.
func CheckRSS(tb testing.TB, pid int, what string) {
	tb.Helper()
	if rss := PeakRSS(tb, pid); rss > RSSBound {
		tb.Errorf("%s peaked at %d MiB, above %d MiB", what, rss>>20, RSSBound>>20)
	} else {
		tb.Logf("%s peak RSS %d MiB", what, rss>>20)
	}
}
