package messenger_test

import (
	"sync/atomic"
	"testing"
	"time"

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
