package datasync

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the driver's source of time: Now stamps appended messages (Unix
// seconds on the wire, §6.1), NewTicker paces Node.Tick and NewTimer delays
// Node.Flush after an Append (Config.FlushDelay). Tests inject a
// ManualClock so that nothing sleeps.
type Clock interface {
	Now() time.Time
	NewTicker(d time.Duration) Ticker
	NewTimer(d time.Duration) Ticker
}

// Ticker delivers ticks on C until Stop. A Ticker made by NewTimer delivers
// at most one.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTicker returns a time.Ticker.
func (SystemClock) NewTicker(d time.Duration) Ticker { return sysTicker{time.NewTicker(d)} }

// NewTimer returns a time.Timer firing once after d.
func (SystemClock) NewTimer(d time.Duration) Ticker { return sysTimer{time.NewTimer(d)} }

type sysTicker struct{ t *time.Ticker }

func (s sysTicker) C() <-chan time.Time { return s.t.C }
func (s sysTicker) Stop()               { s.t.Stop() }

type sysTimer struct{ t *time.Timer }

func (s sysTimer) C() <-chan time.Time { return s.t.C }
func (s sysTimer) Stop()               { s.t.Stop() }

// ManualClock is a Clock that moves only when the test calls Advance. Its
// tickers and timers are unbuffered: Advance returns once every due tick has
// been received by its driver (or the ticker was stopped), delivering the
// ticks of all tickers and timers in time order. A tick received is not
// a tick processed: follow Advance with Driver.Sync to wait for the Ready.
// It is safe for concurrent use.
type ManualClock struct {
	mu      sync.Mutex
	now     time.Time
	tickers []*manualTicker
}

// NewManualClock returns a clock standing at now.
func NewManualClock(now time.Time) *ManualClock { return &ManualClock{now: now} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTicker returns a ticker that fires every d of Advance'd time.
func (c *ManualClock) NewTicker(d time.Duration) Ticker { return c.newTicker(d, false) }

// NewTimer returns a timer that fires once, when Advance'd time reaches d
// from now.
func (c *ManualClock) NewTimer(d time.Duration) Ticker { return c.newTicker(d, true) }

func (c *ManualClock) newTicker(d time.Duration, once bool) *manualTicker {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTicker{clock: c, c: make(chan time.Time), stop: make(chan struct{}), period: d, once: once, next: c.now.Add(d)}
	c.tickers = append(c.tickers, t)
	return t
}

// Advance moves the clock forward by d and fires each ticker once per
// period elapsed, blocking until each tick is received, the ticker is
// stopped, or ctx ends (then it returns ctx.Err()).
func (c *ManualClock) Advance(ctx context.Context, d time.Duration) error {
	type fire struct {
		t  *manualTicker
		at time.Time
	}
	var fires []fire
	c.mu.Lock()
	c.now = c.now.Add(d)
	var fired []*manualTicker // one-shot timers to forget
	for _, t := range c.tickers {
		for !t.next.After(c.now) {
			fires = append(fires, fire{t, t.next})
			t.next = t.next.Add(t.period)
			if t.once {
				fired = append(fired, t)
				break
			}
		}
	}
	c.mu.Unlock()
	for _, t := range fired {
		c.remove(t)
	}
	sort.SliceStable(fires, func(i, j int) bool { return fires[i].at.Before(fires[j].at) })
	for _, f := range fires {
		select {
		case f.t.c <- f.at:
		case <-f.t.stop:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (c *ManualClock) remove(t *manualTicker) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.tickers {
		if x == t {
			c.tickers = append(c.tickers[:i], c.tickers[i+1:]...)
			return
		}
	}
}

type manualTicker struct {
	clock    *ManualClock
	c        chan time.Time
	stop     chan struct{}
	stopOnce sync.Once
	period   time.Duration
	once     bool      // a timer: fires once, then is removed
	next     time.Time // guarded by clock.mu
}

func (t *manualTicker) C() <-chan time.Time { return t.c }

func (t *manualTicker) Stop() {
	t.stopOnce.Do(func() {
		close(t.stop)
		t.clock.remove(t)
	})
}
