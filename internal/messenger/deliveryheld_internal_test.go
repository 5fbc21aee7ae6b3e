package messenger

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/metrics"
	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// spellEvents counts the StoreFailedEvents and StoreRecoveredEvents of
// the records in evs and returns the first of each.
func spellEvents(evs []Event) (failed int, f StoreFailedEvent, recovered int, r StoreRecoveredEvent) {
	for _, ev := range evs {
		switch e := ev.(type) {
		case StoreFailedEvent:
			if e.Store == StoreRecords {
				if failed == 0 {
					f = e
				}
				failed++
			}
		case StoreRecoveredEvent:
			if e.Store == StoreRecords {
				if recovered == 0 {
					r = e
				}
				recovered++
			}
		}
	}
	return failed, f, recovered, r
}

// wantHeld checks that evs began one spell of the records with waiting
// inputs held, and published no delivery state.
func wantHeld(t *testing.T, evs []Event, waiting int) {
	t.Helper()
	failed, f, recovered, _ := spellEvents(evs)
	if failed != 1 || recovered != 0 || f.Waiting != waiting || f.Error == "" {
		t.Fatalf("events %+v, want one StoreFailedEvent of %q with %d waiting", evs, StoreRecords, waiting)
	}
	if got := deliveryEvents(evs); len(got) != 0 {
		t.Fatalf("delivery states published while their reads fail: %v", got)
	}
}

// wantRecovered waits for the end of the spell and checks the delivery
// states it published, its tries and that the stored state is want.
func (p *pendRig) wantRecovered(t *testing.T, tries int, want DeliveryState, states ...DeliveryState) {
	t.Helper()
	evs := p.waitRecovered(t)
	failed, _, recovered, r := spellEvents(evs)
	if failed != 0 || recovered != 1 || r.Tries != tries {
		t.Fatalf("spell events %+v, want one StoreRecoveredEvent after %d tries", evs, tries)
	}
	if got := deliveryEvents(evs); fmt.Sprint(got) != fmt.Sprint(states) {
		t.Fatalf("delivery events %v, want %v", got, states)
	}
	if s := p.state(t); s != want {
		t.Fatalf("stored state %s, want %s", s, want)
	}
	if evs := p.events(); len(evs) != 0 {
		t.Fatalf("events after the recovery: %+v", evs)
	}
}

// posted maps the message and registers the envelope that carries it,
// whose hash it returns, while the store works.
func (p *pendRig) posted(t *testing.T) EnvelopeHash {
	t.Helper()
	p.send(t)
	h := EnvelopeHash{9}
	p.r.c.dl.envelopePosted(h, []string{p.out.id})
	return h
}

// sent maps the message, registers its envelope and applies its
// EnvelopeSent, all while the store works.
func (p *pendRig) sent(t *testing.T) {
	t.Helper()
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: p.posted(t), Kind: EnvelopeSent})
	if got := deliveryEvents(p.events()); len(got) != 1 || got[0] != DeliverySent {
		t.Fatalf("delivery events %v, want sent", got)
	}
}

// An ACK that arrives while the mapping reads fail is held, not dropped:
// once reads succeed again the message ends acked, published once, and
// the spell is one StoreFailedEvent and one StoreRecoveredEvent.
func TestAckReadFailureHeld(t *testing.T) {
	p := newPendRig(t)
	p.sent(t)
	p.kv.failReads(true)
	p.r.c.dl.onAcks(p.peer, "inst", []mvds.MessageID{p.mvds})
	wantHeld(t, p.events(), 1)
	p.retry(t, true)
	p.kv.failReads(false)
	if s := p.state(t); s != DeliverySent {
		t.Fatalf("stored state %s while the ACK is held, want sent", s)
	}
	p.retry(t, false)
	p.wantRecovered(t, 2, DeliveryAcked, DeliveryAcked)
	d, err := p.r.c.st.delivery(p.out.id)
	if err != nil || !d.Recipients[p.peer] || len(d.AckedBy) != 1 {
		t.Fatalf("stored record %+v, %v; want acked once by %s", d, err, short(p.peer))
	}
}

// An envelope's EnvelopeSent that arrives while the delivery record's
// reads fail is held: the message ends sent. Its EnvelopeStateEvent is
// published when it arrives.
func TestEnvelopeReadFailureHeld(t *testing.T) {
	p := newPendRig(t)
	h := p.posted(t)
	p.kv.failReads(true)
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	evs := p.events()
	wantHeld(t, evs, 1)
	if e, ok := evs[len(evs)-1].(EnvelopeStateEvent); !ok || e.Kind != EnvelopeSent {
		t.Fatalf("events %+v, want the EnvelopeStateEvent last", evs)
	}
	p.kv.failReads(false)
	p.retry(t, false)
	p.wantRecovered(t, 1, DeliverySent, DeliverySent)
}

// A held input is dated when it came, not when a retry applies it: an
// envelope's acknowledgement held by failed reads records its arrival
// time as the confirmation's At and the state's UpdatedAt.
func TestHeldInputDatedOnArrival(t *testing.T) {
	p := newPendRig(t)
	h := p.posted(t)
	var nowMilli atomic.Int64
	nowMilli.Store(1_000_000)
	p.r.c.dl.now = func() time.Time { return time.UnixMilli(nowMilli.Load()) }
	p.kv.failReads(true)
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeAcknowledged, Peer: "relay"})
	wantHeld(t, p.events(), 1)
	nowMilli.Store(2_000_000) // the store comes back a while later
	p.kv.failReads(false)
	p.retry(t, false)
	p.wantRecovered(t, 1, DeliverySent, DeliverySent)
	d, err := p.r.c.st.delivery(p.out.id)
	if err != nil || len(d.Confirmations) != 1 {
		t.Fatalf("stored record %+v, %v; want one confirmation", d, err)
	}
	if d.Confirmations[0].At != 1_000_000 || d.UpdatedAt != 1_000_000 {
		t.Fatalf("confirmation at %d, state updated at %d; want both at its arrival, 1000000",
			d.Confirmations[0].At, d.UpdatedAt)
	}
}

// When the look-up of whether the message still exists fails (deliveryTx
// set), the change is held, not taken for a deleted message's.
func TestSetHasFailureKeepsState(t *testing.T) {
	p := newPendRig(t)
	h := p.posted(t)
	p.kv.failHas.Store(true)
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	wantHeld(t, p.events(), 1)
	if s := p.state(t); s != DeliveryQueued {
		t.Fatalf("stored state %s while the look-up fails, want queued", s)
	}
	p.retry(t, true)
	p.kv.failHas.Store(false)
	p.retry(t, false)
	p.wantRecovered(t, 2, DeliverySent, DeliverySent)
}

// Inputs arriving while an older one is held wait behind it, even when
// their reads would succeed: an envelope's EnvelopeSent held, then its
// EnvelopeExpired arriving with reads back, ends expired (not sent over
// expired), each state published once, in order.
func TestHeldInputNotOvertaken(t *testing.T) {
	p := newPendRig(t)
	h := p.posted(t)
	p.kv.failReads(true)
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	wantHeld(t, p.events(), 1)
	p.kv.failReads(false)
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeExpired})
	if got := deliveryEvents(p.events()); len(got) != 0 {
		t.Fatalf("delivery states %v published ahead of the held input", got)
	}
	if s := p.state(t); s != DeliveryQueued {
		t.Fatalf("stored state %s, want queued until the held input is applied", s)
	}
	p.retry(t, false)
	p.wantRecovered(t, 1, DeliveryExpired, DeliverySent, DeliveryExpired)
}

// A spell with failed reads and failed writes together (held inputs, a
// kept mapping, the held inputs' own writes) publishes one
// StoreFailedEvent and one StoreRecoveredEvent; everything lands.
func TestReadAndWriteFailuresOneSpell(t *testing.T) {
	p := newPendRig(t)
	h := p.posted(t)
	second, _, err := p.book.storeDraft(p.peer, Draft{Text: "second"})
	if err != nil {
		t.Fatal(err)
	}
	p.kv.failReads(true)
	p.kv.fail = func(int) bool { return true }
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	p.r.c.dl.onAcks(p.peer, "inst", []mvds.MessageID{p.mvds})
	mvds2 := mvds.MessageID{4, 5, 6}
	p.r.c.dl.mapOutgoing(p.r.c.self, []mvds.Message{{Body: second.body}}, []mvds.MessageID{mvds2})
	wantHeld(t, p.events(), 1)
	p.retry(t, true) // reads and writes fail
	p.kv.failReads(false)
	p.retry(t, true) // writes fail: the held inputs wait behind the kept mapping
	if got := p.events(); len(got) != 0 {
		t.Fatalf("events while the writes fail: %+v", got)
	}
	p.kv.fail = nil
	p.retry(t, false)
	p.wantRecovered(t, 3, DeliveryAcked, DeliverySent, DeliveryAcked)
	if id, ok, err := p.r.c.st.statusIDOf(mvds2); err != nil || !ok || id != second.id {
		t.Fatalf("stored mapping %q %v %v", id, ok, err)
	}
}

// At Stop the held inputs get a last try.
func TestHeldInputsTriedAtStop(t *testing.T) {
	p := newPendRig(t)
	p.sent(t)
	p.kv.failReads(true)
	p.r.c.dl.onAcks(p.peer, "inst", []mvds.MessageID{p.mvds})
	wantHeld(t, p.events(), 1)
	p.kv.failReads(false)
	p.stop()
	p.wantRecovered(t, 1, DeliveryAcked, DeliveryAcked)
}

// Past maxHeldInputs the oldest held input is dropped and counted.
func TestHeldInputsBounded(t *testing.T) {
	p := newPendRig(t)
	reg := metrics.NewRegistry()
	dl := p.r.c.dl
	dl.dropped = reg.Counter("dropped", "test")
	p.kv.failReads(true)
	for i := range maxHeldInputs + 1 {
		dl.expire(fmt.Sprint("m", i))
	}
	wantHeld(t, p.events(), 1)
	dl.mu.Lock()
	n, first := len(dl.held), dl.held[0].ids[0]
	dl.mu.Unlock()
	if n != maxHeldInputs || first != "m1" || dl.dropped.Value() != 1 {
		t.Fatalf("held %d from %s, %v dropped; want %d from m1, 1 dropped", n, first, dl.dropped.Value(), maxHeldInputs)
	}
	// The drop is told with the spell's end, through the API's events.
	p.kv.failReads(false)
	p.retry(t, false)
	_, _, recovered, r := spellEvents(p.waitRecovered(t))
	if recovered != 1 || r.Lost != 1 {
		t.Fatalf("%d StoreRecoveredEvents, the first %+v; want one with Lost 1", recovered, r)
	}
}

// A public message due for a re-post whose delivery record cannot be
// read stays due, and is posted by a later pass once reads succeed.
func TestPublicRetryReadFailureStaysDue(t *testing.T) {
	p := newPendRig(t)
	out, _, err := p.book.storeDraft("status", Draft{Text: "hello all"})
	if err != nil {
		t.Fatal(err)
	}
	subs := newSubscriptions(p.r.c, newInboundQueue(1, make(chan struct{}), nil))
	pub := newPublicChats(p.r.c, p.book, subs)
	pub.requeue([]string{out.id})
	p.kv.failGets.Store(true)
	pub.retry(context.Background(), false)
	p.kv.failGets.Store(false)
	pub.mu.Lock()
	due := pub.due[out.id]
	pub.mu.Unlock()
	if !due || len(p.r.tr.posts) != 0 {
		t.Fatalf("after a pass with failing reads: due %v, %d posted; want due, none posted", due, len(p.r.tr.posts))
	}
	pub.retry(context.Background(), false)
	if len(p.r.tr.posts) != 1 {
		t.Fatalf("%d posted once reads succeed, want 1", len(p.r.tr.posts))
	}
}

// The end of a public message's retry window, met while reads fail, is
// held: the message ends expired.
func TestExpiryReadFailureHeld(t *testing.T) {
	p := newPendRig(t)
	out, _, err := p.book.storeDraft("status", Draft{Text: "hello all"})
	if err != nil {
		t.Fatal(err)
	}
	p.out = out // state reads this message
	p.kv.failReads(true)
	p.r.c.dl.expire(out.id)
	wantHeld(t, p.events(), 1)
	p.kv.failReads(false)
	if s := p.state(t); s != DeliveryQueued {
		t.Fatalf("stored state %s while the expiry is held, want queued", s)
	}
	p.retry(t, false)
	p.wantRecovered(t, 1, DeliveryExpired, DeliveryExpired)
}
