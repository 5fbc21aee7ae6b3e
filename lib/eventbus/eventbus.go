// Package eventbus fans events out to subscribers without ever blocking the
// publisher. A Subscription has a bounded channel: an event that does not
// fit is dropped and counted on that subscription (for readers that may
// stall, such as API clients). A Queue is lossless: the publisher appends to
// it under a mutex and the reader drains it, so nothing is dropped and the
// queue grows while its reader does not drain (for readers that never block,
// such as the messenger's Whisper adapter). The router, the messenger and
// the mailserver client each own one Bus.
package eventbus

import (
	"sync"
	"sync/atomic"
)

// Bus delivers published values to every current subscription. Its methods
// are safe for concurrent use. The zero value is not usable; call New.
type Bus[T any] struct {
	defaultCap int

	mu     sync.Mutex // guards subs, queues and closed
	subs   map[*Subscription[T]]struct{}
	queues map[*Queue[T]]struct{}
	closed bool
}

// New returns a bus whose subscriptions get defaultCap slots when Subscribe
// is given a capacity ≤ 0.
func New[T any](defaultCap int) *Bus[T] {
	return &Bus[T]{defaultCap: defaultCap, subs: make(map[*Subscription[T]]struct{}), queues: make(map[*Queue[T]]struct{})}
}

// Subscription receives the bus's events on C until Unsubscribe or Close.
type Subscription[T any] struct {
	bus     *Bus[T]
	ch      chan T
	dropped atomic.Uint64
}

// C is the event channel; it is closed by Unsubscribe and by Bus.Close.
func (s *Subscription[T]) C() <-chan T { return s.ch }

// Dropped is the number of events lost because C was full.
func (s *Subscription[T]) Dropped() uint64 { return s.dropped.Load() }

// Unsubscribe stops delivery and closes C. Idempotent; safe from any
// goroutine.
func (s *Subscription[T]) Unsubscribe() { s.bus.remove(s) }

// Subscribe adds a subscription with capacity slots. After Close it returns
// a subscription whose channel is already closed.
func (b *Bus[T]) Subscribe(capacity int) *Subscription[T] {
	if capacity <= 0 {
		capacity = b.defaultCap
	}
	s := &Subscription[T]{bus: b, ch: make(chan T, capacity)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.ch)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

func (b *Bus[T]) remove(s *Subscription[T]) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.ch)
	}
}

// Publish offers v to every subscription and appends it to every queue; it
// never blocks.
func (b *Bus[T]) Publish(v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for q := range b.queues {
		q.push(v)
	}
	for s := range b.subs {
		select {
		case s.ch <- v:
		default:
			s.dropped.Add(1)
		}
	}
}

// Close ends every subscription and queue (a queue keeps what it holds for
// Drain); later Publish calls do nothing.
func (b *Bus[T]) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		delete(b.subs, s)
		close(s.ch)
	}
	for q := range b.queues {
		delete(b.queues, q)
		q.close()
	}
}
