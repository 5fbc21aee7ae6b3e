package datasync

import (
	"errors"
	"slices"
	"testing"
)

// TestRelease: a message keeps its body while a record needs it; once
// released, only its ID stays — a copy received again is acknowledged but
// not delivered, a duplicate Append is refused, Recent and Resend skip it,
// and a node restarted from the persisted state knows the ID too.
func TestRelease(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	st := NewMemoryStore()
	apply := func(n *Node) Ready {
		rd := drain(t, n)
		if err := st.Apply(rd.Changes); err != nil {
			t.Fatal(err)
		}
		return rd
	}
	id, err := a.Append(g, []byte("hello"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Release([]MessageID{id}); len(got) != 0 || settled(a, id) {
		t.Fatalf("released %v with a MESSAGE record outstanding", got)
	}
	a.Tick()
	rd := drain(t, a)
	deliverAll(t, rd, a.cfg.ID, b)
	if rdb := apply(b); len(rdb.Deliver) != 1 {
		t.Fatalf("receiver Ready = %+v", rdb)
	}
	if !settled(b, id) {
		t.Fatal("received message not settled")
	}
	if got := b.Release([]MessageID{id, id}); !slices.Equal(got, []MessageID{id}) {
		t.Fatalf("Release = %v", got)
	}
	rdb := apply(b)
	if !slices.Equal(rdb.Changes.ReleaseMessages, []MessageID{id}) {
		t.Fatalf("release Changes = %+v", rdb.Changes)
	}
	if !b.HasMessage(id) || settled(b, id) || len(b.Recent(g, 0, -1)) != 0 {
		t.Fatal("released message: want known, not settled, not recent")
	}
	if n := b.Resend(a.cfg.ID, []MessageID{id}); n != 0 {
		t.Fatalf("Resend of a released message queued %d", n)
	}

	// The sender retransmits (its ACK was lost): acknowledged, not delivered.
	b.Tick()
	drain(t, b) // the ACK, lost
	for i := 0; i < 3 && a.Outstanding() > 0; i++ {
		a.Tick()
		deliverAll(t, drain(t, a), a.cfg.ID, b)
	}
	b.Tick()
	rdb = apply(b)
	if len(rdb.Deliver) != 0 || len(rdb.Outgoing) != 1 || len(rdb.Outgoing[0].Payload.Acks) == 0 {
		t.Fatalf("retransmission after release: %+v", rdb)
	}

	snap, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Messages) != 0 || !slices.Equal(snap.Released, []MessageID{id}) {
		t.Fatalf("stored snapshot: %d messages, released %v", len(snap.Messages), snap.Released)
	}
	r, err := RestartNode(b.cfg, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !r.HasMessage(id) || !slices.Equal(r.Snapshot().Released, snap.Released) {
		t.Fatal("restarted node forgot the released ID")
	}
	if _, err := r.Append(g, []byte("hello"), t0); !errors.Is(err, ErrDuplicateMessage) {
		t.Fatalf("Append of a released message: %v", err)
	}
}

func settled(n *Node, id MessageID) bool {
	_, _, ok := n.Settled(id)
	return ok
}
