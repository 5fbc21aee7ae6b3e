package datasync

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
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
	if got := a.Release([]MessageID{id}, t0); len(got) != 0 || settled(a, id) {
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
	if got := b.Release([]MessageID{id, id}, t0); !slices.Equal(got, []MessageID{id}) {
		t.Fatalf("Release = %v", got)
	}
	rdb := apply(b)
	if !slices.Equal(rdb.Changes.ReleaseMessages, []Released{{ID: id, At: t0.Unix()}}) {
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
	if len(snap.Messages) != 0 || !slices.Equal(snap.Released, []Released{{ID: id, At: t0.Unix()}}) {
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

// TestForgetReleased: released IDs are forgotten oldest first once their
// release time is at or before the cut-off, in memory and in the store
// (a restart does not bring them back); a late copy of a forgotten
// message is then delivered again and ACKed, and one stored again within
// the same Ready is not deleted from the store.
func TestForgetReleased(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	st := NewMemoryStore()
	apply := func() Ready {
		rd := drain(t, b)
		if err := st.Apply(rd.Changes); err != nil {
			t.Fatal(err)
		}
		return rd
	}
	const n = 6
	var ids []MessageID
	var sent []Payload
	for i := range n {
		id, err := a.Append(g, []byte{byte(i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	a.Tick()
	rda := drain(t, a)
	for _, o := range rda.Outgoing {
		sent = append(sent, o.Payload)
	}
	deliverAll(t, rda, a.cfg.ID, b)
	if rd := apply(); len(rd.Deliver) != n {
		t.Fatalf("delivered %d, want %d", len(rd.Deliver), n)
	}
	// Released an hour apart, the later ones first.
	for i := n - 1; i >= 0; i-- {
		at := t0.Add(time.Duration(i) * time.Hour)
		if got := b.Release(ids[i:i+1], at); len(got) != 1 {
			t.Fatalf("Release(%d) = %v", i, got)
		}
	}
	apply()
	if b.ReleasedCount() != n {
		t.Fatalf("ReleasedCount = %d, want %d", b.ReleasedCount(), n)
	}
	if got := b.ForgetReleased(t0.Add(time.Hour - time.Second)); got != 1 {
		t.Fatalf("forgot %d before 1 h, want 1", got)
	}
	if got := b.ForgetReleased(t0.Add(3 * time.Hour)); got != 3 {
		t.Fatalf("forgot %d more at 3 h, want 3", got)
	}
	if b.ReleasedCount() != n-4 || b.HasMessage(ids[3]) || !b.HasMessage(ids[4]) {
		t.Fatalf("after forgetting: %d held, has 3: %v, has 4: %v", b.ReleasedCount(), b.HasMessage(ids[3]), b.HasMessage(ids[4]))
	}
	rd := apply()
	if !slices.Equal(rd.Changes.ForgetMessages, sortedIDs(ids[:4])) {
		t.Fatalf("ForgetMessages = %v, want the first 4", rd.Changes.ForgetMessages)
	}
	snap, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []Released{{ID: ids[4], At: t0.Add(4 * time.Hour).Unix()}, {ID: ids[5], At: t0.Add(5 * time.Hour).Unix()}}
	sortReleased(want)
	if !slices.Equal(snap.Released, want) || !slices.Equal(b.Snapshot().Released, want) {
		t.Fatalf("released after forgetting: store %v, node %v; want %v", snap.Released, b.Snapshot().Released, want)
	}
	r, err := RestartNode(b.cfg, snap)
	if err != nil {
		t.Fatal(err)
	}
	if r.ReleasedCount() != 2 || r.HasMessage(ids[0]) {
		t.Fatal("a restart brought a forgotten ID back")
	}
	if got := r.ForgetReleased(t0.Add(4 * time.Hour)); got != 1 || !r.HasMessage(ids[5]) {
		t.Fatalf("restarted node forgot %d at 4 h, want 1 (the queue is rebuilt by time)", got)
	}

	// The sender retransmits everything: the forgotten ones are new again
	// (delivered and ACKed), the released ones only ACKed.
	b.ForgetReleased(t0.Add(5 * time.Hour)) // all of them now, in the same Ready as the copies
	for _, p := range sent {
		if err := b.Step(a.cfg.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	b.Tick()
	rd = apply()
	if len(rd.Deliver) != n || len(rd.Changes.PutMessages) != n {
		t.Fatalf("late copies: delivered %d, stored %d; want %d", len(rd.Deliver), len(rd.Changes.PutMessages), n)
	}
	if len(rd.Changes.ForgetMessages) != 0 {
		t.Fatalf("IDs stored again in this Ready are also deleted: %v", rd.Changes.ForgetMessages)
	}
	if len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Acks) != n {
		t.Fatalf("late copies not ACKed: %+v", rd.Outgoing)
	}
	if snap, _ := st.Load(); len(snap.Messages) != n || len(snap.Released) != 0 {
		t.Fatalf("store after the late copies: %d bodies, %d released", len(snap.Messages), len(snap.Released))
	}
}

func sortedIDs(ids []MessageID) []MessageID {
	out := slices.Clone(ids)
	sortIDs(out)
	return out
}

// TestForgetReleasedGivesMemoryBack: a node that held many released IDs
// holds none once they are all past the cut-off, and their queue's array
// goes with them (a map or slice never shrinks by itself).
func TestForgetReleasedGivesMemoryBack(t *testing.T) {
	n, err := NewNode(DefaultConfig(simPeerID(1)))
	if err != nil {
		t.Fatal(err)
	}
	const count = 10_000
	ids := make([]MessageID, count)
	for i := range ids {
		m := Message{GroupID: GroupID{1}, Timestamp: t0.Unix(), Body: []byte(fmt.Sprint(i))}
		ids[i] = m.ID()
		n.storeMessage(ids[i], m)
	}
	for i := range ids { // one release a second, in 10 batches
		if i%(count/10) == 0 {
			n.Release(ids[i:i+count/10], t0.Add(time.Duration(i)*time.Second))
		}
	}
	if n.ReleasedCount() != count {
		t.Fatalf("%d released, want %d", n.ReleasedCount(), count)
	}
	if got := n.ForgetReleased(t0.Add(count * time.Second)); got != count || n.ReleasedCount() != 0 {
		t.Fatalf("forgot %d, %d left; want all %d", got, n.ReleasedCount(), count)
	}
	if c := cap(n.releasedQ); c > count/4 {
		t.Fatalf("the time queue kept an array of %d after every ID went", c)
	}
	if rd := n.Ready(); len(rd.Changes.ForgetMessages) != count {
		t.Fatalf("Changes forget %d IDs, want %d", len(rd.Changes.ForgetMessages), count)
	}
}
