package messenger

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/lib/metrics"
)

// inboundQueue is the one queue between the inputs of the messenger and
// its receive goroutine. It has two lanes, read in arrival order per lane:
//
//   - messages from the Transport (pushMessage). The lane is bounded; when it
//     is full, pushMessage BLOCKS until the receive goroutine makes room or
//     the messenger stops. Nothing honest is dropped here: the wait is
//     back-pressure on whoever delivers (the Whisper router's delivery
//     goroutine), and the time spent waiting is counted
//     (statusd_messenger_inbound_blocked_seconds_total).
//   - messages the MVDS driver delivered (pushDelivered). This lane never
//     blocks and is not bounded: its producer is the driver goroutine, which
//     the receive goroutine itself waits for (AddPeer), and each entry is
//     already persisted as pending by the driver, so its size is bounded by
//     what MVDS accepted, not by the network.
//
// It is safe for concurrent use.
type inboundQueue struct {
	slots chan struct{} // one token per queued transport message: the bound
	ready chan struct{} // capacity 1: "a lane may be non-empty"
	quit  <-chan struct{}

	mu   sync.Mutex
	msgs []inbound           // guarded by mu
	dels []datasync.Delivery // guarded by mu
	// Progress, for settle: entries queued so far (both lanes), entries
	// handled so far, and a channel closed (and replaced) when handled
	// advances. All guarded by mu.
	queued, handled uint64
	advanced        chan struct{}

	blockedNanos atomic.Int64
	waiting      atomic.Int32        // pushMessage calls waiting for room now
	blockedVec   *metrics.CounterVec // nil without a registry
}

func newInboundQueue(limit int, quit <-chan struct{}, reg *metrics.Registry) *inboundQueue {
	q := &inboundQueue{slots: make(chan struct{}, limit), ready: make(chan struct{}, 1), quit: quit,
		advanced: make(chan struct{})}
	if reg != nil {
		q.blockedVec = reg.Counter("statusd_messenger_inbound_blocked_seconds_total",
			"Time transport deliveries waited for room in the messenger's inbound queue.")
	}
	return q
}

// pushMessage queues one received Transport message, waiting while the lane
// is full. It returns false when the messenger stopped first (the message
// is then not queued).
func (q *inboundQueue) pushMessage(in inbound) bool {
	select {
	case q.slots <- struct{}{}:
	default:
		begin := time.Now()
		q.waiting.Add(1)
		defer q.waiting.Add(-1)
		select {
		case q.slots <- struct{}{}:
			q.countBlocked(time.Since(begin))
		case <-q.quit:
			q.countBlocked(time.Since(begin))
			return false
		}
	}
	q.mu.Lock()
	q.msgs = append(q.msgs, in)
	q.queued++
	q.mu.Unlock()
	q.signal()
	return true
}

// pushDelivered queues one MVDS delivery; it never blocks.
func (q *inboundQueue) pushDelivered(d datasync.Delivery) {
	q.mu.Lock()
	q.dels = append(q.dels, d)
	q.queued++
	q.mu.Unlock()
	q.signal()
}

func (q *inboundQueue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// drain takes everything queued. The room of each transport message is
// freed by release once it has been handled, so the bound covers the
// messages being handled too. mark is what the receive goroutine passes
// to handledUpTo once it has handled all of them.
func (q *inboundQueue) drain() (msgs []inbound, dels []datasync.Delivery, mark uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs, dels = q.msgs, q.dels
	q.msgs, q.dels = nil, nil
	return msgs, dels, q.queued
}

// handledUpTo records that every entry drained up to mark (drain) has
// been handled — stored, or dropped and counted — and wakes settle.
func (q *inboundQueue) handledUpTo(mark uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if mark <= q.handled {
		return
	}
	q.handled = mark
	close(q.advanced)
	q.advanced = make(chan struct{})
}

// settle returns once every entry queued before the call has been handled
// (handledUpTo), ctx's error when ctx ends first and ErrStopped when the
// messenger stops first with entries unhandled. An entry a Sink is still
// waiting to queue (the lane is full) is not waited for: the caller waits
// for the Transport's delivery first.
func (q *inboundQueue) settle(ctx context.Context) error {
	q.mu.Lock()
	target := q.queued
	q.mu.Unlock()
	for {
		q.mu.Lock()
		done, advanced := q.handled >= target, q.advanced
		q.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-advanced:
		case <-ctx.Done():
			return ctx.Err()
		case <-q.quit:
			return ErrStopped
		}
	}
}

// release frees the room of one drained transport message.
func (q *inboundQueue) release() { <-q.slots }

func (q *inboundQueue) countBlocked(d time.Duration) {
	q.blockedNanos.Add(int64(d))
	if q.blockedVec != nil {
		q.blockedVec.Add(d.Seconds())
	}
}

// blocked is the total time pushMessage waited for room.
func (q *inboundQueue) blocked() time.Duration { return time.Duration(q.blockedNanos.Load()) }
