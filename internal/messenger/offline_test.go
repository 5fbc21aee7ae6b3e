package messenger_test

import (
	"slices"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/transporttest"
)

func withRetryWindow(d time.Duration) nodeOpt {
	return func(c *messenger.Config) { c.PublicRetryWindow = d }
}

// stateLog follows the DeliveryEvents of one message on a subscription.
type stateLog struct {
	t      *testing.T
	sub    *messenger.EventSubscription
	id     string
	states []messenger.DeliveryState
}

// until reads events until one satisfies done, recording the message's
// delivery states on the way; it fails after wait.
func (l *stateLog) until(what string, done func(messenger.Event) bool) {
	l.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev, ok := <-l.sub.C():
			if !ok {
				l.t.Fatalf("subscription closed waiting for %s", what)
			}
			if d, isDelivery := ev.(messenger.DeliveryEvent); isDelivery && d.MessageID == l.id {
				l.states = append(l.states, d.State)
			}
			if done(ev) {
				return
			}
		case <-deadline:
			l.t.Fatalf("timed out waiting for %s (states %v)", what, l.states)
		}
	}
}

func (l *stateLog) envelopeExpired() {
	l.t.Helper()
	l.until("its envelope to expire", func(ev messenger.Event) bool {
		e, ok := ev.(messenger.EnvelopeStateEvent)
		return ok && e.Kind == messenger.EnvelopeExpired && slices.Contains(e.MessageIDs, l.id)
	})
}

func (l *stateLog) state(want messenger.DeliveryState) {
	l.t.Helper()
	l.until(want.String(), func(ev messenger.Event) bool {
		d, ok := ev.(messenger.DeliveryEvent)
		return ok && d.MessageID == l.id && d.State == want
	})
}

func mustState(t *testing.T, n *node, id string, want messenger.DeliveryState) {
	t.Helper()
	d, err := n.DeliveryState(id)
	if err != nil || d.State != want {
		t.Fatalf("delivery state %v (%v), want %s", d, err, want)
	}
}

// A public message sent while no peer is connected stays queued after its
// envelope expired unsent, and is delivered, in a fresh envelope, when a
// peer connects 60 s later: queued → sent, never expired.
func TestOfflinePublicSendWaitsForPeer(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	mustJoin(t, "offline", alice, bob)
	h.net.SetOnline(alice.ep, false)
	sub := alice.Subscribe(256)
	defer sub.Unsubscribe()

	id, err := alice.SendText(ctxT(t), "offline", "sent while offline")
	if err != nil {
		t.Fatal(err)
	}
	log := &stateLog{t: t, sub: sub, id: id}
	log.state(messenger.DeliveryQueued)
	h.net.Advance(16 * time.Second) // past the 15 s envelope TTL
	log.envelopeExpired()
	mustState(t, alice, id, messenger.DeliveryQueued)
	h.net.Advance(60 * time.Second)
	if got := texts(t, bob, "offline"); len(got) != 0 {
		t.Fatalf("bob got %q while alice was offline", got)
	}

	h.net.SetOnline(alice.ep, true)
	if got := waitTexts(t, bob, "offline", 1); !slices.Equal(got, []string{"sent while offline"}) {
		t.Fatalf("bob got %q", got)
	}
	log.state(messenger.DeliverySent)
	if want := []messenger.DeliveryState{messenger.DeliveryQueued, messenger.DeliverySent}; !slices.Equal(log.states, want) {
		t.Fatalf("states %v, want %v", log.states, want)
	}
	if st := h.net.Stats(); st.Posted < 2 {
		t.Fatalf("%d envelopes posted, want the first and a fresh one", st.Posted)
	}
	// Sent is final for a public message: its envelope's expiry changes nothing.
	h.net.Advance(16 * time.Second)
	log.envelopeExpired()
	mustState(t, alice, id, messenger.DeliverySent)
}

// A public message that reached no peer expires only once its retry window
// has ended, and is then not sent when a peer connects.
func TestOfflinePublicSendExpiresAfterWindow(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(withRetryWindow(10*time.Minute)), h.newNode()
	mustJoin(t, "offline", alice, bob)
	h.net.SetOnline(alice.ep, false)
	sub := alice.Subscribe(256)
	defer sub.Unsubscribe()
	id, err := alice.SendText(ctxT(t), "offline", "too late")
	if err != nil {
		t.Fatal(err)
	}
	log := &stateLog{t: t, sub: sub, id: id}
	h.net.Advance(16 * time.Second)
	log.envelopeExpired()
	mustState(t, alice, id, messenger.DeliveryQueued)

	h.net.Advance(10 * time.Minute) // the window ends
	h.net.SetOnline(alice.ep, true)
	log.state(messenger.DeliveryExpired)
	if want := []messenger.DeliveryState{messenger.DeliveryQueued, messenger.DeliveryExpired}; !slices.Equal(log.states, want) {
		t.Fatalf("states %v, want %v", log.states, want)
	}
	if got := texts(t, bob, "offline"); len(got) != 0 {
		t.Fatalf("bob got %q after the window", got)
	}
}

// A public message waiting for a peer survives a restart: the new
// messenger over the same database posts the stored payload (same message
// ID) when a peer is there, and the message becomes sent.
func TestOfflinePublicSendSurvivesRestart(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	key := newKey(t)
	db := openLevelDB(t, dir)
	alice := h.start(key, db)
	bob := h.newNode()
	mustJoin(t, "offline", alice, bob)
	h.net.SetOnline(alice.ep, false)
	id, err := alice.SendText(ctxT(t), "offline", "across a restart")
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.Stop(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	h.net.Advance(60 * time.Second) // the first envelope is gone

	db = openLevelDB(t, dir)
	t.Cleanup(func() { db.Close() })
	alice = h.start(key, db) // a new endpoint, online: a peer is there
	if got := waitTexts(t, bob, "offline", 1); !slices.Equal(got, []string{"across a restart"}) {
		t.Fatalf("bob got %q", got)
	}
	waitDelivery(t, alice, []string{id}, messenger.DeliverySent)
	p, err := bob.Messages("offline", "", 10)
	if err != nil || len(p.Messages) != 1 || p.Messages[0].ID != id {
		t.Fatalf("bob's message %+v (%v), want ID %s", p, err, id)
	}
}

// A public message whose envelope expired unsent is re-posted even when
// the Transport's expiry event was lost (a full event channel loses
// events): once a TTL has passed after that envelope's expiry, it is due
// like any other.
func TestOfflinePublicSendSurvivesLostExpiryEvent(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	mustJoin(t, "lost-event", alice, bob)
	h.net.SetOnline(alice.ep, false)
	h.net.SetLoseEvents(func(to *transporttest.Endpoint, ev messenger.EnvelopeEvent) bool {
		return to == alice.ep && ev.Kind == messenger.EnvelopeExpired
	})
	id, err := alice.SendText(ctxT(t), "lost-event", "sent while offline")
	if err != nil {
		t.Fatal(err)
	}
	h.net.Advance(16 * time.Second) // past the 15 s envelope TTL; the event is lost
	h.net.Advance(60 * time.Second)
	mustState(t, alice, id, messenger.DeliveryQueued)
	if st := h.net.Stats(); st.Overflow == 0 {
		t.Fatal("no event was lost")
	}
	h.net.SetOnline(alice.ep, true)
	if got := waitTexts(t, bob, "lost-event", 1); !slices.Equal(got, []string{"sent while offline"}) {
		t.Fatalf("bob got %q", got)
	}
}
