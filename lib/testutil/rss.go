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

// raceRSSFactor is how much more resident memory this process may use
// when built with -race: the race detector's shadow memory and its
// bookkeeping multiply a Go program's footprint (5–10× by its own
// documentation; the in-process flood tests peak near 2×).
const raceRSSFactor = 4

// CheckRSS fails the test when process pid (0: this one) peaked above
// RSSBound, and logs the peak otherwise. This process's own bound is
// raceRSSFactor times larger under -race, so that the race detector's
// overhead is not taken for the node's; other processes are measured
// against RSSBound as they are.
func CheckRSS(tb testing.TB, pid int, what string) {
	tb.Helper()
	bound := RSSBound
	if pid == 0 && raceEnabled {
		bound *= raceRSSFactor
	}
	if rss := PeakRSS(tb, pid); rss > bound {
		tb.Errorf("%s peaked at %d MiB, above %d MiB", what, rss>>20, bound>>20)
	} else {
		tb.Logf("%s peak RSS %d MiB", what, rss>>20)
	}
}
