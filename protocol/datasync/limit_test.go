package datasync

import (
	"slices"
	"testing"
)

// sendsTo runs ticks ticks on n, dropping every payload, and counts the
// copies of id sent to p.
func sendsTo(t *testing.T, n *Node, p PeerID, id MessageID, ticks int) int {
	t.Helper()
	copies := 0
	for range ticks {
		n.Tick()
		for _, o := range drain(t, n).Outgoing {
			for _, m := range o.Payload.Messages {
				if o.To == p && m.ID() == id {
					copies++
				}
			}
		}
	}
	return copies
}

// A peer that never ACKs gets exactly the bounded number of copies once a
// limit is set, and the record is gone afterwards; without a limit it keeps
// getting copies.
func TestSendLimitBoundsRetransmission(t *testing.T) {
	for _, tc := range []struct {
		limit uint64
		want  int
	}{{limit: 1, want: 1}, {limit: 3, want: 3}} {
		a, b, g := pair(t, ModeBatch)
		a.SetSendLimit(b.cfg.ID, tc.limit)
		id, err := a.Append(g, []byte("hello"), t0)
		if err != nil {
			t.Fatal(err)
		}
		if got := sendsTo(t, a, b.cfg.ID, id, 2000); got != tc.want {
			t.Errorf("limit %d: %d copies, want %d", tc.limit, got, tc.want)
		}
		if a.nrecords != 0 {
			t.Errorf("limit %d: %d records left", tc.limit, a.nrecords)
		}
	}
	a, b, g := pair(t, ModeBatch)
	id, err := a.Append(g, []byte("hello"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sendsTo(t, a, b.cfg.ID, id, 2000); got <= 3 {
		t.Errorf("no limit: %d copies in 2000 ticks, want retransmission to go on", got)
	}
}

// Flush counts as a send; lowering the limit under the sends made so far
// drops the record at its next due send without another copy; an ACK still
// clears a record within the bound; a limit of 0 removes the bound.
func TestSendLimitFlushLowerAndClear(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	a.SetSendLimit(b.cfg.ID, 1)
	id, err := a.Append(g, []byte("flushed"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Flush() {
		t.Fatal("Flush sent nothing")
	}
	drain(t, a)
	if got := sendsTo(t, a, b.cfg.ID, id, 500); got != 0 {
		t.Errorf("after a flushed send with limit 1: %d more copies", got)
	}

	a, b, g = pair(t, ModeBatch)
	id, err = a.Append(g, []byte("lowered"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sendsTo(t, a, b.cfg.ID, id, 10); got < 2 {
		t.Fatalf("%d copies in 10 ticks, want ≥ 2", got)
	}
	a.SetSendLimit(b.cfg.ID, 1)
	if got := sendsTo(t, a, b.cfg.ID, id, 500); got != 0 {
		t.Errorf("after lowering the limit: %d more copies", got)
	}

	a, b, g = pair(t, ModeBatch)
	a.SetSendLimit(b.cfg.ID, 3)
	a.SetSendLimit(b.cfg.ID, 0)
	if a.SendLimit(b.cfg.ID) != 0 {
		t.Fatal("limit 0 did not clear the bound")
	}
	id, err = a.Append(g, []byte("unbounded"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sendsTo(t, a, b.cfg.ID, id, 2000); got <= 3 {
		t.Errorf("cleared limit: %d copies", got)
	}

	a, b, g = pair(t, ModeBatch)
	a.SetSendLimit(b.cfg.ID, 3)
	if _, err := a.Append(g, []byte("acked"), t0); err != nil {
		t.Fatal(err)
	}
	a.Tick()
	deliverAll(t, drain(t, a), a.cfg.ID, b)
	drain(t, b)
	b.Tick()
	deliverAll(t, drain(t, b), b.cfg.ID, a)
	drain(t, a)
	if a.nrecords != 0 {
		t.Errorf("%d records left after the ACK", a.nrecords)
	}
}

// sendTicks runs ticks ticks on n, dropping every payload, and returns the
// epochs at which id was sent to p.
func sendTicks(t *testing.T, n *Node, p PeerID, id MessageID, ticks int) []uint64 {
	t.Helper()
	var at []uint64
	for range ticks {
		n.Tick()
		for _, o := range drain(t, n).Outgoing {
			for _, m := range o.Payload.Messages {
				if o.To == p && m.ID() == id {
					at = append(at, n.Epoch())
				}
			}
		}
	}
	return at
}

// A per-peer initial back-off moves the first retransmission and doubles
// from there; 0 restores the configured one; values above MaxBackoff are
// capped.
func TestSetInitialBackoff(t *testing.T) {
	for _, tc := range []struct {
		set  uint64
		want []uint64
	}{
		{set: 0, want: []uint64{1, 3, 7, 15}},   // Config: 2, 4, 8
		{set: 7, want: []uint64{1, 8, 22, 50}},  // 7, 14, 28
		{set: 500, want: []uint64{1, 201, 401}}, // capped at MaxBackoff 200
	} {
		a, b, g := pair(t, ModeBatch)
		a.SetInitialBackoff(b.cfg.ID, 9)
		a.SetInitialBackoff(b.cfg.ID, tc.set)
		id, err := a.Append(g, []byte("x"), t0)
		if err != nil {
			t.Fatal(err)
		}
		got := sendTicks(t, a, b.cfg.ID, id, int(tc.want[len(tc.want)-1]))
		if !slices.Equal(got, tc.want) {
			t.Errorf("initial back-off %d: sends at %v, want %v", tc.set, got, tc.want)
		}
	}
}

// Sends the transport failed (NotSent) do not spend the bound: after any
// number of them the peer still gets limit copies that left, then none.
// Without a bound NotSent changes nothing.
func TestNotSentKeepsTheBound(t *testing.T) {
	for _, limit := range []uint64{1, 3} {
		a, b, g := pair(t, ModeBatch)
		a.SetSendLimit(b.cfg.ID, limit)
		id, err := a.Append(g, []byte("hello"), t0)
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for range 500 {
			a.Tick()
			for _, o := range drain(t, a).Outgoing {
				var ids []MessageID
				for _, m := range o.Payload.Messages {
					ids = append(ids, m.ID())
				}
				if o.To == b.cfg.ID && slices.Contains(ids, id) {
					failed++
					a.NotSent(o.To, ids)
				}
			}
		}
		if failed <= int(limit) {
			t.Fatalf("limit %d: only %d failed sends", limit, failed)
		}
		if got := sendsTo(t, a, b.cfg.ID, id, 2000); got != int(limit) {
			t.Errorf("limit %d: %d copies after %d failed sends, want %d", limit, got, failed, limit)
		}
		if a.nrecords != 0 {
			t.Errorf("limit %d: %d records left", limit, a.nrecords)
		}
	}
	a, b, g := pair(t, ModeBatch)
	id, err := a.Append(g, []byte("hello"), t0)
	if err != nil {
		t.Fatal(err)
	}
	a.Tick()
	drain(t, a)
	before := *a.record(RecordKey{Message: id, Peer: b.cfg.ID})
	a.NotSent(b.cfg.ID, []MessageID{id})
	if after := *a.record(RecordKey{Message: id, Peer: b.cfg.ID}); after != before {
		t.Errorf("no limit: record %+v became %+v", before, after)
	}
}
