package messenger

import (
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
)

// resendRetry times the next try of the resends to new installations
// that failed (dispatcher.resendToNew, resendPending): their marks stay
// committed, so running resendPending again finishes them. The first
// try waits storeRetryFirst, each failed one doubles the wait up to
// storeRetryMax, and a try that leaves nothing failed starts over. It is
// owned by the receive goroutine, which selects on c and stops it on
// exit.
type resendRetry struct {
	due   bool // a resend failed since the last try
	timer datasync.Ticker
	wait  time.Duration
}

// failed marks a resend due and logs msg: a warning for the first
// failure of a streak, at debug level while the retries keep failing (a
// long storage outage would otherwise log one warning every storeRetryMax).
func (r *resendRetry) failed(log *zap.Logger, msg string, fields ...zap.Field) {
	if r.wait == 0 && !r.due {
		log.Warn(msg, fields...)
	} else {
		log.Debug(msg, fields...)
	}
	r.due = true
}

// arm starts the timer on clock when a resend is due and none runs.
func (r *resendRetry) arm(clock datasync.Clock) {
	if !r.due || r.timer != nil {
		return
	}
	switch {
	case r.wait == 0:
		r.wait = storeRetryFirst
	default:
		r.wait = min(2*r.wait, storeRetryMax)
	}
	r.due = false
	r.timer = clock.NewTimer(r.wait)
}

// c is the timer's channel; nil (never ready) when none runs.
func (r *resendRetry) c() <-chan time.Time {
	if r.timer == nil {
		return nil
	}
	return r.timer.C()
}

// fired forgets the timer that fired, before the try.
func (r *resendRetry) fired() {
	r.timer.Stop()
	r.timer = nil
}

// tried follows the try: one that left nothing failed makes the next
// failure wait storeRetryFirst again; one that failed set due, and the
// next arm waits longer.
func (r *resendRetry) tried() {
	if !r.due {
		r.wait = 0
	}
}

// stop stops a running timer.
func (r *resendRetry) stop() {
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
}
