package datasync

import (
	"context"

	"go.uber.org/zap"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// flush runs the Ready cycle until the node has nothing more: persist,
// deliver, send, Advance (see doc.go). It runs on the driver goroutine. A
// store error is returned at once: nothing of that Ready is delivered or
// sent, and the driver stops.
func (d *Driver) flush() error {
	for d.node.HasReady() {
		rd := d.node.Ready()
		if err := d.store.ApplyReady(rd.Changes, rd.Deliver); err != nil {
			return wrapStore("apply", err)
		}
		if err := d.deliverAll(rd.Deliver); err != nil {
			return err
		}
		for _, o := range rd.Outgoing {
			d.send(o)
		}
		d.node.Advance(rd)
	}
	return nil
}

// deliverAll hands ms to the application and clears their pending marks.
func (d *Driver) deliverAll(ms []mvds.Message) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]mvds.MessageID, len(ms))
	for i, m := range ms {
		if d.deliver != nil {
			d.deliver(m)
		}
		ids[i] = m.ID()
	}
	d.stats.delivered.Add(uint64(len(ms)))
	if err := d.store.Delivered(ids); err != nil {
		return wrapStore("delivered", err)
	}
	return nil
}

// send encodes one payload and hands it to the transport.
func (d *Driver) send(o mvds.Outgoing) {
	b, err := o.Payload.Marshal()
	if err != nil { // the node never emits an empty payload
		d.log.Error("encode payload", zap.Error(err))
		return
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.SendTimeout)
	defer cancel()
	if err := d.tr.Send(ctx, o.To, b); err != nil {
		d.stats.sendErrors.Add(1)
		d.log.Debug("send failed", zap.Stringer("peer", o.To), zap.Error(err))
		return
	}
	d.stats.payloadsSent.Add(1)
	d.stats.bytesSent.Add(uint64(len(b)))
}

// step feeds every queued received payload to the node.
func (d *Driver) step() {
	for _, in := range d.inbox.drain() {
		if err := d.node.Step(in.from, in.payload); err != nil {
			d.stats.stepErrors.Add(1)
			d.log.Debug("payload rejected", zap.Stringer("peer", in.from), zap.Error(err))
		}
	}
}
