package hugepages

import (
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

func TestThpDisabled(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                             false,
		"disablethp=1":                 true,
		"madvdontneed=1, disablethp=1": true,
		"disablethp=0":                 false,
		"disablethp=1,disablethp=0":    false, // the last setting wins
		"xdisablethp=1":                false,
	} {
		if got := thpDisabled(godebug); got != want {
			t.Errorf("thpDisabled(%q) = %v, want %v", godebug, got, want)
		}
	}
}

// fakeSystem is a machine whose heap size the test sets.
type fakeSystem struct {
	heap   uint64
	reason string
	region uint64
	err    error

	mu      sync.Mutex
	advised [][2]uint64 // gap and region of each advise call
}

func (f *fakeSystem) heapBytes() uint64 { return f.heap }

func (f *fakeSystem) check(want uint64) (uint64, string) {
	if f.reason != "" {
		return 0, f.reason
	}
	return min(want, f.region), ""
}

// advise leaves out one huge page of the region, as an unaligned start
// would.
func (f *fakeSystem) advise(gap, region uint64) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.advised = append(f.advised, [2]uint64{gap, region})
	return region - 2<<20, f.err
}

func (f *fakeSystem) calls() [][2]uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.advised)
}

// reports collects a Watcher's reports.
type reports struct {
	mu  sync.Mutex
	got []Report
}

func (r *reports) add(rep Report) {
	r.mu.Lock()
	r.got = append(r.got, rep)
	r.mu.Unlock()
}

func (r *reports) list() []Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func env(godebug string) func(string) string {
	return func(k string) string {
		if k == "GODEBUG" {
			return godebug
		}
		return ""
	}
}

var testConfig = Config{Gap: 16 << 20, Region: 128 << 20}

// TestWatcher: after the next collection, the region the system allows is
// advised past the gap, once, unless the heap is already half the
// region's size; the outcome is reported once, with a reason whenever
// nothing was advised or the call failed.
func TestWatcher(t *testing.T) {
	fail := errors.New("EINVAL")
	for name, c := range map[string]struct {
		sys   *fakeSystem
		calls [][2]uint64
		want  Report
	}{
		"advised":       {&fakeSystem{heap: 11 << 20, region: 1 << 30}, [][2]uint64{{16 << 20, 128 << 20}}, Report{Advised: 126 << 20, Heap: 11 << 20}},
		"capped":        {&fakeSystem{heap: 11 << 20, region: 64 << 20}, [][2]uint64{{16 << 20, 64 << 20}}, Report{Advised: 62 << 20, Heap: 11 << 20}},
		"large heap":    {&fakeSystem{heap: 65 << 20, region: 1 << 30}, nil, Report{Heap: 65 << 20, Reason: "the heap is already larger than half the region"}},
		"madvise fails": {&fakeSystem{heap: 11 << 20, region: 1 << 30, err: fail}, [][2]uint64{{16 << 20, 128 << 20}}, Report{Advised: 126 << 20, Heap: 11 << 20, Reason: "madvise failed", Err: fail}},
	} {
		t.Run(name, func(t *testing.T) {
			var reps reports
			w := start(testConfig, env(""), c.sys, reps.add)
			if w == nil {
				t.Fatal("start returned nil on a system that can advise")
			}
			defer w.Stop()
			testutil.WaitFor(t, 10*time.Second, "a report", func() bool {
				runtime.GC()
				return len(reps.list()) > 0
			})
			for range 3 {
				runtime.GC()
			}
			w.Stop()
			if got := c.sys.calls(); !slices.Equal(got, c.calls) {
				t.Fatalf("advise calls %v, want %v", got, c.calls)
			}
			if got := reps.list(); len(got) != 1 || got[0] != c.want {
				t.Fatalf("reports %+v, want one: %+v", got, c.want)
			}
		})
	}
}

// TestWatcherStopped: a Watcher stopped before the next collection
// advises nothing.
func TestWatcherStopped(t *testing.T) {
	sys := &fakeSystem{heap: 11 << 20, region: 1 << 30}
	var reps reports
	w := start(testConfig, env(""), sys, reps.add)
	w.Stop()
	for range 5 {
		runtime.GC()
	}
	if got := sys.calls(); len(got) != 0 {
		t.Fatalf("advised %v after Stop", got)
	}
	if got := reps.list(); len(got) != 0 {
		t.Fatalf("reports %+v after Stop", got)
	}
}

// TestStartNotApplicable: GODEBUG disablethp=1 and a system that cannot
// advise give no Watcher, and one report at once saying why.
func TestStartNotApplicable(t *testing.T) {
	for name, c := range map[string]struct {
		godebug, reason string
		want            string
	}{
		"disablethp": {godebug: "disablethp=1", want: "GODEBUG disablethp=1"},
		"system":     {reason: "mode never", want: "mode never"},
	} {
		t.Run(name, func(t *testing.T) {
			sys := &fakeSystem{heap: 11 << 20, region: 1 << 30, reason: c.reason}
			var reps reports
			if w := start(testConfig, env(c.godebug), sys, reps.add); w != nil {
				w.Stop()
				t.Fatal("start returned a Watcher")
			}
			if got := reps.list(); len(got) != 1 || got[0] != (Report{Reason: c.want}) {
				t.Fatalf("reports %+v, want one with reason %q", got, c.want)
			}
		})
	}
	var nilW *Watcher
	nilW.Stop()
}
