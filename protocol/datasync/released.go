package datasync

import (
	"bytes"
	"slices"
	"time"
)

// Released is a message whose body the node dropped (Node.Release): its ID,
// kept so that a copy received again is acknowledged and not delivered
// twice, and the time it was released, Unix seconds. The node forgets it
// when the driver says that time is past its horizon (ForgetReleased).
//
// The time is the node's own, taken when it released the message, not the
// message's timestamp: the copies to guard against are a sender's
// retransmissions, which go on until our ACK reaches it, counted from when
// we received the message rather than from when it was written; and a
// timestamp is the sender's word — a skewed or hostile clock would have an
// ID forgotten at once or kept for ever.
type Released struct {
	ID MessageID
	At int64 // Unix seconds, from the now passed to Release
}

// releasedQueue is a binary min-heap of released IDs on (At, ID), so that
// ForgetReleased takes the oldest without scanning. It holds exactly the
// IDs of Node.released. It is written out (no container/heap) so that a
// push does not allocate an interface value per message.
type releasedQueue []Released

func lessReleased(a, b Released) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	return bytes.Compare(a.ID[:], b.ID[:]) < 0
}

func (q *releasedQueue) push(r Released) {
	*q = append(*q, r)
	q.up(len(*q) - 1)
}

// pop removes and returns the oldest entry; q must not be empty.
func (q *releasedQueue) pop() Released {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	*q = h[:last]
	q.down(0)
	return top
}

func (q releasedQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !lessReleased(q[i], q[p]) {
			return
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (q releasedQueue) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(q) {
			return
		}
		m := l
		if r := l + 1; r < len(q) && lessReleased(q[r], q[l]) {
			m = r
		}
		if !lessReleased(q[m], q[i]) {
			return
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
}

// init orders an arbitrary slice into a heap.
func (q releasedQueue) init() {
	for i := len(q)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

// Release drops the bodies of the messages of ids that no send record
// needs — none of the node's peers is still to be sent the message, offered
// it or asked for it — and keeps their IDs, stamped with now, so that a
// copy received again is acknowledged and not delivered twice (Step), and
// the message is not requested again, until ForgetReleased lets the ID go.
// A released message can no longer be sent: Recent and Resend skip it, and
// a REQUEST for it is ignored. IDs the node does not store with a body, or
// that still have records, are skipped. The next Ready's Changes carry the
// released IDs with their time. It returns the IDs it released, in the
// order of ids; the caller owns the slice.
//
// The driver releases a received message once the application has stored
// it, and a message it appended once every peer acknowledged it and the
// application no longer needs to send it again (Resend).
func (n *Node) Release(ids []MessageID, now time.Time) []MessageID {
	var out []MessageID
	at := now.Unix()
	for _, id := range ids {
		if _, ok := n.messages[id]; !ok || len(n.records[id]) > 0 {
			continue
		}
		delete(n.messages, id)
		r := Released{ID: id, At: at}
		n.released[id] = struct{}{}
		n.releasedQ.push(r)
		n.newReleased = append(n.newReleased, r)
		out = append(out, id)
	}
	n.noteReleasedPeak()
	return out
}

// ForgetReleased forgets every released ID whose release time (Released.At)
// is at or before before: the node no longer knows the message, so a copy
// received later is stored and delivered again as new (Step), and the next
// Ready's Changes delete the IDs from the store (ForgetMessages). It
// returns how many IDs it forgot. The cost is O(log n) per forgotten ID and
// O(1) when none is due.
//
// The driver calls it at every tick with now minus its horizon; the
// application must then recognise a message delivered a second time (the
// messenger dedupes by its own message ID).
func (n *Node) ForgetReleased(before time.Time) int {
	cut := before.Unix()
	count := 0
	for len(n.releasedQ) > 0 && n.releasedQ[0].At <= cut {
		r := n.releasedQ.pop()
		delete(n.released, r.ID)
		n.forgotten[r.ID] = struct{}{}
		count++
	}
	if count > 0 {
		n.shrinkReleased()
	}
	return count
}

// minShrink is the least peak of released IDs that shrinkReleased acts on.
const minShrink = 4096

// shrinkReleased gives back the memory of forgotten IDs once fewer than a
// quarter of the most held since the last shrink remain: a Go map never
// returns its buckets, nor a slice its array, so without it a burst (or
// the IDs of an upgraded store, all forgotten one horizon later) would
// keep its peak's memory for the life of the process. The copy costs
// O(held), paid for by the three times as many deletions before it.
func (n *Node) shrinkReleased() {
	if n.releasedPeak < minShrink || len(n.released) >= n.releasedPeak/4 {
		return
	}
	m := make(map[MessageID]struct{}, len(n.released))
	for id := range n.released {
		m[id] = struct{}{}
	}
	n.released = m
	n.releasedQ = slices.Clone(n.releasedQ)
	n.releasedPeak = len(m)
}

// noteReleasedPeak records the most released IDs held since the last
// shrink.
func (n *Node) noteReleasedPeak() {
	if len(n.released) > n.releasedPeak {
		n.releasedPeak = len(n.released)
	}
}

// ReleasedCount returns the number of released IDs the node holds.
func (n *Node) ReleasedCount() int { return len(n.released) }

// unforget is called when a message is stored again: its row in the store
// is written anew by PutMessages, so a deletion queued in the same Changes
// must not follow it.
func (n *Node) unforget(id MessageID) {
	if len(n.forgotten) > 0 {
		delete(n.forgotten, id)
	}
}

// sortReleased orders rs by ID, as snapshots list them.
func sortReleased(rs []Released) {
	slices.SortFunc(rs, func(a, b Released) int { return bytes.Compare(a.ID[:], b.ID[:]) })
}
