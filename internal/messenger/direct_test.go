package messenger_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/transporttest"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/whisper"
)

func waitDelivery(t *testing.T, n *node, ids []string, state messenger.DeliveryState) {
	t.Helper()
	testutil.WaitFor(t, wait, fmt.Sprintf("%d messages %s", len(ids), state), func() bool {
		for _, id := range ids {
			d, err := n.DeliveryState(id)
			if err != nil || d.State != state {
				return false
			}
		}
		return true
	})
}

// 1:1 both ways through encryption and MVDS; the chat opens on the
// receiving side, messages are attributed and acked.
func TestOneToOneBothWays(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	id1, err := alice.SendText(ctx, bob.PublicKey(), "hi bob")
	if err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, bob, alice.PublicKey(), 1); got[0] != "hi bob" {
		t.Fatalf("bob got %q", got)
	}
	id2, err := bob.SendText(ctx, alice.PublicKey(), "hi alice")
	if err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, alice, bob.PublicKey(), 2); !slices.Equal(got, []string{"hi bob", "hi alice"}) {
		t.Fatalf("alice sees %q", got)
	}
	waitDelivery(t, alice, []string{id1}, messenger.DeliveryAcked)
	waitDelivery(t, bob, []string{id2}, messenger.DeliveryAcked)
	// a few more each way, now on established sessions (and later the
	// negotiated topic)
	for i := 0; i < 3; i++ {
		if _, err := alice.SendText(ctx, bob.PublicKey(), fmt.Sprintf("a%d", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := bob.SendText(ctx, alice.PublicKey(), fmt.Sprintf("b%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	waitTexts(t, alice, bob.PublicKey(), 8)
	waitTexts(t, bob, alice.PublicKey(), 8)
	if d := bob.Dropped(); d["decrypt-failed"]+d["decrypt-device-not-found"]+d["decrypt-no-session"] > 0 {
		t.Fatalf("bob failed to decrypt: %v", d)
	}
}

// Bob is offline while Alice sends 20 messages: they stay queued, expire
// with their envelopes, and once Bob is back MVDS retransmission brings
// all 20 exactly once, in order, and Alice sees each acked.
func TestOneToOneOfflineRecipient(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	events := alice.Subscribe(1 << 14)
	h.net.SetOnline(bob.ep, false)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	var ids, want []string
	for i := 0; i < 20; i++ {
		text := fmt.Sprintf("m%02d", i)
		id, err := alice.SendText(ctx, bob.PublicKey(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids, want = append(ids, id), append(want, text)
	}
	waitDelivery(t, alice, ids, messenger.DeliveryQueued)
	testutil.WaitFor(t, wait, "retransmissions", func() bool { return h.net.Stats().Posted > 5 })
	// Each message expires with the first envelope that carried it; under
	// load the last ones may leave after a first Advance, so move the
	// network clock on until every one has.
	testutil.WaitFor(t, wait, "20 messages expired", func() bool {
		h.net.Advance(time.Minute)
		for _, id := range ids {
			if d, err := alice.DeliveryState(id); err != nil || d.State != messenger.DeliveryExpired {
				return false
			}
		}
		return true
	})

	h.net.SetOnline(bob.ep, true)
	got := waitTexts(t, bob, alice.PublicKey(), 20)
	if !slices.Equal(got, want) {
		t.Fatalf("bob got %q", got)
	}
	waitDelivery(t, alice, ids, messenger.DeliveryAcked)
	if got := texts(t, bob, alice.PublicKey()); len(got) != 20 {
		t.Fatalf("bob shows %d messages", len(got))
	}
	// the event stream told the same story for the first message
	var states []messenger.DeliveryState
	for len(events.C()) > 0 {
		if e, ok := (<-events.C()).(messenger.DeliveryEvent); ok && e.MessageID == ids[0] {
			states = append(states, e.State)
		}
	}
	if len(states) < 3 || states[0] != messenger.DeliveryQueued || !slices.Contains(states, messenger.DeliveryExpired) ||
		states[len(states)-1] != messenger.DeliveryAcked {
		t.Fatalf("delivery events for first message: %v", states)
	}
}

// Over a network that drops 30% of envelope copies and delays the others
// randomly (so they arrive reordered), 1:1 messages both ways still all
// arrive once, in clock order, and are acked.
func TestOneToOneLossyReordering(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	rng := rand.New(rand.NewPCG(1, 2)) // used under the network's lock
	h.net.SetDrop(func(_, _ *transporttest.Endpoint, _ messenger.Envelope) bool { return rng.IntN(10) < 3 })
	h.net.SetDelay(func(_, _ *transporttest.Endpoint) time.Duration {
		return time.Duration(rng.IntN(4000)) * time.Microsecond
	})
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	var ids, want []string
	for i := 0; i < 10; i++ {
		text := fmt.Sprintf("lossy %02d", i)
		id, err := alice.SendText(ctx, bob.PublicKey(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids, want = append(ids, id), append(want, text)
	}
	if got := waitTexts(t, bob, alice.PublicKey(), 10); !slices.Equal(got, want) {
		t.Fatalf("bob got %q", got)
	}
	waitDelivery(t, alice, ids, messenger.DeliveryAcked)
	reply, err := bob.SendText(ctx, alice.PublicKey(), "got them")
	if err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, alice, bob.PublicKey(), 11); got[10] != "got them" {
		t.Fatalf("alice got %q", got)
	}
	waitDelivery(t, bob, []string{reply}, messenger.DeliveryAcked)
	if got := texts(t, bob, alice.PublicKey()); len(got) != 11 {
		t.Fatalf("bob shows %d messages", len(got))
	}
	if h.net.Stats().Dropped == 0 {
		t.Fatal("nothing was dropped")
	}
}

// A cold first message (the sender has never seen the recipient's bundle)
// reaches a recipient that listens only on its partitioned topic, as
// status-protocol-go does, and one that listens only on the generic
// discovery topic, as 2019 clients before partitions did; one that
// listens on both shows it once.
func TestColdFirstMessageTopics(t *testing.T) {
	for _, only := range []string{"partitioned", "discovery", "both"} {
		t.Run(only, func(t *testing.T) {
			h := newHarness(t)
			alice, bob := h.newNode(), h.newNode()
			part := whisper.TopicFromName(encryption.PartitionedTopicName(&bob.key.PublicKey))
			disc := whisper.Topic(encryption.DiscoveryTopic())
			h.net.SetDrop(func(_, to *transporttest.Endpoint, env messenger.Envelope) bool {
				if to != bob.ep || env.PubKey == nil {
					return false // only asymmetric 1:1 envelopes to Bob are filtered
				}
				switch only {
				case "partitioned":
					return env.Topic != part
				case "discovery":
					return env.Topic != disc
				}
				return false
			})
			if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
				t.Fatal(err)
			}
			if _, err := alice.SendText(ctxT(t), bob.PublicKey(), "cold hello"); err != nil {
				t.Fatal(err)
			}
			if got := waitTexts(t, bob, alice.PublicKey(), 1); got[0] != "cold hello" {
				t.Fatalf("bob got %q", got)
			}
			if only == "discovery" {
				return // Bob's bundle says he reads his partition: later messages go there
			}
			if _, err := alice.SendText(ctxT(t), bob.PublicKey(), "second"); err != nil {
				t.Fatal(err)
			}
			if got := waitTexts(t, bob, alice.PublicKey(), 2); !slices.Equal(got, []string{"cold hello", "second"}) {
				t.Fatalf("bob got %q", got)
			}
		})
	}
}
