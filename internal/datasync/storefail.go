package datasync

import (
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Store failures. Every write the driver goroutine makes (Store.ApplyReady,
// Store.Delivered) fails only because of the storage itself — a full disk,
// a database closed underneath — which may pass: storage/datasyncstore
// encodes every record without error and reads nothing when it writes, so
// a corrupt record can only be met by Load and Pending, which Start
// returns. The driver therefore never stops on a failed write. It keeps
// what the write was for and writes it again after a back-off
// (storeRetryFirst, doubling up to storeRetryMax, on the driver's clock),
// until a write succeeds or Stop:
//
//   - a Ready whose write failed is kept whole (heldReady): nothing of it
//     is delivered or sent, so no ACK leaves for a message it stores and
//     no message leaves before its record; the node collects nothing new
//     meanwhile (it is waiting for Advance);
//   - pending marks whose clearing failed (Delivered) are kept and cleared
//     by the next write; their messages were delivered, and the rest of
//     the Ready carrying them went on;
//   - the requests of the cycle that failed (an Append, say) are answered
//     once the retry wrote what they changed, or with ErrStopped by Stop.
//
// While the spell lasts the driver takes no input: ticks are skipped (the
// epoch and the retransmissions pause), received payloads wait in the
// inbox (beyond InboxSize they are refused, and their senders' MVDS sends
// them again), and requests wait for the driver. A spell logs one error
// when it begins and tells the application through the StoreNotifyFunc,
// once when it begins and once when it ends.
const (
	storeRetryFirst = 100 * time.Millisecond
	storeRetryMax   = 5 * time.Second
)

// StoreNotice tells the application about a spell of failing store
// writes: Err is the failure that began it, Tries 0 and Waiting the
// received messages whose write waits; when writes succeed again, Err is
// nil and Tries is how many retries it took.
type StoreNotice struct {
	Err     error
	Waiting int
	Tries   int
}

// StoreNotifyFunc is told when a store failure spell begins and when it
// ends, on the driver goroutine; the rules of DeliverFunc apply.
type StoreNotifyFunc func(n StoreNotice)

// WithStoreNotify sets the function told about store failure spells
// (default none).
func WithStoreNotify(f StoreNotifyFunc) Option { return func(d *Driver) { d.notify = f } }

// spell is a run of failing store writes.
type spell struct {
	err   error         // the last failure
	wait  time.Duration // before the next retry
	tries int
}

// waitingReply answers the requests of the cycle whose write failed:
// persisted is flush's callback of that cycle (nil unless FlushIdle),
// reply answers them all (nil: each its own error).
type waitingReply struct {
	persisted func()
	reply     func(err error)
}

// failed begins a spell with err, or notes err as the spell's last
// failure. The pending flush waits for the spell's end.
func (d *Driver) failed(err error, fl *flushTimer) {
	fl.stop()
	if d.spell != nil {
		d.spell.err = err
		return
	}
	d.spell = &spell{err: err, wait: storeRetryFirst}
	waiting := 0
	if d.held != nil {
		waiting = len(d.held.dels)
	}
	d.log.Error("store write failed: holding what it was for and retrying until writes succeed",
		zap.Int("waiting", waiting), zap.Error(err))
	if d.notify != nil {
		d.notify(StoreNotice{Err: err, Waiting: waiting})
	}
}

// retry waits out the spell's back-off, skipping ticks, and runs the
// cycle's writes again; when they succeed it answers the waiting requests
// and ends the spell. It returns false when Stop came first.
func (d *Driver) retry(ticker Ticker, fl *flushTimer) bool {
	t := d.clock.NewTimer(d.spell.wait)
	defer t.Stop()
	for waiting := true; waiting; {
		select {
		case <-d.quit:
			return false
		case <-ticker.C():
		case <-t.C():
			waiting = false
		}
	}
	s := d.spell
	s.tries++
	s.wait = min(2*s.wait, storeRetryMax)
	d.confNow = true
	if err := d.flush(d.waiting.persisted); err != nil {
		s.err = err
		d.log.Debug("store write still failing", zap.Int("tries", s.tries), zap.Error(err))
		return true
	}
	d.spell = nil
	d.answerWaiting(nil)
	fl.arm(d)
	d.log.Info("store writes succeed again", zap.Int("tries", s.tries))
	if d.notify != nil {
		d.notify(StoreNotice{Tries: s.tries})
	}
	return true
}

// abandon answers the waiting requests at Stop during a spell.
func (d *Driver) abandon() {
	d.answerWaiting(fmt.Errorf("%w: %w", ErrStopped, d.spell.err))
}

func (d *Driver) answerWaiting(err error) {
	if w := d.waiting; w.reply != nil {
		d.waiting = waitingReply{}
		w.reply(err)
	}
}
