package datasync

import (
	"container/heap"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// retention holds the messages whose bodies no send record needs any more
// (mvds.Node.Settled) until Config.RetainAcked after their timestamp, when
// the driver releases them (mvds.Node.Release). It is owned by the driver
// goroutine (and by Start before it).
type retention struct {
	queue  retainQueue
	queued map[mvds.MessageID]struct{}
}

type retainEntry struct {
	at time.Time
	id mvds.MessageID
}

// retainQueue is a min-heap on at.
type retainQueue []retainEntry

func (q retainQueue) Len() int           { return len(q) }
func (q retainQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q retainQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *retainQueue) Push(x any)        { *q = append(*q, x.(retainEntry)) }
func (q *retainQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func (r *retention) add(id mvds.MessageID, at time.Time) {
	if r.queued == nil {
		r.queued = make(map[mvds.MessageID]struct{})
	}
	if _, ok := r.queued[id]; ok {
		return
	}
	r.queued[id] = struct{}{}
	heap.Push(&r.queue, retainEntry{at: at, id: id})
}

// due removes and returns the IDs whose time is at or before now.
func (r *retention) due(now time.Time) []mvds.MessageID {
	var out []mvds.MessageID
	for len(r.queue) > 0 && !r.queue[0].at.After(now) {
		e := heap.Pop(&r.queue).(retainEntry)
		delete(r.queued, e.id)
		out = append(out, e.id)
	}
	return out
}

// releaseAt is when the body of a settled message stamped ts (Unix
// seconds) may go.
func (d *Driver) releaseAt(ts int64) time.Time {
	return time.Unix(ts, 0).Add(d.cfg.RetainAcked)
}

// retainSettled queues the messages of ids that the node now holds for
// no send record (after a peer's ACKs); run goroutine.
func (d *Driver) retainSettled(ids []mvds.MessageID) {
	for _, id := range ids {
		if ts, ok := d.node.Settled(id); ok {
			d.retain.add(id, d.releaseAt(ts))
		}
	}
}

// retainAtStart queues every settled message of a restarted node but those
// still pending delivery, and releases at once those already due.
func (d *Driver) retainAtStart(pending []mvds.Delivery) {
	skip := make(map[mvds.MessageID]struct{}, len(pending))
	for _, p := range pending {
		skip[p.ID()] = struct{}{}
	}
	d.node.EachSettled(func(id mvds.MessageID, ts int64) {
		if _, ok := skip[id]; !ok {
			d.retain.add(id, d.releaseAt(ts))
		}
	})
	d.releaseDue()
}

// releaseDue releases the bodies whose retention ended; the next flush
// persists it.
func (d *Driver) releaseDue() {
	if ids := d.retain.due(d.clock.Now()); len(ids) > 0 {
		d.node.Release(ids)
	}
}
