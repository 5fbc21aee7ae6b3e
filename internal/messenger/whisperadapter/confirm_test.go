package whisperadapter

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/transport/whisper"
)

// newRouter starts a bare router (confirmations on, as DefaultConfig) on
// the clock now.
func newRouter(t *testing.T, now func() time.Time) *whisper.Whisper {
	return startRouter(t, now, true)
}

// startRouter starts a bare router on the clock now that asks its peers
// for confirmations (codes 11/12) or not.
func startRouter(t *testing.T, now func() time.Time, confirmations bool) *whisper.Whisper {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := whisper.DefaultConfig()
	cfg.Now, cfg.Confirmations = now, confirmations
	w, err := whisper.New(cfg, key, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Stop() })
	return w
}

// startMessenger runs a messenger over s's adapter on clock c, joined to
// the public chat "status".
func startMessenger(t *testing.T, s *side, c *clock) *messenger.Messenger {
	t.Helper()
	m, err := messenger.New(messenger.Config{Identity: s.key, StorePassword: []byte("pw"), KDFIterations: 1,
		Now: c.Now, Logger: zaptest.NewLogger(t)}, storage.NewMemory(), s.a)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	if _, err := m.JoinPublic("status"); err != nil {
		t.Fatal(err)
	}
	return m
}

func delivery(t *testing.T, m *messenger.Messenger, id string) *messenger.Delivery {
	t.Helper()
	d, err := m.DeliveryState(id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func refusalsOf(d *messenger.Delivery) (refused, acked int) {
	for _, c := range d.Confirmations {
		if c.Refused {
			refused++
		} else {
			acked++
		}
	}
	return refused, acked
}

// TestConfirmationsDriveDelivery: a public message goes first to a router
// whose clock is an hour behind, which refuses it (code 12, "from the
// future"): the refusal is published with its reason and recorded, and the
// message stays queued (a refused envelope is not sent). Then a router
// with the right time connects, receives the same envelope and
// acknowledges it (code 11): the message is sent, with both answers as
// its evidence.
func TestConfirmationsDriveDelivery(t *testing.T) {
	c := &clock{now: time.Now()}
	node := newSide(t, c)
	refuser := newRouter(t, func() time.Time { return c.Now().Add(-time.Hour) })
	acker := newRouter(t, c.Now)
	m := startMessenger(t, node, c)
	events := m.Subscribe(256)
	defer events.Unsubscribe()

	link(t, node.w, refuser)
	id, err := m.Send(context.Background(), "status", messenger.Draft{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	var refusal messenger.EnvelopeStateEvent
	testutil.WaitFor(t, 5*time.Second, "the refusal published", func() bool {
		for {
			select {
			case ev := <-events.C():
				if e, ok := ev.(messenger.EnvelopeStateEvent); ok && e.Kind == messenger.EnvelopeRefused &&
					len(e.MessageIDs) == 1 && e.MessageIDs[0] == id {
					refusal = e
					return true
				}
				if e, ok := ev.(messenger.EnvelopeStateEvent); ok && e.Kind == messenger.EnvelopeSent {
					t.Fatalf("sent reported for an envelope the only peer refused: %+v", e)
				}
			default:
				return false
			}
		}
	})
	if refusal.Reason == "" || refusal.Peer == "" {
		t.Fatalf("refusal without peer or reason: %+v", refusal)
	}
	d := delivery(t, m, id)
	if r, a := refusalsOf(d); d.State != messenger.DeliveryQueued || r != 1 || a != 0 || d.Confirmations[0].Reason != refusal.Reason {
		t.Fatalf("after the refusal: %+v", d)
	}

	// A second router, known to node as enode ID {4} (the refuser is {2}).
	linkAs(t, node.w, acker, 3, 4)
	testutil.WaitFor(t, 5*time.Second, "sent on the acknowledgement", func() bool {
		d = delivery(t, m, id)
		return d.State == messenger.DeliverySent
	})
	if r, a := refusalsOf(d); r != 1 || a != 1 {
		t.Fatalf("confirmations %+v, want the refusal and the acknowledgement", d.Confirmations)
	}
	for _, cf := range d.Confirmations {
		if !cf.Refused && cf.Peer == refusal.Peer {
			t.Fatalf("acknowledged by the refusing peer: %+v", d.Confirmations)
		}
	}
}

// TestRefusedPublicMessageMarked: with only a refusing router, a public
// message is re-posted each time its envelope expires refused, and after
// maxRefusals refusals it is marked expired instead of re-posted for the
// rest of its retry window.
func TestRefusedPublicMessageMarked(t *testing.T) {
	c := &clock{now: time.Now()}
	node := newSide(t, c)
	refuser := newRouter(t, func() time.Time { return c.Now().Add(-time.Hour) })
	m := startMessenger(t, node, c)
	link(t, node.w, refuser)
	id, err := m.Send(context.Background(), "status", messenger.Draft{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		testutil.WaitFor(t, 5*time.Second, "a refusal of each post", func() bool {
			r, _ := refusalsOf(delivery(t, m, id))
			return r >= i
		})
		if d := delivery(t, m, id); d.State != messenger.DeliveryQueued {
			t.Fatalf("after %d refusals: %s", i, d.State)
		}
		c.Add(20 * time.Second) // past the envelope's TTL: the sweeper expires it
	}
	testutil.WaitFor(t, 5*time.Second, "marked expired", func() bool {
		return delivery(t, m, id).State == messenger.DeliveryExpired
	})
	if r, a := refusalsOf(delivery(t, m, id)); r != 6 || a != 0 {
		t.Fatalf("%d refusals, %d acknowledgements; want 6, 0", r, a)
	}
}

// TestMailServerConfirmations: with MailServerConfirmations on, a relay's
// acknowledgement (code 11) of a public message leaves it queued and is not
// recorded; the acknowledgement of a mailserver (enode ID {4}) that
// connects later makes it sent, and is its only evidence.
func TestMailServerConfirmations(t *testing.T) {
	c := &clock{now: time.Now()}
	mailserver := enode.ID{4}
	node := newSide(t, c, func(cfg *Config) {
		cfg.MailServerConfirmations = true
		cfg.IsMailserver = func(id enode.ID) bool { return id == mailserver }
	})
	relay, ms := newRouter(t, c.Now), newRouter(t, c.Now)
	m := startMessenger(t, node, c)
	events := m.Subscribe(256)
	defer events.Unsubscribe()
	acks := node.w.SubscribeEvents(256)
	defer acks.Unsubscribe()

	link(t, node.w, relay) // the relay is {2}
	id, err := m.Send(context.Background(), "status", messenger.Draft{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "the relay's acknowledgement", func() bool {
		for {
			select {
			case ev := <-acks.C():
				if ev.Kind == whisper.EventEnvelopeAcknowledged && ev.Peer == (enode.ID{2}) {
					return true
				}
			default:
				return false
			}
		}
	})

	linkAs(t, node.w, ms, 3, mailserver[0])
	testutil.WaitFor(t, 5*time.Second, "sent on the mailserver's acknowledgement", func() bool {
		return delivery(t, m, id).State == messenger.DeliverySent
	})
	d := delivery(t, m, id)
	if len(d.Confirmations) != 1 || d.Confirmations[0].Refused || d.Confirmations[0].Peer != mailserver.String() {
		t.Fatalf("confirmations %+v, want only the mailserver's acknowledgement", d.Confirmations)
	}
	for {
		select {
		case ev := <-events.C():
			if e, ok := ev.(messenger.EnvelopeStateEvent); ok && e.Peer != "" && e.Peer != mailserver.String() {
				t.Fatalf("envelope event from a peer that is not a mailserver: %+v", e)
			}
		default:
			return
		}
	}
}
