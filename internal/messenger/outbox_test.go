package messenger_test

import (
	"crypto/ecdsa"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
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
	bob, sent, stranded := strandedAtStop(t, h, key, db, "before", "stranded")
	db.Close()

	db = openLevelDB(t, dir)
	t.Cleanup(func() { db.Close() })
	alice := h.start(key, db)
	waitDelivery(t, alice, []string{sent, stranded[0]}, messenger.DeliveryAcked)
	after, err := alice.SendText(ctxT(t), bob.PublicKey(), "after")
	if err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, alice, []string{after}, messenger.DeliveryAcked)
	if got, want := texts(t, bob, alice.PublicKey()), []string{"before", "stranded", "after"}; !slices.Equal(got, want) {
		t.Fatalf("bob: %q, want %q", got, want)
	}
	// Sent messages leave no outbox entry (MVDS's first send deletes it).
	noOutboxLeft(t, db)
}

// A messenger restarted with outbox entries while its MVDS store fails
// every write: Start returns without waiting for the driver, the entries
// are appended once the writes succeed again, and the peer shows each
// message exactly once; the sender sees them acked and no outbox entry is
// left.
func TestStartDuringDataSyncStoreFailure(t *testing.T) {
	h := newHarness(t)
	key := newKey(t)
	db := storage.NewMemory()
	bob, _, stranded := strandedAtStop(t, h, key, db, "before", "stranded 1", "stranded 2")
	bobSub := bob.Subscribe(1024)
	defer bobSub.Unsubscribe()

	var failing atomic.Bool
	failing.Store(true)
	m := newDataSyncFault(t, h, key, db, &failing)
	sub := m.Subscribe(1024)
	defer sub.Unsubscribe()
	started := make(chan error, 1)
	go func() { started <- m.Start() }()
	var startErr error
	returned := false
	testutil.WaitFor(t, wait, "Start to return while the MVDS store fails", func() bool {
		select {
		case startErr = <-started:
			returned = true
		default:
		}
		return returned
	})
	if startErr != nil {
		t.Fatal(startErr)
	}
	waitStoreFailed(t, sub, messenger.StoreDataSync)

	failing.Store(false)
	alice := &node{Messenger: m, key: key, db: db}
	waitDelivery(t, alice, stranded, messenger.DeliveryAcked)
	if err := bob.Settle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got, want := texts(t, bob, alice.PublicKey()), []string{"before", "stranded 1", "stranded 2"}; !slices.Equal(got, want) {
		t.Fatalf("bob: %q, want %q", got, want)
	}
	shown := map[string]int{}
	for ev := range drain(bobSub) {
		if me, ok := ev.(messenger.MessageEvent); ok {
			shown[me.Message.Text]++
		}
	}
	if shown["stranded 1"] != 1 || shown["stranded 2"] != 1 {
		t.Fatalf("bob showed %v, want each stranded message once", shown)
	}
	noOutboxLeft(t, db)
}

// Stop ends the wait of an outbox entry's append while the MVDS store
// keeps failing (the package's TestMain checks for leaked goroutines).
func TestStopWhileOutboxWaitsForDataSync(t *testing.T) {
	h := newHarness(t)
	key := newKey(t)
	db := storage.NewMemory()
	strandedAtStop(t, h, key, db, "", "stranded")
	var failing atomic.Bool
	failing.Store(true)
	m := newDataSyncFault(t, h, key, db, &failing)
	sub := m.Subscribe(64)
	defer sub.Unsubscribe()
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	waitStoreFailed(t, sub, messenger.StoreDataSync)
	stopped := make(chan error, 1)
	go func() { stopped <- m.Stop() }()
	select {
	case <-stopped:
	case <-time.After(wait):
		t.Fatal("Stop did not return while an outbox entry waited for the driver")
	}
}

// noOutboxLeft fails t if db holds an outbox entry (MVDS's first send of
// a message deletes its entry).
func noOutboxLeft(t *testing.T, db storage.KV) {
	t.Helper()
	n := 0
	if err := storage.NewTable(db, messenger.TableName).Iterate([]byte("o"), nil, func(_, _ []byte) error {
		n++
		return nil
	}); err != nil || n != 0 {
		t.Fatalf("%d outbox entries left, %v", n, err)
	}
}

// strandedAtStop starts Alice (key) on db and a new Bob; when before is
// not "", Alice sends it and Bob shows it; then Alice stores each of texts
// without appending it to MVDS (an outbox entry a crash would strand)
// and stops. It returns Bob, before's ID and the stranded IDs.
func strandedAtStop(t *testing.T, h *harness, key *ecdsa.PrivateKey, db storage.KV, before string, texts ...string) (bob *node, beforeID string, ids []string) {
	t.Helper()
	alice := h.start(key, db)
	bob = h.newNode()
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if before != "" {
		var err error
		if beforeID, err = alice.SendText(ctxT(t), bob.PublicKey(), before); err != nil {
			t.Fatal(err)
		}
		waitTexts(t, bob, alice.PublicKey(), 1)
	}
	for _, text := range texts {
		id, err := alice.StoreTextOnly(bob.PublicKey(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := alice.Stop(); err != nil {
		t.Fatal(err)
	}
	return bob, beforeID, ids
}
