package datasync

import (
	"testing"
	"time"
)

// TestResendAfterAck: messages a peer acknowledged are sent to it again
// after Resend, until it acknowledges them again; the receiver, which has
// them, acknowledges without delivering them twice. Recent picks them by
// group and time, newest limit kept.
func TestResendAfterAck(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	var ids []MessageID
	for i, body := range []string{"old", "one", "two", "three"} {
		id, err := a.Append(g, []byte(body), t0.Add(time.Duration(i)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	exchange := func() (sent, delivered int) {
		drain(t, a)
		a.Tick()
		rd := drain(t, a)
		for _, o := range rd.Outgoing {
			sent += len(o.Payload.Messages)
		}
		deliverAll(t, rd, a.cfg.ID, b)
		delivered = len(drain(t, b).Deliver)
		b.Tick()
		deliverAll(t, drain(t, b), b.cfg.ID, a)
		drain(t, a)
		return sent, delivered
	}
	if sent, got := exchange(); sent != 4 || got != 4 || a.Outstanding() != 0 {
		t.Fatalf("first exchange: %d sent, %d delivered, %d outstanding", sent, got, a.Outstanding())
	}
	recent := a.Recent(g, t0.Add(time.Hour).Unix(), 2)
	if len(recent) != 2 || string(recent[0].Body) != "two" || string(recent[1].Body) != "three" {
		t.Fatalf("Recent = %+v", recent)
	}
	if got := a.Recent(GroupID{1}, 0, 10); len(got) != 0 {
		t.Fatalf("Recent of another group = %+v", got)
	}
	if n := a.Resend(simPeerID(9), ids); n != 0 {
		t.Fatalf("Resend to a non-member queued %d", n)
	}
	if n := a.Resend(b.cfg.ID, ids[1:]); n != 3 || a.Outstanding() != 3 {
		t.Fatalf("Resend queued %d, outstanding %d", n, a.Outstanding())
	}
	// Sent in the next Ready, without waiting for a tick.
	rd := drain(t, a)
	if len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Messages) != 3 || len(rd.Changes.PutRecords) != 3 {
		t.Fatalf("Resend Ready = %+v", rd)
	}
	deliverAll(t, rd, a.cfg.ID, b)
	if got := len(drain(t, b).Deliver); got != 0 {
		t.Fatalf("b delivered %d messages twice", got)
	}
	b.Tick()
	deliverAll(t, drain(t, b), b.cfg.ID, a)
	drain(t, a)
	if a.Outstanding() != 0 {
		t.Fatalf("outstanding after the ACKs = %d", a.Outstanding())
	}
}
