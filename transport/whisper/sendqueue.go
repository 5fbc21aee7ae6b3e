package whisper

import "sync"

// sendQueue holds the envelopes waiting for one peer's writer, one FIFO per
// source (the peer connection an envelope came from, 0 for our own posts),
// taken round-robin: a source that floods fills only its own FIFO, and the
// next batch still carries the other sources' envelopes first in line, so
// their latency does not grow with the flood. Each FIFO holds at most
// perSource entries; push reports when one is full (the caller then leaves
// the envelope to the pool catch-up). Safe for concurrent use: offers come
// from every ingesting goroutine, take from the writer.
type sendQueue struct {
	perSource int
	wake      chan struct{} // capacity 1: something was pushed

	mu    sync.Mutex
	fifos map[uint64][]*entry
	ring  []uint64 // sources with queued entries, in round-robin order
	next  int      // index in ring of the source served next
	n     int      // entries queued
}

func newSendQueue(perSource int) *sendQueue {
	return &sendQueue{perSource: perSource, wake: make(chan struct{}, 1), fifos: make(map[uint64][]*entry)}
}

// push queues e behind the other entries of its source; false when that
// source's FIFO is full.
func (q *sendQueue) push(e *entry) bool {
	q.mu.Lock()
	f, ok := q.fifos[e.from]
	if len(f) >= q.perSource {
		q.mu.Unlock()
		return false
	}
	if !ok || len(f) == 0 {
		q.ring = append(q.ring, e.from)
	}
	q.fifos[e.from] = append(f, e)
	q.n++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// take returns up to max entries (and at most maxBytes of wire bytes, but
// always at least one when any is queued), one from each source in turn.
func (q *sendQueue) take(max, maxBytes int) []*entry {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []*entry
	size := 0
	for len(out) < max && len(q.ring) > 0 {
		if q.next >= len(q.ring) {
			q.next = 0
		}
		src := q.ring[q.next]
		f := q.fifos[src]
		e := f[0]
		if len(out) > 0 && size+len(e.raw) > maxBytes {
			break
		}
		out = append(out, e)
		size += len(e.raw)
		f[0] = nil
		f = f[1:]
		q.n--
		if len(f) == 0 {
			delete(q.fifos, src)
			q.ring = append(q.ring[:q.next], q.ring[q.next+1:]...)
		} else {
			q.fifos[src] = f
			q.next++
		}
	}
	return out
}

// len is the number of queued entries.
func (q *sendQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
