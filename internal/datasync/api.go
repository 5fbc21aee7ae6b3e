package datasync

import (
	"context"
	"errors"
	"fmt"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// Receive takes a payload the transport received from peer from (already
// decrypted and authenticated). It decodes data on the caller's goroutine
// and queues it for the driver goroutine; it never blocks.
//
// Errors: protocol/datasync's ErrNotPayload (as DecodePayload returns it)
// when data is not MVDS — the caller passes the bytes on to the next layer
// (docs/PROTOCOL.md §0); ErrMalformedPayload or ErrTooLarge for broken MVDS;
// ErrSelf or ErrInvalidKey for a bad sender; ErrInboxFull when the driver is
// behind (the payload is dropped; MVDS retransmits); ErrStopped after Stop.
// Receive may be called before Start; payloads then wait in the inbox.
func (d *Driver) Receive(from mvds.PeerID, data []byte) error {
	return d.ReceiveTagged(from, data, "")
}

// ReceiveTagged is Receive with a tag the driver hands back with every
// delivery (Delivery.Tag) and ACK (AckFunc) that the payload produces; the
// messenger passes the sending installation. Tags are not persisted: a
// message redelivered by Start has the tag "".
func (d *Driver) ReceiveTagged(from mvds.PeerID, data []byte, tag string) error {
	p, err := mvds.DecodePayload(data, d.cfg.Node.Limits)
	if err != nil {
		return err
	}
	if from == d.cfg.Node.ID {
		return mvds.ErrSelf
	}
	if from[0] != 0x04 {
		return fmt.Errorf("%w: sender %x…", mvds.ErrInvalidKey, from[:4])
	}
	return d.queue(received{from: from, payload: p, tag: tag}, len(data))
}

// ReceiveCopy takes a payload sent by our own identity (from another of
// our installations, which copies what it sends to its paired devices).
// The node never sees it — MVDS neither stores nor acknowledges our own
// messages — but each message it carries is handed to the DeliverFunc as a
// Delivery with Copy set, on the driver goroutine, not persisted and not
// pending. Errors are those of Receive (ErrNotPayload for bytes that are
// not MVDS).
func (d *Driver) ReceiveCopy(data []byte, tag string) error {
	p, err := mvds.DecodePayload(data, d.cfg.Node.Limits)
	if err != nil {
		return err
	}
	if len(p.Messages) == 0 {
		return nil
	}
	return d.queue(received{from: d.cfg.Node.ID, payload: p, tag: tag, copy: true}, len(data))
}

func (d *Driver) queue(r received, size int) error {
	if err := d.inbox.push(r); err != nil {
		if errors.Is(err, ErrInboxFull) {
			d.stats.dropped.Add(1)
		}
		return err
	}
	d.stats.payloadsReceived.Add(1)
	d.stats.bytesReceived.Add(uint64(size))
	return nil
}

// Confirm tells the driver that the application has durably handled the
// deliveries ids, so their pending marks can go (Config.ConfirmDeliveries).
// It never blocks: the driver goroutine clears the marks with its next
// write, at the latest at the next tick, and drops the messages' bodies
// (mvds.Node.Release) in the same write. A Confirm racing Stop, or one
// still waiting for that write at a crash, may be lost; the message is
// then delivered again by the next Start, which the application dedupes.
// ErrStopped after Stop.
func (d *Driver) Confirm(ids ...mvds.MessageID) error {
	if len(ids) == 0 {
		return nil
	}
	return d.inbox.confirm(ids)
}

// Append stores a new message in group g, stamped with the clock's time,
// and returns its ID once the message is persisted. It is sent to the
// group's peers Config.FlushDelay later (with whatever else was appended
// meanwhile), right after it returns when Config.FlushIdle finds the
// driver idle, or at the next tick when FlushDelay is 0. Errors: protocol/datasync's ErrTooLarge
// and ErrDuplicateMessage, ErrStopped, ErrStore, ctx.Err().
func (d *Driver) Append(ctx context.Context, g mvds.GroupID, body []byte) (mvds.MessageID, error) {
	var id mvds.MessageID
	now := d.clock.Now()
	err := d.do(ctx, func(n *mvds.Node) error {
		var err error
		id, err = n.Append(g, body, now)
		return err
	})
	if err != nil {
		return mvds.MessageID{}, err // id is not ours to read: a request ctx gave up on may still run
	}
	return id, nil
}

// AddPeer makes p a member of g (persisted before it returns).
func (d *Driver) AddPeer(ctx context.Context, g mvds.GroupID, p mvds.PeerID) error {
	return d.do(ctx, func(n *mvds.Node) error { return n.AddPeer(g, p) })
}

// RemovePeer removes p from g and drops what would still be sent to it.
func (d *Driver) RemovePeer(ctx context.Context, g mvds.GroupID, p mvds.PeerID) error {
	return d.do(ctx, func(n *mvds.Node) error { n.RemovePeer(g, p); return nil })
}

// SetSendLimit bounds the sends of each message to p at limit (0: no
// bound); see mvds.Node.SetSendLimit. The bound is not persisted by the
// driver: the application sets it again after each Start.
func (d *Driver) SetSendLimit(ctx context.Context, p mvds.PeerID, limit uint64) error {
	return d.do(ctx, func(n *mvds.Node) error { n.SetSendLimit(p, limit); return nil })
}

// Sync returns once every payload passed to Receive and every tick received
// before the call has been processed, its Ready persisted, delivered and
// sent. Tests use it after ManualClock.Advance.
func (d *Driver) Sync(ctx context.Context) error {
	return d.do(ctx, func(*mvds.Node) error { return nil })
}

// Status is a view of the node's state.
type Status struct {
	Epoch       uint64 // ticks since the state was created
	Outstanding int    // unacknowledged send records
	Released    int    // released message IDs kept for dedupe (Config.RetainReleased)
}

// Status returns the node's epoch, outstanding records and released IDs, after the
// driver processed everything received before the call.
func (d *Driver) Status(ctx context.Context) (Status, error) {
	var s Status
	err := d.do(ctx, func(n *mvds.Node) error {
		s = Status{Epoch: n.Epoch(), Outstanding: n.Outstanding(), Released: n.ReleasedCount()}
		return nil
	})
	if err != nil {
		return Status{}, err
	}
	return s, nil
}

// do runs fn on the driver goroutine, then the Ready cycle, and returns
// fn's error. It waits for the driver unless ctx ends: during a store
// failure spell until the writes succeed (or ErrStopped wrapping ErrStore
// when Stop ends the spell first). When it returns ctx's error, fn may
// still run later, on the driver goroutine: the caller must not read what
// fn writes unless do returned nil.
func (d *Driver) do(ctx context.Context, fn func(n *mvds.Node) error) error {
	d.mu.Lock()
	st := d.state
	d.mu.Unlock()
	if st == stateNew {
		return ErrNotStarted
	}
	r := request{fn: fn, reply: make(chan error, 1)}
	select {
	case d.reqs <- r:
	case <-d.done:
		return ErrStopped
	case <-d.quit:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func wrapStore(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrStore, op, err)
}

// Stats are the driver's counters since New.
type Stats struct {
	Ticks            uint64
	Flushes          uint64 // Node.Flush calls that sent something
	PayloadsSent     uint64 // handed to Transport.Send without error
	BytesSent        uint64 // encoded bytes of those payloads
	SendErrors       uint64
	PayloadsReceived uint64 // accepted by Receive
	BytesReceived    uint64
	Dropped          uint64 // refused with ErrInboxFull
	StepErrors       uint64 // payloads the node rejected
	Delivered        uint64 // messages handed to the application
	// MessagesReceived counts the messages in received payloads (not
	// copies from our own peer ID), duplicates included: with Delivered it
	// gives the share of messages received more than once.
	MessagesReceived uint64
	// StoreErrors counts the store writes that failed (each one is
	// retried; storefail.go).
	StoreErrors uint64
	// Syncs counts the store syncs before payloads carrying ACKs (Syncer).
	Syncs uint64
	// Forgotten counts the released IDs let go after
	// Config.RetainReleased.
	Forgotten uint64
}

// Recent returns the stored messages of group g stamped (by their
// sender's clock, whole seconds) within window before the driver clock's
// now, oldest first, at most limit of them (the newest); see
// mvds.Node.Recent. It waits for the driver goroutine. The caller owns the
// returned slice.
func (d *Driver) Recent(ctx context.Context, g mvds.GroupID, window time.Duration, limit int) ([]mvds.Message, error) {
	var out []mvds.Message
	err := d.do(ctx, func(n *mvds.Node) error {
		out = n.Recent(g, d.clock.Now().Add(-window).Unix(), limit)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Resend sends the stored messages ids to p again at once, and keeps
// retransmitting them until p acknowledges them again (the records are
// persisted before the payload leaves); see mvds.Node.Resend. It returns
// how many it sent.
func (d *Driver) Resend(ctx context.Context, p mvds.PeerID, ids []mvds.MessageID) (int, error) {
	var count int
	err := d.do(ctx, func(n *mvds.Node) error {
		count = n.Resend(p, ids)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return count, nil
}
