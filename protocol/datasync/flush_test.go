package datasync

import (
	"bytes"
	"testing"
)

// TestFlushSendsNewMessage: a flushed message leaves in the next Ready
// without a tick, its state is in that Ready's Changes, and the epoch does
// not move.
func TestFlushSendsNewMessage(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	id, err := a.Append(g, []byte("now"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if !a.HasUnsent() || !a.Flush() {
		t.Fatal("Flush found nothing to send after Append")
	}
	rd := drain(t, a)
	if a.Epoch() != 0 {
		t.Fatalf("epoch %d after Flush, want 0", a.Epoch())
	}
	if len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Messages) != 1 || rd.Outgoing[0].Payload.Messages[0].ID() != id {
		t.Fatalf("Outgoing = %+v", rd.Outgoing)
	}
	if len(rd.Changes.PutMessages) != 1 || len(rd.Changes.PutRecords) != 1 {
		t.Fatalf("Changes = %+v", rd.Changes)
	}
	if r := rd.Changes.PutRecords[0].Record; r.SendCount != 1 || r.SendEpoch != 1+a.cfg.InitialBackoff {
		t.Fatalf("persisted record %+v, want sent once, next at epoch %d", r, 1+a.cfg.InitialBackoff)
	}
	deliverAll(t, rd, a.cfg.ID, b)
	if rd := drain(t, b); len(rd.Deliver) != 1 {
		t.Fatalf("b delivered %d", len(rd.Deliver))
	}
	a.Tick() // the epoch the message was scheduled for: nothing is due
	if rd := drain(t, a); len(rd.Outgoing) != 0 {
		t.Fatalf("tick after Flush re-sent: %+v", rd.Outgoing)
	}
}

// TestFlushNothingNew: Flush sends nothing when no record is new, not even
// the queued ACKs, and produces no Ready.
func TestFlushNothingNew(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	drain(t, a) // the memberships
	if a.Flush() || a.HasReady() {
		t.Fatal("Flush on an empty node produced output")
	}
	if _, err := b.Append(g, []byte("to a"), t0); err != nil {
		t.Fatal(err)
	}
	b.Tick()
	deliverAll(t, drain(t, b), b.cfg.ID, a)
	drain(t, a) // persist and deliver; the ACK is queued for the tick
	if a.HasUnsent() || a.Flush() || a.HasReady() {
		t.Fatal("Flush with only queued ACKs produced output")
	}
	a.Tick()
	if rd := drain(t, a); len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Acks) != 1 {
		t.Fatalf("tick did not send the ACK: %+v", rd.Outgoing)
	}
}

// TestFlushDoesNotResend: a message in flight (sent by a tick or a previous
// Flush) is not sent again by Flush; only the new one is.
func TestFlushDoesNotResend(t *testing.T) {
	a, _, g := pair(t, ModeBatch)
	if _, err := a.Append(g, []byte("old"), t0); err != nil {
		t.Fatal(err)
	}
	a.Tick()
	drain(t, a)
	if a.Flush() {
		t.Fatal("Flush re-sent a message sent by the tick")
	}
	id, err := a.Append(g, []byte("new"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Flush() {
		t.Fatal("Flush did not send the new message")
	}
	rd := drain(t, a)
	if len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Messages) != 1 || rd.Outgoing[0].Payload.Messages[0].ID() != id {
		t.Fatalf("Outgoing = %+v", rd.Outgoing)
	}
	if a.Flush() || a.HasReady() {
		t.Fatal("second Flush re-sent")
	}
}

// TestFlushAcksRideAlong: ACKs queued for the peer travel in the flushed
// payload and are not repeated at the next tick.
func TestFlushAcksRideAlong(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	if _, err := b.Append(g, []byte("to a"), t0); err != nil {
		t.Fatal(err)
	}
	b.Tick()
	deliverAll(t, drain(t, b), b.cfg.ID, a)
	drain(t, a)
	if _, err := a.Append(g, []byte("reply"), t0); err != nil {
		t.Fatal(err)
	}
	a.Flush()
	rd := drain(t, a)
	if len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Acks) != 1 || len(rd.Outgoing[0].Payload.Messages) != 1 {
		t.Fatalf("Outgoing = %+v", rd.Outgoing)
	}
	deliverAll(t, rd, a.cfg.ID, b)
	if b.Outstanding() != 0 {
		t.Fatalf("b outstanding %d after the ridden ACK", b.Outstanding())
	}
	a.Tick()
	if rd := drain(t, a); len(rd.Outgoing) != 0 {
		t.Fatalf("tick repeated the ACK: %+v", rd.Outgoing)
	}
}

// TestFlushBackoff: after a flush at epoch e, an unacknowledged message is
// retransmitted at e+1+InitialBackoff — as if the tick of e+1 had sent it —
// and then with the same gaps as a message first sent by a tick, never more
// than MaxBackoff apart.
func TestFlushBackoff(t *testing.T) {
	a, _, g := pair(t, ModeBatch)
	for i := 0; i < 5; i++ { // start somewhere other than epoch 0
		a.Tick()
	}
	if _, err := a.Append(g, []byte("x"), t0); err != nil {
		t.Fatal(err)
	}
	a.Flush()
	drain(t, a)
	sends := []uint64{a.Epoch() + 1} // the epoch the flush stands in for
	for i := 0; i < 2000; i++ {
		a.Tick()
		if len(drain(t, a).Outgoing) > 0 {
			sends = append(sends, a.Epoch())
		}
	}
	cfg := a.Config()
	for i := 1; i < len(sends); i++ {
		gap := sends[i] - sends[i-1]
		if want := cfg.backoff(cfg.InitialBackoff, uint64(i)); gap != want {
			t.Fatalf("gap %d between sends %d and %d, want %d", gap, i-1, i, want)
		}
		if gap > cfg.MaxBackoff {
			t.Fatalf("gap %d over MaxBackoff", gap)
		}
	}
}

// TestFlushInteractive: in interactive mode Flush sends the OFFER, and the
// peer's REQUEST is answered at the tick.
func TestFlushInteractive(t *testing.T) {
	a, b, g := pair(t, ModeInteractive)
	id, err := a.Append(g, []byte("offered"), t0)
	if err != nil {
		t.Fatal(err)
	}
	a.Flush()
	rd := drain(t, a)
	if len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Offers) != 1 || rd.Outgoing[0].Payload.Offers[0] != id ||
		len(rd.Outgoing[0].Payload.Messages) != 0 {
		t.Fatalf("Outgoing = %+v", rd.Outgoing)
	}
	deliverAll(t, rd, a.cfg.ID, b)
	drain(t, b)
	if b.Flush() {
		t.Fatal("b flushed its REQUEST")
	}
	for i := 0; i < 3 && !b.HasMessage(id); i++ {
		b.Tick()
		deliverAll(t, drain(t, b), b.cfg.ID, a)
		a.Tick()
		deliverAll(t, drain(t, a), a.cfg.ID, b)
	}
	if !b.HasMessage(id) {
		t.Fatal("b never got the offered message")
	}
}

// TestFlushSplits: a burst larger than MaxPayloadBytes leaves in several
// payloads, none empty and none over the limit (unless one entry alone).
func TestFlushSplits(t *testing.T) {
	a, _, g := pair(t, ModeBatch)
	a.cfg.MaxPayloadBytes = 1000
	for i := 0; i < 20; i++ {
		if _, err := a.Append(g, bytes.Repeat([]byte{byte(i)}, 300), t0); err != nil {
			t.Fatal(err)
		}
	}
	a.Flush()
	rd := drain(t, a)
	total := 0
	for _, o := range rd.Outgoing {
		if o.Payload.Size() > 1000 {
			t.Fatalf("payload of %d bytes", o.Payload.Size())
		}
		total += len(o.Payload.Messages)
	}
	if len(rd.Outgoing) < 2 || total != 20 {
		t.Fatalf("%d payloads carrying %d messages", len(rd.Outgoing), total)
	}
}

// TestFlushRemovedPeer: a MESSAGE record of a peer that left the group
// before the flush is dropped, as a tick would.
func TestFlushRemovedPeer(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	if _, err := a.Append(g, []byte("x"), t0); err != nil {
		t.Fatal(err)
	}
	a.RemovePeer(g, b.cfg.ID)
	if a.Flush() {
		t.Fatal("flushed to a removed peer")
	}
	if a.Outstanding() != 0 {
		t.Fatalf("outstanding %d", a.Outstanding())
	}
}

// TestFlushAfterRestart: a record persisted before its first send is
// flushed by the restarted node.
func TestFlushAfterRestart(t *testing.T) {
	a, _, g := pair(t, ModeBatch)
	store := NewMemoryStore()
	if err := store.Apply(drain(t, a).Changes); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(g, []byte("x"), t0); err != nil {
		t.Fatal(err)
	}
	if err := store.Apply(drain(t, a).Changes); err != nil {
		t.Fatal(err)
	}
	snap, _ := store.Load()
	n, err := RestartNode(a.Config(), snap)
	if err != nil {
		t.Fatal(err)
	}
	if !n.Flush() {
		t.Fatal("restarted node did not flush the unsent record")
	}
	if rd := drain(t, n); len(rd.Outgoing) != 1 {
		t.Fatalf("Outgoing = %+v", rd.Outgoing)
	}
}
