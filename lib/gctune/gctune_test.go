package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

func TestLimit(t *testing.T) {
	const floor = 96 << 20
	for _, c := range []struct {
		live, other uint64
		want        int64
	}{
		{0, 0, floor},                           // idle: the floor
		{20 << 20, 10 << 20, floor},             // small heap: GOGC=200 under the floor
		{60 << 20, 20 << 20, (140 + 4) << 20},   // past the floor: what GOGC=100 allows
		{500 << 20, 40 << 20, (1040 + 4) << 20}, // a large relay heap: never below GOGC=100's target
	} {
		if got := Limit(c.live, c.other, floor); got != c.want {
			t.Errorf("Limit(%d MiB, %d MiB) = %d MiB, want %d MiB", c.live>>20, c.other>>20, got>>20, c.want>>20)
		}
	}
}

func noEnv(string) string { return "" }

// TestStartAppliesAndStopRestores: Start sets the percent and a limit of
// at least the floor, each collection then sets the limit from the live
// heap, and Stop puts back the settings from before.
func TestStartAppliesAndStopRestores(t *testing.T) {
	pct0, lim0 := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer func() { debug.SetGCPercent(pct0); debug.SetMemoryLimit(lim0) }()

	cfg := Config{Percent: 200, Floor: 1 << 20} // a floor below any heap: the limit follows the heap
	tu := Start(cfg, noEnv)
	if tu == nil {
		t.Fatal("Start changed nothing with no GOGC or GOMEMLIMIT set")
	}
	if got := debug.SetGCPercent(-1); got != 200 {
		t.Fatalf("GC percent %d, want 200", got)
	}
	debug.SetGCPercent(200)
	keep := make([]byte, 32<<20) // live heap the limit must follow
	// The cleanup runs on the runtime's goroutine after the cycle.
	testutil.WaitFor(t, 10*time.Second, "a limit of twice the live heap", func() bool {
		runtime.GC()
		return debug.SetMemoryLimit(-1) >= 2*int64(len(keep))
	})
	runtime.KeepAlive(keep)
	tu.Stop()
	if got := debug.SetGCPercent(-1); got != 100 {
		t.Fatalf("GC percent %d after Stop, want 100 back", got)
	}
	debug.SetGCPercent(100)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("limit %d after Stop, want none", got)
	}
	tu.Stop() // twice is fine
}

// TestEnvironmentWins: GOGC or GOMEMLIMIT set leaves the collector alone.
func TestEnvironmentWins(t *testing.T) {
	pct0 := debug.SetGCPercent(100)
	defer debug.SetGCPercent(pct0)
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		getenv := func(k string) string {
			if k == name {
				return "150"
			}
			return ""
		}
		if tu := Start(DefaultConfig(), getenv); tu != nil {
			tu.Stop()
			t.Fatalf("%s set: Start tuned the collector", name)
		}
		if got := debug.SetGCPercent(-1); got != 100 {
			t.Fatalf("%s set: GC percent %d, want 100", name, got)
		}
		debug.SetGCPercent(100)
	}
	var nilTuner *Tuner
	nilTuner.Stop()
}
