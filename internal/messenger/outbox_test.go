package messenger_test

import (
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/storage"
)

// A 1:1 message stored (queued) but not yet appended to MVDS when the
// process dies is sent by the next Start, reaches Bob once, in clock
// order, and is acked; no outbox entry is left.
func TestCrashBeforeMVDSResendsOnStart(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	key := newKey(t)
	db := openLevelDB(t, dir)
	alice := h.start(key, db)
	bob := h.newNode()
	ctx := ctxT(t)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	sent, err := alice.SendText(ctx, bob.PublicKey(), "before")
	if err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, alice.PublicKey(), 1)
	stranded, err := alice.StoreTextOnly(bob.PublicKey(), "stranded")
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.Stop(); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openLevelDB(t, dir)
	t.Cleanup(func() { db.Close() })
	alice = h.start(key, db)
	waitDelivery(t, alice, []string{sent, stranded}, messenger.DeliveryAcked)
	after, err := alice.SendText(ctx, bob.PublicKey(), "after")
	if err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, alice, []string{after}, messenger.DeliveryAcked)
	if got, want := texts(t, bob, alice.PublicKey()), []string{"before", "stranded", "after"}; !slices.Equal(got, want) {
		t.Fatalf("bob: %q, want %q", got, want)
	}
	// Sent messages leave no outbox entry (MVDS's first send deletes it).
	n := 0
	if err := storage.NewTable(db, messenger.TableName).Iterate([]byte("o"), nil, func(_, _ []byte) error {
		n++
		return nil
	}); err != nil || n != 0 {
		t.Fatalf("%d outbox entries left, %v", n, err)
	}
}
