package messenger_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/sessions"
)

// wipeSessions deletes every key of the session store in db, as a device
// that lost its encryption state (or restored only its messages) has.
func wipeSessions(t *testing.T, db storage.KV) {
	t.Helper()
	tbl := storage.NewTable(db, sessions.TableName)
	var keys [][]byte
	if err := tbl.Iterate(nil, nil, func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("no session state to wipe")
	}
	for _, k := range keys {
		if err := tbl.Delete(k); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBundleReplyAfterLostSessions: bob loses his session store; alice's
// next message, encrypted on the old session, fails to decrypt at bob, who
// answers with his bundle; alice's MVDS retransmission then builds a new
// session and the message arrives, and both ways work again — without any
// call by either user.
func TestBundleReplyAfterLostSessions(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	bobKey, bobDB := newKey(t), storage.NewMemory()
	bob := h.start(bobKey, bobDB)
	ctx := ctxT(t)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.StartOneToOne(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	id, err := alice.SendText(ctx, bob.PublicKey(), "before")
	if err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, alice, []string{id}, messenger.DeliveryAcked)
	if id, err = bob.SendText(ctx, alice.PublicKey(), "before, back"); err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, bob, []string{id}, messenger.DeliveryAcked)

	if err := bob.Stop(); err != nil {
		t.Fatal(err)
	}
	wipeSessions(t, bobDB)
	bob = h.start(bobKey, bobDB)

	if id, err = alice.SendText(ctx, bob.PublicKey(), "after the wipe"); err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, alice, []string{id}, messenger.DeliveryAcked)
	waitTexts(t, bob, alice.PublicKey(), 2)
	if id, err = bob.SendText(ctx, alice.PublicKey(), "after the wipe, back"); err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, bob, []string{id}, messenger.DeliveryAcked)
	waitTexts(t, alice, bob.PublicKey(), 2)
}

// TestBundleRepublished: the bundle is posted on the contact-code topic at
// Start and again every BundleRepublishInterval.
func TestBundleRepublished(t *testing.T) {
	h := newHarness(t)
	key := newKey(t)
	var posts atomic.Int64
	watcher := h.net.Join(newKey(t))
	name := encryption.ContactCodeTopicName(&key.PublicKey)
	symKey, err := whisper.SymKeyFromPassword(name)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := watcher.JoinSymmetric(whisper.TopicFromName(name), symKey,
		func(messenger.ReceivedMessage) { posts.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Unsubscribe)
	h.start(key, storage.NewMemory(), func(c *messenger.Config) { c.BundleRepublishInterval = 20 * time.Millisecond })
	waitFor(t, "bundle posted at start and re-published twice", func() bool { return posts.Load() >= 3 })
}

// TestBundleReplyRateLimited: a message addressed to none of our
// installations ("device not found") is answered with our bundle, once per
// BundleReplyInterval per sender however many such messages arrive (with
// an interval of 1 ns the same run sees three replies).
func TestBundleReplyRateLimited(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode()
	carol := newKey(t)
	ep := h.net.Join(carol)
	var mu sync.Mutex
	var replies []messenger.ReceivedMessage
	pub := &carol.PublicKey
	topics := []whisper.Topic{
		whisper.TopicFromName(encryption.PartitionedTopicName(pub)),
		whisper.TopicFromName(encryption.PersonalDiscoveryTopicName(pub)),
		whisper.TopicFromName(encryption.DiscoveryTopicName),
	}
	sub, err := ep.JoinAsymmetric(topics, func(m messenger.ReceivedMessage) {
		mu.Lock()
		defer mu.Unlock()
		replies = append(replies, m)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Unsubscribe)
	pm, err := encryption.EncodeProtocolMessage(&encryption.ProtocolMessage{InstallationID: "c1",
		Direct: map[string]*encryption.DirectMessage{"someone-else": {
			DH: &encryption.DHHeader{Key: crypto.CompressPubkey(&newKey(t).PublicKey)}, Payload: []byte("xyz")}}})
	if err != nil {
		t.Fatal(err)
	}
	partition := whisper.TopicFromName(encryption.PartitionedTopicName(&bob.key.PublicKey))
	for i := range 3 { // a minute apart: well within the 10 min interval
		h.net.Inject(pub, messenger.Envelope{Topic: partition, PubKey: &bob.key.PublicKey, Payload: pm})
		waitDropped(t, bob, "decrypt-device-not-found", uint64(i+1))
		h.net.Advance(time.Minute)
	}
	waitFor(t, "a bundle reply", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(replies) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	for _, r := range replies {
		got, err := encryption.DecodeProtocolMessage(r.Payload)
		if err != nil || len(got.Bundles) == 0 {
			t.Fatalf("reply is not a bundle message: %v", err)
		}
		if r.Signer == nil || !r.Signer.Equal(&bob.key.PublicKey) {
			t.Fatal("reply not signed by bob")
		}
	}
	// One reply (posted on each topic of its route), not one per message.
	payloads := map[string]bool{}
	for _, r := range replies {
		payloads[string(r.Payload)] = true
	}
	if len(payloads) != 1 {
		t.Fatalf("%d distinct replies to 3 undecryptable messages, want 1", len(payloads))
	}
}
