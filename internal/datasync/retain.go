package datasync

import (
	"bytes"
	"container/heap"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// retention holds the messages whose bodies no send record needs any more
// (mvds.Node.Settled) until Config.RetainAcked after their timestamp, when
// the driver releases them (mvds.Node.Release), and, with
// Config.RetainAckedMax, at most that many of each group: the oldest go
// first. It is owned by the driver goroutine (and by Start before it).
//
// Every held message is in queue (by release time) and in its group's
// queue (by age); both order by (time, ID), so a group's oldest is always
// the first of its messages that queue gives up. A message released
// because its group was full stays in queue until its time, and is
// skipped then, or until queue carries too many such (compact).
type retention struct {
	max    int // per group; 0 for no bound
	queue  retainQueue
	queued map[mvds.MessageID]mvds.GroupID // the held messages
	groups map[mvds.GroupID]*retainQueue   // with max > 0: each group's held messages
}

type retainEntry struct {
	at time.Time
	id mvds.MessageID
}

// retainQueue is a min-heap on (at, id).
type retainQueue []retainEntry

func (q retainQueue) Len() int { return len(q) }
func (q retainQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return bytes.Compare(q[i].id[:], q[j].id[:]) < 0
}
func (q retainQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *retainQueue) Push(x any)   { *q = append(*q, x.(retainEntry)) }
func (q *retainQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// add holds message id of group g until at. It returns the messages of g
// to release at once to keep at most max of g held (the oldest; possibly
// id itself).
func (r *retention) add(id mvds.MessageID, g mvds.GroupID, at time.Time) []mvds.MessageID {
	if r.queued == nil {
		r.queued = make(map[mvds.MessageID]mvds.GroupID)
		r.groups = make(map[mvds.GroupID]*retainQueue)
	}
	if _, ok := r.queued[id]; ok {
		return nil
	}
	r.queued[id] = g
	e := retainEntry{at: at, id: id}
	heap.Push(&r.queue, e)
	if r.max <= 0 {
		return nil
	}
	gq := r.groups[g]
	if gq == nil {
		gq = &retainQueue{}
		r.groups[g] = gq
	}
	heap.Push(gq, e)
	var out []mvds.MessageID
	for gq.Len() > r.max {
		old := heap.Pop(gq).(retainEntry)
		delete(r.queued, old.id)
		out = append(out, old.id)
	}
	if len(r.queue) > 2*len(r.queued)+retainSlack {
		r.compact()
	}
	return out
}

// retainSlack is how many more entries than twice the held messages queue
// may carry (those given up by full groups) before compact drops them.
const retainSlack = 64

// compact rebuilds queue from the held messages only, so that what full
// groups gave up does not stay there until its time.
func (r *retention) compact() {
	live := r.queue[:0]
	for _, e := range r.queue {
		if _, held := r.queued[e.id]; held {
			live = append(live, e)
		}
	}
	clear(r.queue[len(live):])
	r.queue = live
	heap.Init(&r.queue)
}

// due removes and returns the IDs whose time is at or before now.
func (r *retention) due(now time.Time) []mvds.MessageID {
	var out []mvds.MessageID
	for len(r.queue) > 0 && !r.queue[0].at.After(now) {
		e := heap.Pop(&r.queue).(retainEntry)
		g, held := r.queued[e.id]
		if !held {
			continue // released already: its group was full
		}
		delete(r.queued, e.id)
		if gq := r.groups[g]; gq != nil {
			heap.Pop(gq) // e: the group's oldest
			if gq.Len() == 0 {
				delete(r.groups, g)
			}
		}
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
// no send record (after a peer's ACKs), and releases those a full group
// gives up; run goroutine.
func (d *Driver) retainSettled(ids []mvds.MessageID) {
	var full []mvds.MessageID
	for _, id := range ids {
		if g, ts, ok := d.node.Settled(id); ok {
			full = append(full, d.retain.add(id, g, d.releaseAt(ts))...)
		}
	}
	if len(full) > 0 {
		d.node.Release(full, d.clock.Now())
	}
}

// retainAtStart queues every settled message of a restarted node but those
// still pending delivery, and releases at once those already due and
// those beyond Config.RetainAckedMax of their group.
func (d *Driver) retainAtStart(pending []mvds.Delivery) {
	skip := make(map[mvds.MessageID]struct{}, len(pending))
	for _, p := range pending {
		skip[p.ID()] = struct{}{}
	}
	var full []mvds.MessageID
	d.node.EachSettled(func(id mvds.MessageID, g mvds.GroupID, ts int64) {
		if _, ok := skip[id]; !ok {
			full = append(full, d.retain.add(id, g, d.releaseAt(ts))...)
		}
	})
	if len(full) > 0 {
		d.node.Release(full, d.clock.Now())
	}
	d.releaseDue()
	d.forgetReleased()
}

// releaseDue releases the bodies whose retention ended; the next flush
// persists it.
func (d *Driver) releaseDue() {
	if ids := d.retain.due(d.clock.Now()); len(ids) > 0 {
		d.node.Release(ids, d.clock.Now())
	}
}

// forgetReleased lets go of the released IDs kept for longer than
// Config.RetainReleased (mvds.Node.ForgetReleased); the next flush deletes
// them from the store. It runs at every tick and at Start; the node keeps
// them ordered by release time, so a tick with none due costs O(1).
func (d *Driver) forgetReleased() {
	if n := d.node.ForgetReleased(d.clock.Now().Add(-d.cfg.RetainReleased)); n > 0 {
		d.stats.forgotten.Add(uint64(n))
	}
}
