package messenger_test

import (
	"slices"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/storage"
)

// TestStaleInstallationPruned: bob loses his keys and comes back as a new
// installation; alice then knows two of his. Once the old one has gone
// unseen for more than StaleInstallationAge while the new one was seen,
// alice drops it at her next start, and her messages still reach bob.
func TestStaleInstallationPruned(t *testing.T) {
	h := newHarness(t)
	aliceKey, aliceDB := newKey(t), storage.NewMemory()
	alice := h.start(aliceKey, aliceDB)
	bobKey, bobDB := newKey(t), storage.NewMemory()
	bob := h.start(bobKey, bobDB)
	ctx := ctxT(t)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.StartOneToOne(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	id, err := bob.SendText(ctx, alice.PublicKey(), "from the first installation")
	if err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, bob, []string{id}, messenger.DeliveryAcked)
	old, err := messenger.PeerInstallations(alice.Messenger, &bobKey.PublicKey)
	if err != nil || len(old) != 1 {
		t.Fatalf("alice knows %v of bob's installations, %v", old, err)
	}

	if err := bob.Stop(); err != nil {
		t.Fatal(err)
	}
	wipeSessions(t, bobDB)
	h.net.Advance(encryption.StaleInstallationAge + time.Hour)
	bob = h.start(bobKey, bobDB)
	if id, err = bob.SendText(ctx, alice.PublicKey(), "from the new installation"); err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, bob, []string{id}, messenger.DeliveryAcked)
	both, err := messenger.PeerInstallations(alice.Messenger, &bobKey.PublicKey)
	if err != nil || len(both) != 2 || !slices.Contains(both, old[0]) {
		t.Fatalf("alice knows %v of bob's installations before the prune, %v", both, err)
	}

	if err := alice.Stop(); err != nil {
		t.Fatal(err)
	}
	alice = h.start(aliceKey, aliceDB)
	waitFor(t, "the stale installation pruned at start", func() bool {
		ids, err := messenger.PeerInstallations(alice.Messenger, &bobKey.PublicKey)
		return err == nil && len(ids) == 1 && ids[0] != old[0]
	})
	if id, err = alice.SendText(ctx, bob.PublicKey(), "to the new installation"); err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, alice, []string{id}, messenger.DeliveryAcked)
	waitTexts(t, bob, alice.PublicKey(), 1)
}
