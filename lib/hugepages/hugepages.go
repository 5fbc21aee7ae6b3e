// Package hugepages lets a daemon's Go heap grow onto transparent huge
// pages on Linux.
//
// The Go runtime maps its heap without asking for huge pages, so where the
// kernel's transparent huge pages are in "madvise" mode (a common default)
// every 4 KiB page the heap grows into costs a page fault. On virtual
// machines a fault can cost about 11 µs, against 0.2 µs a 4 KiB share of a
// huge page's (lib/testutil BenchmarkFirstTouch); each daemon of the 1:1
// benchmark took 2 to 3 faults a message, and a relay takes one every
// dozen envelopes it pools.
//
// A Watcher, started once the daemon has, waits for the next garbage
// collection (a busy daemon's first comes within a second; an idle one's
// at the latest when the runtime forces one, after two minutes), so that
// it neither delays start-up nor adds a collection of its own to an idle
// daemon's first seconds. Then it allocates Config.Gap and then
// Config.Region bytes, which the runtime maps as fresh address space at
// the heap's top without touching it; it advises the region with
// madvise(MADV_HUGEPAGE), drops both and returns them to the operating
// system (debug.FreeOSMemory: one forced collection, of a heap that is
// still small). The range stays mapped and advised. The runtime's page
// allocator hands out the lowest free addresses first, so the heap first
// refills its holes and the gap on ordinary pages, as an idle daemon
// does, and its growth past them, up to Region bytes, falls in the
// advised range, where the kernel backs each 2 MiB that is touched with
// one huge page where it has one free. Growth beyond the range is on
// ordinary pages again.
//
// The costs: memory in the range is resident 2 MiB at a time, and the
// kernel may fill a partly used huge page back in (which is why the gap
// keeps an idle daemon out of it; a client catching up on 100 000
// messages peaked 6 % higher), one forced collection, and the runtime's
// tables for the gap and the range (about 1.2 KiB a MiB).
//
// Nothing is advised on other systems, on 32-bit ones, when the kernel's
// mode is not "madvise" ("always" gives the heap huge pages already,
// "never" refuses them), under strict overcommit (vm.overcommit_memory 2,
// where mapping the range could fail, which the runtime treats as fatal),
// nor with GODEBUG=disablethp=1, the runtime's own switch to keep the heap
// off huge pages.
package hugepages

import (
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
)

// Config is what a Watcher applies.
type Config struct {
	// Gap is how far, in bytes, the heap may grow on ordinary pages
	// before it reaches the advised range (2 MiB, one huge page). An idle
	// node's heap cycles within what it had mapped at its first
	// collection: with 2 MiB its memory over seven idle minutes was what
	// it was with 16 MiB. A busy node pays 256 page faults for each MiB of
	// gap: with 16 MiB, a fresh node ingesting 64 000 envelopes took
	// twice the faults and some 8 % more CPU.
	Gap uint64
	// Region is the address space advised, in bytes; it is capped at a
	// quarter of the machine's memory (512 MiB: the heap of a relay that
	// pools half a million envelopes; a client's, catching up on 100 000
	// messages, stays near 100 MiB).
	Region uint64
}

// DefaultConfig is the daemon's: 512 MiB past a gap of 2 MiB.
func DefaultConfig() Config { return Config{Gap: 2 << 20, Region: 512 << 20} }

// Report is what a Watcher did: Advised bytes, or the Reason nothing was
// (and Err, if a call failed); Heap is the heap's address space it found
// (system.heapBytes), 0 if it did not look.
type Report struct {
	Advised uint64
	Heap    uint64
	Reason  string
	Err     error
}

// system is what a Watcher needs of the machine; the fake in the tests
// stands in for it.
type system interface {
	// heapBytes is the heap's mapped address space, including what the
	// runtime returned to the system.
	heapBytes() uint64
	// check returns the region to advise, at most want, or the reason
	// none can be.
	check(want uint64) (region uint64, reason string)
	// advise maps gap and then region bytes of fresh heap, advises the
	// region and returns both to the system; it returns the bytes
	// advised.
	advise(gap, region uint64) (uint64, error)
}

// Watcher advises the range after the next collection, unless stopped
// before.
type Watcher struct {
	gap    uint64
	region uint64 // Config.Region as the system allows it
	sys    system
	report func(Report)

	mu      sync.Mutex
	stopped bool // guarded by mu
	wg      sync.WaitGroup
}

// Start returns a Watcher applying cfg, or nil when getenv's GODEBUG has
// disablethp=1 or the system cannot advise huge pages; report is then
// called at once with the reason. Otherwise report is called once, from
// another goroutine, with what the Watcher did, unless it is stopped
// first.
func Start(cfg Config, getenv func(string) string, report func(Report)) *Watcher {
	return start(cfg, getenv, osSystem{}, report)
}

func start(cfg Config, getenv func(string) string, sys system, report func(Report)) *Watcher {
	if thpDisabled(getenv("GODEBUG")) {
		report(Report{Reason: "GODEBUG disablethp=1"})
		return nil
	}
	region, reason := sys.check(cfg.Region)
	if reason != "" {
		report(Report{Reason: reason})
		return nil
	}
	w := &Watcher{gap: cfg.Gap, region: region, sys: sys, report: report}
	// gcMark is collected by the next collection, which then runs the
	// cleanup. It is larger than the runtime's tiny-object size, so that
	// it is not packed with other objects and kept alive by them.
	type gcMark struct{ _ [32]byte }
	runtime.AddCleanup(new(gcMark), func(w *Watcher) { w.afterGC() }, w)
	return w
}

// afterGC starts the advice on a goroutine of its own: the cleanup
// goroutine must not wait for the collection the advice forces.
func (w *Watcher) afterGC() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.report(w.adviseOnce())
	}()
}

// adviseOnce advises the region, unless the heap has grown to half its
// size: then its growth is mostly done, and the tables would cost more
// than the remaining faults.
func (w *Watcher) adviseOnce() Report {
	heap := w.sys.heapBytes()
	if 2*heap > w.region {
		return Report{Heap: heap, Reason: "the heap is already larger than half the region"}
	}
	n, err := w.sys.advise(w.gap, w.region)
	if err != nil {
		return Report{Advised: n, Heap: heap, Reason: "madvise failed", Err: err}
	}
	return Report{Advised: n, Heap: heap}
}

// Stop ends the watch, or waits for the advice if it began. A nil Watcher
// is fine.
func (w *Watcher) Stop() {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.wg.Wait()
}

// thpDisabled reports whether a GODEBUG value sets disablethp=1; as in
// the runtime, the last setting of a key wins.
func thpDisabled(godebug string) bool {
	off := false
	for _, kv := range strings.Split(godebug, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && k == "disablethp" {
			off = v == "1"
		}
	}
	return off
}

// heapMapped reads the heap's mapped address space, including what the
// runtime returned to the system.
func heapMapped() uint64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(s)
	var n uint64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			n += v.Value.Uint64()
		}
	}
	return n
}
