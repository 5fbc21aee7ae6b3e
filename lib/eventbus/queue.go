package eventbus

import "sync"

// maxRetained is the largest buffer capacity a Queue keeps for reuse after
// a Drain: the storage of a bigger burst goes back to the garbage collector
// instead of staying allocated for the life of the subscription.
const maxRetained = 1024

// Queue is a lossless subscription: Publish appends each value to it, under
// the queue's mutex, and never drops one or waits for the reader. The reader
// waits on Ready and takes everything queued at once with Drain.
//
// Memory: the queue holds what was published since the reader's last Drain,
// without bound. It suits a reader that never blocks between two Drains (it
// only sorts values into its own bounded state), so that the queue stays as
// short as one scheduling delay's worth of events; a reader that may block
// should take a bounded Subscription, which drops instead.
type Queue[T any] struct {
	bus   *Bus[T]
	ready chan struct{} // capacity 1: "items may be non-empty"; closed when the queue is

	mu     sync.Mutex // guards items and closed
	items  []T
	closed bool
}

// SubscribeQueue adds a lossless subscription. After Close it returns a
// queue that is already closed.
func (b *Bus[T]) SubscribeQueue() *Queue[T] {
	q := &Queue[T]{bus: b, ready: make(chan struct{}, 1)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		q.close()
		return q
	}
	b.queues[q] = struct{}{}
	return q
}

// Ready receives a value when values may be waiting (a signal for any
// number of them; Drain may then find none), and is closed when the queue
// is closed (Unsubscribe, Bus.Close). One reader only.
func (q *Queue[T]) Ready() <-chan struct{} { return q.ready }

// Drain appends every queued value, in publish order, to buf[:0] — the
// queue swaps buffers with the caller, so a reader that passes back the
// slice it got from the previous Drain allocates nothing in steady state —
// and returns it; the caller owns the returned slice. open is false once
// the queue is closed and empty: nothing more will arrive. Values queued
// before the close are still returned by Drain.
func (q *Queue[T]) Drain(buf []T) (vals []T, open bool) {
	if cap(buf) > maxRetained {
		buf = nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	vals, q.items = q.items, buf[:0]
	return vals, len(vals) > 0 || !q.closed
}

// Len is the number of values waiting for Drain.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// Unsubscribe stops delivery and closes Ready; the values already queued
// stay available to Drain. Idempotent; safe from any goroutine.
func (q *Queue[T]) Unsubscribe() {
	q.bus.mu.Lock()
	defer q.bus.mu.Unlock()
	if _, ok := q.bus.queues[q]; ok {
		delete(q.bus.queues, q)
		q.close()
	}
}

// push appends v and signals the reader; called with the bus's mutex held.
func (q *Queue[T]) push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default: // a signal is already pending: the reader will see v too
	}
}

// close marks the queue closed and wakes its reader; called once, with the
// bus's mutex held (or before the queue is shared).
func (q *Queue[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	close(q.ready)
}
