package datasync

import (
	"sync"
	"sync/atomic"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// received is one decoded payload waiting for the driver goroutine.
type received struct {
	from    mvds.PeerID
	payload mvds.Payload
	tag     string
	copy    bool // from our own peer ID: deliver, never Step (ReceiveCopy)
}

// inbox is a bounded queue between Receive (any goroutine) and the driver
// goroutine, with a second, unbounded lane for Confirm. push never blocks:
// it refuses when full, because MVDS retransmits and a Transport may call
// Receive from inside Send.
type inbox struct {
	mu       sync.Mutex
	queue    []received       // guarded by mu
	confirms []mvds.MessageID // guarded by mu
	limit    int
	closed   bool          // guarded by mu
	ready    chan struct{} // capacity 1: "the queue may be non-empty"
}

func (q *inbox) init(limit int) {
	q.limit = limit
	q.ready = make(chan struct{}, 1)
}

func (q *inbox) push(r received) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrStopped
	}
	if len(q.queue) >= q.limit {
		return ErrInboxFull
	}
	q.queue = append(q.queue, r)
	q.signalLocked()
	return nil
}

// confirm queues ids for Store.Delivered. Confirmations are small and each
// one answers a delivery the driver made, so the lane is not bounded.
func (q *inbox) confirm(ids []mvds.MessageID) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrStopped
	}
	q.confirms = append(q.confirms, ids...)
	q.signalLocked()
	return nil
}

func (q *inbox) signalLocked() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// drain takes everything queued, in arrival order.
func (q *inbox) drain() ([]received, []mvds.MessageID) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out, ids := q.queue, q.confirms
	q.queue, q.confirms = nil, nil
	return out, ids
}

// close refuses further input and forgets queued payloads; queued
// confirmations stay for the driver goroutine's last write.
func (q *inbox) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.queue = nil
}

// counters back Stats; the driver goroutine and Receive update them.
type counters struct {
	ticks, flushes, payloadsSent, bytesSent, sendErrors  atomic.Uint64
	payloadsReceived, bytesReceived, dropped, stepErrors atomic.Uint64
	delivered, messagesReceived, storeErrors             atomic.Uint64
	syncs, forgotten                                     atomic.Uint64
}

// Stats returns the driver's counters. It is safe to call from any
// goroutine, including from a DeliverFunc or a Transport.
func (d *Driver) Stats() Stats {
	c := &d.stats
	return Stats{
		Ticks: c.ticks.Load(), Flushes: c.flushes.Load(), PayloadsSent: c.payloadsSent.Load(), BytesSent: c.bytesSent.Load(),
		SendErrors: c.sendErrors.Load(), PayloadsReceived: c.payloadsReceived.Load(),
		BytesReceived: c.bytesReceived.Load(), Dropped: c.dropped.Load(),
		StepErrors: c.stepErrors.Load(), Delivered: c.delivered.Load(),
		MessagesReceived: c.messagesReceived.Load(), StoreErrors: c.storeErrors.Load(),
		Syncs: c.syncs.Load(), Forgotten: c.forgotten.Load(),
	}
}
