package datasync

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

// app records deliveries with their senders and tags, and ACKs.
type app struct {
	mu   sync.Mutex
	got  []Delivery
	acks map[mvds.MessageID]mvds.PeerID
}

func (a *app) deliver(d Delivery) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, d)
}

func (a *app) ack(from mvds.PeerID, _ string, ids []mvds.MessageID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.acks == nil {
		a.acks = make(map[mvds.MessageID]mvds.PeerID)
	}
	for _, id := range ids {
		a.acks[id] = from
	}
}

func (a *app) snapshot() ([]Delivery, map[mvds.MessageID]mvds.PeerID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	acks := make(map[mvds.MessageID]mvds.PeerID, len(a.acks))
	for k, v := range a.acks {
		acks[k] = v
	}
	return append([]Delivery(nil), a.got...), acks
}

// TestConfirmDeliveries: with ConfirmDeliveries a delivered message stays
// pending until Confirm; a restart before it delivers the message again
// with its sender, and after it does not. The sender's driver reports the
// ACK with the receiver's peer ID.
func TestConfirmDeliveries(t *testing.T) {
	net := newMemNet()
	ackApp := &app{}
	a := &peer{id: testPeerID(1), clock: NewManualClock(t0), app: &deliveries{}, kv: storage.NewMemory()}
	ad, err := New(DefaultConfig(a.id), datasyncstore.New(a.kv), endpoint{net, a.id}, a.app.deliver,
		WithClock(a.clock), WithAckFunc(ackApp.ack))
	if err != nil {
		t.Fatal(err)
	}
	net.attach(a.id, ad)
	if err := ad.Start(); err != nil {
		t.Fatal(err)
	}
	a.d = ad
	defer ad.Stop()
	kv := storage.NewMemory()
	bID := testPeerID(2)
	start := func(rx *app) *Driver {
		cfg := DefaultConfig(bID)
		cfg.ConfirmDeliveries = true
		d, err := New(cfg, datasyncstore.New(kv), endpoint{net, bID}, rx.deliver, WithClock(a.clock))
		if err != nil {
			t.Fatal(err)
		}
		net.attach(bID, d)
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		return d
	}
	rx := &app{}
	b := start(rx)
	g := groupOf(t, a.id, bID)
	if err := a.d.AddPeer(ctxT(t), g, bID); err != nil {
		t.Fatal(err)
	}
	id, err := a.d.Append(ctxT(t), g, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		round(t, a)
		if err := b.Sync(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := rx.snapshot()
	if len(got) != 1 || got[0].ID() != id || got[0].From != a.id || got[0].Copy {
		t.Fatalf("deliveries %+v", got)
	}
	if _, acks := ackApp.snapshot(); acks[id] != bID {
		t.Fatalf("ack of %s from %s, want %s", id, acks[id], bID)
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}

	rx2 := &app{}
	b = start(rx2) // not confirmed: delivered again, with its sender
	got, _ = rx2.snapshot()
	if len(got) != 1 || got[0].ID() != id || got[0].From != a.id || got[0].Tag != "" {
		t.Fatalf("redelivered %+v", got)
	}
	if err := b.Confirm(id); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	rx3 := &app{}
	b = start(rx3)
	defer b.Stop()
	if got, _ := rx3.snapshot(); len(got) != 0 {
		t.Fatalf("confirmed message delivered again: %+v", got)
	}
}

// captureTransport keeps the last packet sent.
type captureTransport struct{ out *Packet }

func (c captureTransport) Send(_ context.Context, _ mvds.PeerID, pk Packet) error {
	*c.out = Packet{Payload: bytes.Clone(pk.Payload), Messages: slices.Clone(pk.Messages), IDs: slices.Clone(pk.IDs)}
	return nil
}

// TestReceiveCopy: a payload from our own peer ID is delivered as a copy,
// without touching the node (nothing stored, nothing acknowledged); the
// packet handed to the transport names the messages it carries.
func TestReceiveCopy(t *testing.T) {
	clock := NewManualClock(t0)
	self, other := testPeerID(1), testPeerID(2)
	var pk Packet
	tr := captureTransport{out: &pk}
	d, err := New(DefaultConfig(self), datasyncstore.New(storage.NewMemory()), tr, nil, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	g := groupOf(t, self, other)
	if err := d.AddPeer(ctxT(t), g, other); err != nil {
		t.Fatal(err)
	}
	id, err := d.Append(ctxT(t), g, []byte("from my other device"))
	if err != nil {
		t.Fatal(err)
	}
	if err := clock.Advance(ctxT(t), mvds.StatusTickMillis*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if len(pk.IDs) != 1 || pk.IDs[0] != id || len(pk.Messages) != 1 || pk.Messages[0].ID() != id {
		t.Fatalf("packet carries %v", pk.IDs)
	}

	rx := &app{} // another installation of the same identity
	c, err := New(DefaultConfig(self), datasyncstore.New(storage.NewMemory()), tr, rx.deliver, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if err := c.ReceiveCopy(pk.Payload, "inst"); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	got, _ := rx.snapshot()
	if len(got) != 1 || !got[0].Copy || got[0].ID() != id || got[0].Tag != "inst" || got[0].From != self {
		t.Fatalf("copies %+v", got)
	}
	if s, _ := c.Status(ctxT(t)); s.Outstanding != 0 {
		t.Fatalf("copy produced %d records", s.Outstanding)
	}
	if err := c.ReceiveCopy([]byte("not mvds"), ""); !errors.Is(err, mvds.ErrNotPayload) {
		t.Fatalf("ReceiveCopy of non-MVDS bytes: %v", err)
	}
}
