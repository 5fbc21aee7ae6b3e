package whisper

import (
	"context"
	"sync"
)

// deliveries tracks the envelope deliveries under way — a Messages or P2P
// Messages packet being ingested on a peer's read goroutine, a local Send —
// so that Settle can wait for those that began before it. Each delivery
// takes a ticket (begin) and gives it back when its envelopes have been
// handed to every filter (end). The tickets in use are few (one per peer
// at most, plus concurrent Sends), so finding the oldest scans them.
type deliveries struct {
	mu      sync.Mutex
	next    uint64              // ticket of the next delivery
	active  map[uint64]struct{} // tickets in use
	waiters []deliveryWaiter
}

// deliveryWaiter is a Settle call waiting for the deliveries with tickets
// below before to end.
type deliveryWaiter struct {
	before uint64
	done   chan struct{}
}

// begin takes a ticket for a delivery starting now.
func (d *deliveries) begin() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.active == nil {
		d.active = make(map[uint64]struct{})
	}
	t := d.next
	d.next++
	d.active[t] = struct{}{}
	return t
}

// end gives ticket t back and releases the waiters that no older delivery
// holds up any more.
func (d *deliveries) end(t uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.active, t)
	if len(d.waiters) == 0 {
		return
	}
	oldest := d.next
	for a := range d.active {
		oldest = min(oldest, a)
	}
	kept := d.waiters[:0]
	for _, w := range d.waiters {
		if w.before <= oldest {
			close(w.done)
			continue
		}
		kept = append(kept, w)
	}
	clear(d.waiters[len(kept):])
	d.waiters = kept
}

// wait returns a channel closed once every delivery that began before
// the call has ended (already closed when none is under way).
func (d *deliveries) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	done := make(chan struct{})
	if len(d.active) == 0 {
		close(done)
		return done
	}
	d.waiters = append(d.waiters, deliveryWaiter{before: d.next, done: done})
	return done
}

// Settle returns once every envelope the router accepted (from a peer, in
// a Messages or P2P Messages packet, or from a local Send) before the
// call has been handed to every filter that opened it: a SubscribeFunc
// sink has returned, a subscription channel or polled buffer holds it (or
// counted it lost). What the filters' consumers do with a message after
// that is theirs to settle. Deliveries that start after the call are not
// waited for, so a steady stream of traffic cannot hold it up. It returns
// ctx's error if ctx ends first, ErrStopped if the router stops first. It
// may be called from any goroutine, but not from a sink, an envelope hook
// or anything a delivery waits on: that would wait for itself.
func (w *Whisper) Settle(ctx context.Context) error {
	select {
	case <-w.inflight.wait():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return ErrStopped
	}
}
