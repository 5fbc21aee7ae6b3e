// Package gctune sets the Go garbage collector of a long-running daemon
// whose live heap is small most of the time.
//
// With the runtime's default (GOGC=100) the heap may grow to twice what
// is live before a collection; a node that handles thousands of messages
// a second with a live heap of a few tens of MiB then collects many times
// a second, and the collections (their marking, and the assists
// allocating goroutines are charged) cost about a tenth of its CPU in the
// 1:1 benchmark. A Tuner lets the heap grow to three times what is live
// (Config.Percent, 200) while that stays under a soft memory limit
// (Config.Floor, 96 MiB); past it, the limit makes the runtime collect
// sooner. So that the limit never makes it collect more often than the
// default would — a relay with a large live heap must not spend its CPU
// collecting — the Tuner raises the limit after every collection to what
// the default would allow: twice the live heap plus the runtime's memory
// outside the heap, or Floor, whichever is more.
//
// The environment wins: a GOGC or GOMEMLIMIT variable set for the
// process leaves the collector as the runtime configured it.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Config is what a Tuner applies.
type Config struct {
	// Percent is the GC percent while the soft limit is above the heap
	// it allows (200: collect when the heap is three times what is live).
	Percent int
	// Floor is the lowest soft memory limit, in bytes (96 MiB).
	Floor int64
}

// DefaultConfig is the daemon's: collect at three times the live heap,
// the whole Go runtime under 96 MiB unless the default collector would
// allow more.
func DefaultConfig() Config { return Config{Percent: 200, Floor: 96 << 20} }

// slack is added to the limit the default collector's target would give,
// so that rounding and the memory allocated between two collections do
// not make the limit bind first.
const slack = 4 << 20

// Limit is the soft memory limit after a collection that left live bytes
// of heap live and other bytes of runtime memory outside the heap (stacks,
// metadata, buffers): what GOGC=100 would let the runtime reach, or
// floor, whichever is more.
func Limit(live, other uint64, floor int64) int64 {
	return max(floor, int64(2*live+other+slack))
}

// Tuner applies a Config until Stop. Its only work is a cleanup the
// runtime runs after each collection (runtime.AddCleanup), which sets the
// limit and arms the next; it starts no goroutine of its own.
type Tuner struct {
	cfg       Config
	prevPct   int
	prevLimit int64

	mu      sync.Mutex
	stopped bool // guarded by mu
	samples []metrics.Sample
}

// gcMark is allocated to be collected: its cleanup runs once a collection
// found it unreachable. It is larger than the runtime's tiny-object size,
// so that it is not packed with other objects and freed with them.
type gcMark struct{ _ [32]byte }

const (
	mLive     = "/gc/heap/live:bytes"
	mTotal    = "/memory/classes/total:bytes"
	mObjects  = "/memory/classes/heap/objects:bytes"
	mUnused   = "/memory/classes/heap/unused:bytes"
	mFree     = "/memory/classes/heap/free:bytes"
	mReleased = "/memory/classes/heap/released:bytes"
)

// Start applies cfg and returns its Tuner, or nil (changing nothing) when
// getenv names GOGC or GOMEMLIMIT.
func Start(cfg Config, getenv func(string) string) *Tuner {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return nil
	}
	t := &Tuner{cfg: cfg}
	for _, name := range []string{mLive, mTotal, mObjects, mUnused, mFree, mReleased} {
		t.samples = append(t.samples, metrics.Sample{Name: name})
	}
	t.prevLimit = debug.SetMemoryLimit(cfg.Floor)
	t.prevPct = debug.SetGCPercent(cfg.Percent)
	t.arm()
	return t
}

// arm makes the next collection call afterGC.
func (t *Tuner) arm() {
	runtime.AddCleanup(new(gcMark), func(t *Tuner) { t.afterGC() }, t)
}

// afterGC sets the limit from what the collection left (Limit) and arms
// the next, unless stopped.
func (t *Tuner) afterGC() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	debug.SetMemoryLimit(t.limitLocked())
	t.arm()
}

func (t *Tuner) limitLocked() int64 {
	metrics.Read(t.samples)
	v := func(i int) uint64 {
		if t.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return t.samples[i].Value.Uint64()
	}
	live, total, heap := v(0), v(1), v(2)+v(3)+v(4)+v(5)
	var other uint64
	if total > heap {
		other = total - heap
	}
	return Limit(live, other, t.cfg.Floor)
}

// Stop ends the tuning and restores the collector's settings from before
// Start. A nil Tuner (Start changed nothing) is fine.
func (t *Tuner) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.stopped = true
	debug.SetGCPercent(t.prevPct)
	debug.SetMemoryLimit(t.prevLimit)
}
