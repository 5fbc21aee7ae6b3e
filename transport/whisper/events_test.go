package whisper

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// nextEvent waits for the next event of kind on s, skipping others.
func nextEvent(t *testing.T, s *EventSubscription, kind EventKind) Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-s.C():
			if !ok {
				t.Fatalf("subscription closed waiting for %v", kind)
			}
			if ev.Kind == kind {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %v event", kind)
		}
	}
}

// TestEventsLocalEnvelope: a locally sent envelope is reported sent when a
// peer receives it and expired once the sweeper drops it; an envelope that
// arrived from a peer is reported neither way; peers are reported added and
// dropped; Stop closes the subscription.
func TestEventsLocalEnvelope(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	a := newTestWhisper(t, func(c *Config) { c.Now = clock.Now })
	b := newTestWhisper(t, func(c *Config) { c.Now = clock.Now })
	sub := a.SubscribeEvents(16)
	cut := link(t, a.Whisper, b.Whisper)
	nextEvent(t, sub, EventPeerAdded)

	h, err := a.Send(sealed(t, testKey(t), wproto.TopicFromName("x"), []byte("mine"), clock.Now(), 0.002))
	if err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, sub, EventEnvelopeSent); ev.Hash != h {
		t.Fatalf("sent %x, want %x", ev.Hash, h)
	}
	theirs, err := b.Send(sealed(t, testKey(t), wproto.TopicFromName("y"), []byte("theirs"), clock.Now(), 0.002))
	if err != nil {
		t.Fatal(err)
	}
	waitPooled(t, a, theirs)

	clock.Add(51 * time.Second)
	a.sweep()
	if ev := nextEvent(t, sub, EventEnvelopeExpired); ev.Hash != h {
		t.Fatalf("expired %x, want %x", ev.Hash, h)
	}
	cut()
	nextEvent(t, sub, EventPeerDropped)
	select {
	case ev := <-sub.C():
		t.Fatalf("unexpected event %+v (the peer's envelope is not ours)", ev)
	default:
	}
	a.Stop()
	if _, ok := <-sub.C(); ok {
		t.Fatal("subscription not closed by Stop")
	}
	if late := a.SubscribeEvents(0); late != nil {
		if _, ok := <-late.C(); ok {
			t.Fatal("subscription after Stop is open")
		}
	}
}

// TestEventsSubscriberNeverBlocks: a full subscriber loses events (counted)
// without stalling the router; Unsubscribe is idempotent.
func TestEventsSubscriberNeverBlocks(t *testing.T) {
	w := newTestWhisper(t, nil)
	sub := w.SubscribeEvents(1)
	for range 3 {
		w.events.Publish(Event{Kind: EventPeerAdded})
	}
	if sub.Dropped() != 2 {
		t.Fatalf("dropped %d, want 2", sub.Dropped())
	}
	sub.Unsubscribe()
	sub.Unsubscribe()
	if EventEnvelopeSent.String() != "envelope.sent" || EventKind(99).String() != "unknown" {
		t.Fatal("EventKind.String")
	}
}

func waitPooled(t *testing.T, w *testNode, h common.Hash) {
	t.Helper()
	testutil.WaitFor(t, 5*time.Second, "envelope from peer pooled", func() bool { return w.pool.has(h) })
}

// TestEventQueueLossless: a queue subscriber that does not read loses
// nothing while a bounded subscriber beside it drops; Stop closes the
// queue, whose events can still be drained.
func TestEventQueueLossless(t *testing.T) {
	w := newTestWhisper(t, nil)
	q := w.SubscribeEventQueue()
	sub := w.SubscribeEvents(1)
	const n = 5000
	for i := range n {
		w.events.Publish(Event{Kind: EventEnvelopeExpired, Hash: common.Hash{byte(i), byte(i >> 8)}})
	}
	if sub.Dropped() != n-1 || q.Len() != n {
		t.Fatalf("bounded dropped %d, queue holds %d", sub.Dropped(), q.Len())
	}
	w.Stop()
	if _, ok := <-q.Ready(); !ok {
		t.Fatal("no signal for the queued events")
	}
	if _, ok := <-q.Ready(); ok {
		t.Fatal("queue not closed by Stop")
	}
	evs, open := q.Drain(nil)
	if !open || len(evs) != n || evs[n-1].Hash != (common.Hash{(n - 1) & 0xff, (n - 1) >> 8}) {
		t.Fatalf("drained %d (open %v)", len(evs), open)
	}
	if late := w.SubscribeEventQueue(); late.Len() != 0 {
		t.Fatal("queue after Stop holds events")
	}
}
