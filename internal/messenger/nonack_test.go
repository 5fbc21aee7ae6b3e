package messenger_test

import (
	"crypto/ecdsa"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// bareClient is a 2019 client with data sync off: it posts bare (neither
// MVDS nor encrypted) 1:1 payloads and never ACKs. It listens on its
// partitioned and discovery topics and counts the envelopes on the
// partitioned one: each MVDS send to it posts one there.
type bareClient struct {
	key      *ecdsa.PrivateKey
	received atomic.Int64
}

func newBareClient(t *testing.T, h *harness) *bareClient {
	c := &bareClient{key: newKey(t)}
	ep := h.net.Join(c.key)
	pub := &c.key.PublicKey
	topics := []whisper.Topic{
		whisper.TopicFromName(encryption.PartitionedTopicName(pub)),
		whisper.TopicFromName(encryption.PersonalDiscoveryTopicName(pub)),
		whisper.TopicFromName(encryption.DiscoveryTopicName),
	}
	sub, err := ep.JoinAsymmetric(topics, func(m messenger.ReceivedMessage) {
		if m.Topic == topics[0] {
			c.received.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Unsubscribe)
	return c
}

// say posts a bare 1:1 text to n, unencrypted on n's partitioned topic.
func (c *bareClient) say(t *testing.T, h *harness, n *node, text string, clock int64) {
	raw, err := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypeOneToOne,
		Clock: clock, Timestamp: h.net.Now().UnixMilli(), Content: message.Content{ChatID: n.PublicKey(), Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	partition := whisper.TopicFromName(encryption.PartitionedTopicName(&n.key.PublicKey))
	h.net.Inject(&c.key.PublicKey, messenger.Envelope{Topic: partition, PubKey: &n.key.PublicKey, Payload: raw})
}

func (c *bareClient) hex() string { return message.PubKeyHex(&c.key.PublicKey) }

// waitGivenUp waits until n has no MVDS record left and then checks that
// exactly want envelopes reached c.
func waitGivenUp(t *testing.T, n *node, c *bareClient, want int64) {
	t.Helper()
	waitFor(t, "MVDS gave up", func() bool {
		k, err := messenger.DataSyncOutstanding(ctxT(t), n.Messenger)
		return err == nil && k == 0 && c.received.Load() >= want
	})
	if got := c.received.Load(); got != want {
		t.Fatalf("peer without MVDS got %d envelopes, want %d", got, want)
	}
}

// TestNonACKPeerBoundedSends: to a peer seen sending without MVDS, a 1:1
// message is sent NonACKMaxSends times and then never again; its delivery
// state ends sent, not expired, once every envelope's TTL has passed. The
// knowledge survives a restart: the next message after it is bounded too,
// without the peer writing again.
func TestNonACKPeerBoundedSends(t *testing.T) {
	h := newHarness(t)
	db := storage.NewMemory()
	bobKey := newKey(t)
	bob := h.start(bobKey, db)
	carol := newBareClient(t, h)
	carol.say(t, h, bob, "hello from a client without data sync", 1)
	waitTexts(t, bob, carol.hex(), 1)

	events := bob.Subscribe(1 << 12)
	ctx := ctxT(t)
	id, err := bob.SendText(ctx, carol.hex(), "reply")
	if err != nil {
		t.Fatal(err)
	}
	waitGivenUp(t, bob, carol, 3)
	waitDelivery(t, bob, []string{id}, messenger.DeliverySent)
	// Let every envelope expire; the message stays sent.
	h.net.Advance(time.Minute)
	waitFor(t, "envelope expired", func() bool {
		for {
			select {
			case e := <-events.C():
				if ev, ok := e.(messenger.EnvelopeStateEvent); ok && ev.Kind == messenger.EnvelopeExpired {
					return true
				}
			default:
				return false
			}
		}
	})
	if d, err := bob.DeliveryState(id); err != nil || d.State != messenger.DeliverySent {
		t.Fatalf("delivery state %v (%v), want sent", d, err)
	}

	// Restart bob over the same database: the bound holds without a new
	// message from carol.
	if err := bob.Stop(); err != nil {
		t.Fatal(err)
	}
	bob = h.start(bobKey, db)
	if _, err := bob.SendText(ctx, carol.hex(), "after restart"); err != nil {
		t.Fatal(err)
	}
	waitGivenUp(t, bob, carol, 6)
}

// TestNonACKPeerLimitOverride: NonACKMaxSends sets the bound.
func TestNonACKPeerLimitOverride(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode(func(c *messenger.Config) { c.NonACKMaxSends = 1 })
	carol := newBareClient(t, h)
	carol.say(t, h, bob, "hi", 1)
	waitTexts(t, bob, carol.hex(), 1)
	if _, err := bob.SendText(ctxT(t), carol.hex(), "once"); err != nil {
		t.Fatal(err)
	}
	waitGivenUp(t, bob, carol, 1)
}
