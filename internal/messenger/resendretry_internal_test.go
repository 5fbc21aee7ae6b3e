package messenger

import (
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/statusnode/statusd/internal/datasync"
)

// timerLog is a clock whose timers record their durations and never fire.
type timerLog struct {
	datasync.SystemClock
	waits []time.Duration
}

type idleTimer struct{}

func (idleTimer) C() <-chan time.Time { return nil }
func (idleTimer) Stop()               {}

func (c *timerLog) NewTimer(d time.Duration) datasync.Ticker {
	c.waits = append(c.waits, d)
	return idleTimer{}
}

// The retry of failed resends is armed only when one is due and none
// runs, doubles its wait after each failed try up to storeRetryMax, and
// starts over after a try that succeeded.
func TestResendRetryBackoff(t *testing.T) {
	var r resendRetry
	clock := &timerLog{}
	r.arm(clock)
	if r.c() != nil || len(clock.waits) != 0 {
		t.Fatal("armed with nothing due")
	}
	try := func(fails bool) {
		r.fired()
		r.due = fails
		r.tried()
	}
	r.due = true
	for range 8 {
		r.arm(clock)
		r.arm(clock) // already running: no second timer
		try(true)
	}
	r.arm(clock)
	try(false)
	r.due = true
	r.arm(clock)
	want := []time.Duration{storeRetryFirst, 2 * storeRetryFirst, 4 * storeRetryFirst, 8 * storeRetryFirst,
		16 * storeRetryFirst, 32 * storeRetryFirst, storeRetryMax, storeRetryMax, storeRetryMax, storeRetryFirst}
	if !slices.Equal(clock.waits, want) {
		t.Fatalf("waits %v, want %v", clock.waits, want)
	}
	r.stop()
	if r.c() != nil {
		t.Fatal("timer left after stop")
	}
}

// A streak of failed resends logs one warning, the rest at debug level;
// a failure after a try that succeeded warns again.
func TestResendRetryWarnsOncePerStreak(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	log := zap.New(core)
	var r resendRetry
	clock := &timerLog{}
	// A resend fails, then retries fail (retries) until one succeeds, as
	// the receive goroutine runs them: arm, fire, try, tried.
	streak := func(retries int) {
		r.failed(log, "resend failed")
		for i := range retries + 1 {
			r.arm(clock)
			r.fired()
			if i < retries {
				r.failed(log, "resend failed")
			}
			r.tried()
		}
	}
	streak(2)
	streak(1)
	var levels []zapcore.Level
	for _, e := range logs.All() {
		levels = append(levels, e.Level)
	}
	want := []zapcore.Level{zapcore.WarnLevel, zapcore.DebugLevel, zapcore.DebugLevel, zapcore.WarnLevel, zapcore.DebugLevel}
	if !slices.Equal(levels, want) {
		t.Fatalf("levels %v, want %v", levels, want)
	}
}
