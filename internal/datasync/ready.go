package datasync

import (
	"context"

	"go.uber.org/zap"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// flush runs the Ready cycle until the node has nothing more: persist,
// deliver, send, Advance (see doc.go). It runs on the driver goroutine.
// A failed write of a Ready is returned at once: nothing of that Ready is
// delivered or sent, and the Ready is kept (d.held) for the next flush,
// which writes it before anything else (storefail.go). A failed write of
// pending marks (Delivered) keeps them (d.unmarked) for the next flush and
// is returned once this one is done. persisted, when not nil, is called
// once, after the first Ready was written (or at the end when there was
// none).
func (d *Driver) flush(persisted func()) error {
	defer clear(d.origins)
	if err := d.persistConfirms(); err != nil {
		return err
	}
	markErr := d.clearMarks()
	for d.held != nil || d.node.HasReady() {
		if d.held == nil {
			d.held = d.take()
		}
		h := d.held
		if err := d.store.ApplyReady(h.rd.Changes, h.dels); err != nil {
			d.stats.storeErrors.Add(1)
			return wrapStore("apply", err)
		}
		if err := d.syncForAcks(h.rd.Outgoing); err != nil {
			d.stats.storeErrors.Add(1)
			return wrapStore("sync", err)
		}
		d.held = nil
		if persisted != nil {
			persisted()
			persisted = nil
		}
		if err := d.deliverAll(h.dels, h.tags); err != nil && markErr == nil {
			markErr = err
		}
		for _, o := range h.rd.Outgoing {
			d.send(o)
		}
		d.node.Advance(h.rd)
	}
	if persisted != nil {
		persisted()
	}
	return markErr
}

// syncForAcks makes the store's writes durable (Syncer) before payloads
// that carry ACKs leave: an ACK stops the sender's retransmission, so the
// message it acknowledges — written as pending by this Ready's write or
// an earlier one — must survive a power loss first. One sync covers every
// earlier write, so it runs once per Ready, and not at all for a Ready
// that acknowledges nothing. A failed sync is a failed write: the Ready
// is held and written and synced again (storefail.go).
func (d *Driver) syncForAcks(out []mvds.Outgoing) error {
	s, ok := d.store.(Syncer)
	if !ok {
		return nil
	}
	for _, o := range out {
		if len(o.Payload.Acks) > 0 {
			d.stats.syncs.Add(1)
			return s.Sync()
		}
	}
	return nil
}

// heldReady is a Ready taken from the node with the senders and tags of
// its deliveries, kept across flushes while its write fails.
type heldReady struct {
	rd   mvds.Ready
	dels []mvds.Delivery
	tags []string
}

// take takes the node's next Ready and names its deliveries' origins,
// which flush forgets when it returns.
func (d *Driver) take() *heldReady {
	rd := d.node.Ready()
	dels := d.attach(rd.Deliver)
	return &heldReady{rd: rd, dels: dels, tags: d.tags(dels)}
}

// clearMarks writes the pending-mark clears a failed write left
// (d.unmarked); they are kept while it fails.
func (d *Driver) clearMarks() error {
	if len(d.unmarked) == 0 {
		return nil
	}
	if err := d.store.Delivered(d.unmarked); err != nil {
		d.stats.storeErrors.Add(1)
		return wrapStore("delivered", err)
	}
	d.unmarked = nil
	return nil
}

// origin is where a received message came from: the sender and the tag
// its payload was received with.
type origin struct {
	from mvds.PeerID
	tag  string
}

// attach names the sender of each message the node delivers, from the
// payloads stepped since the last flush.
func (d *Driver) attach(ms []mvds.Message) []mvds.Delivery {
	if len(ms) == 0 {
		return nil
	}
	out := make([]mvds.Delivery, len(ms))
	for i, m := range ms {
		out[i] = mvds.Delivery{From: d.origins[m.ID()].from, Message: m}
	}
	return out
}

func (d *Driver) tags(ds []mvds.Delivery) []string {
	out := make([]string, len(ds))
	for i := range ds {
		out[i] = d.origins[ds[i].ID()].tag
	}
	return out
}

// deliverAll hands ds to the application and, unless the application
// confirms deliveries itself (Config.ConfirmDeliveries), clears their
// pending marks. tags[i] is the Receive tag of ds[i] ("" if unknown).
// When that write fails the marks wait in d.unmarked for the next flush
// (the messages are delivered: a crash meanwhile delivers them again).
func (d *Driver) deliverAll(ds []mvds.Delivery, tags []string) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]mvds.MessageID, len(ds))
	for i, m := range ds {
		if d.deliver != nil {
			d.deliver(Delivery{Delivery: m, Tag: tags[i]})
		}
		ids[i] = m.ID()
	}
	d.stats.delivered.Add(uint64(len(ds)))
	if d.cfg.ConfirmDeliveries {
		return nil
	}
	if err := d.store.Delivered(ids); err != nil {
		d.stats.storeErrors.Add(1)
		d.unmarked = append(d.unmarked, ids...)
		return wrapStore("delivered", err)
	}
	return nil
}

// send encodes one payload and hands it, with the messages it carries, to
// the transport. A payload the transport failed to send is given back to
// the node (NotSent): it does not count toward the peer's send limit.
func (d *Driver) send(o mvds.Outgoing) {
	b, err := o.Payload.Marshal()
	if err != nil { // the node never emits an empty payload
		d.log.Error("encode payload", zap.Error(err))
		return
	}
	pk := Packet{Payload: b, Messages: o.Payload.Messages}
	if n := len(o.Payload.Messages); n > 0 {
		pk.IDs = make([]mvds.MessageID, n)
		for i := range o.Payload.Messages {
			pk.IDs[i] = o.Payload.Messages[i].ID()
		}
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.SendTimeout)
	defer cancel()
	if err := d.tr.Send(ctx, o.To, pk); err != nil {
		d.stats.sendErrors.Add(1)
		d.log.Debug("send failed", zap.Stringer("peer", o.To), zap.Error(err))
		d.node.NotSent(o.To, pk.IDs)
		return
	}
	d.stats.payloadsSent.Add(1)
	d.stats.bytesSent.Add(uint64(len(b)))
	if d.rtt != nil && len(pk.IDs) > 0 {
		d.rtt.onSend(o.To, pk.IDs, d.clock.Now())
	}
}

// measured feeds the ACKs of a received payload to the round-trip
// estimate and moves the peer's first retransmission gap with it.
func (d *Driver) measured(from mvds.PeerID, acks []mvds.MessageID) {
	if d.rtt == nil || !d.rtt.onAcks(from, acks, d.clock.Now()) {
		return
	}
	wait, _ := d.rtt.firstRetry(from)
	least := max(d.cfg.MinAdaptiveBackoff, 1)
	d.node.SetInitialBackoff(from, backoffTicks(wait, d.cfg.TickInterval, least, d.cfg.Node.MaxBackoff))
}

// step feeds every queued received payload to the node, hands copies from
// our own peer ID to the application, reports ACKs and persists the
// confirmations queued by Confirm.
func (d *Driver) step() error {
	in, confirms := d.inbox.drain()
	for _, r := range in {
		if r.copy {
			d.deliverCopies(r)
			continue
		}
		if len(r.payload.Acks) > 0 {
			d.measured(r.from, r.payload.Acks)
			if d.acked != nil {
				d.acked(r.from, r.tag, r.payload.Acks)
			}
		}
		d.stats.messagesReceived.Add(uint64(len(r.payload.Messages)))
		for i := range r.payload.Messages {
			id := r.payload.Messages[i].ID()
			if _, ok := d.origins[id]; !ok {
				d.origins[id] = origin{from: r.from, tag: r.tag}
			}
		}
		if err := d.node.Step(r.from, r.payload); err != nil {
			d.stats.stepErrors.Add(1)
			d.log.Debug("payload rejected", zap.Stringer("peer", r.from), zap.Error(err))
		}
		d.retainSettled(r.payload.Acks)
	}
	d.confs = append(d.confs, confirms...)
	return nil
}

// maxLazyConfirms bounds the confirmations waiting for a write of their
// own (persistConfirms).
const maxLazyConfirms = 1024

// persistConfirms handles the application's confirmations, at the start of
// a flush. They wait for a write that happens anyway — the next Ready's —
// or for the next tick or request, or for maxLazyConfirms of them: losing
// one to a crash only delivers its message again at the next Start, which
// the application dedupes. The bodies of the confirmed messages that no
// send record needs go (mvds.Node.Release), their pending marks with them
// in the Ready's write; the other marks are cleared by a write of their
// own.
func (d *Driver) persistConfirms() error {
	ids := d.confs
	if len(ids) == 0 || !(d.confNow || d.node.HasReady() || len(ids) >= maxLazyConfirms) {
		d.confNow = false
		return nil
	}
	d.confs, d.confNow = nil, false
	rest := ids
	if rel := d.node.Release(ids, d.clock.Now()); len(rel) > 0 {
		gone := make(map[mvds.MessageID]struct{}, len(rel))
		for _, id := range rel {
			gone[id] = struct{}{}
		}
		rest = rest[:0:0]
		for _, id := range ids {
			if _, ok := gone[id]; !ok {
				rest = append(rest, id)
			}
		}
	}
	if len(rest) == 0 {
		return nil
	}
	if err := d.store.Delivered(rest); err != nil {
		d.stats.storeErrors.Add(1)
		d.unmarked = append(d.unmarked, rest...) // clearMarks retries them
		return wrapStore("confirm", err)
	}
	return nil
}

// deliverCopies hands the messages of a payload from our own peer ID to the
// application, unsynchronised (see ReceiveCopy).
func (d *Driver) deliverCopies(r received) {
	if d.deliver == nil {
		return
	}
	for _, m := range r.payload.Messages {
		d.deliver(Delivery{Delivery: mvds.Delivery{From: d.cfg.Node.ID, Message: m}, Tag: r.tag, Copy: true})
	}
}
