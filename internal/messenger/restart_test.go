package messenger_test

import (
	"fmt"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/storage"
)

// Alice runs on goleveldb. Mid-conversation she stops; Bob keeps sending;
// a new messenger over the reopened database continues: same installation
// and sessions, Bob's messages arrive by MVDS retransmission, nothing is
// lost or duplicated, and delivery states survived.
func TestRestartOnLevelDB(t *testing.T) {
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
	var want, aliceIDs []string
	send := func(from *node, to *node, text string) {
		t.Helper()
		id, err := from.SendText(ctx, to.PublicKey(), text)
		if err != nil {
			t.Fatal(err)
		}
		if from == alice {
			aliceIDs = append(aliceIDs, id)
		}
		want = append(want, text)
		waitTexts(t, to, from.PublicKey(), len(want))
	}
	for i := 0; i < 3; i++ {
		send(alice, bob, fmt.Sprintf("a%d", i))
		send(bob, alice, fmt.Sprintf("b%d", i))
	}
	waitDelivery(t, alice, aliceIDs, messenger.DeliveryAcked)
	install := alice.InstallationID()

	if err := alice.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := alice.Stop(); err != nil { // idempotent
		t.Fatal(err)
	}
	h.net.SetOnline(alice.ep, false)
	db.Close()
	for i := 3; i < 5; i++ {
		if _, err := bob.SendText(ctx, alice.PublicKey(), fmt.Sprintf("b%d", i)); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("b%d", i))
	}

	db = openLevelDB(t, dir)
	t.Cleanup(func() { db.Close() })
	alice = h.start(key, db)
	if alice.InstallationID() != install {
		t.Fatalf("installation %s after restart, want %s", alice.InstallationID(), install)
	}
	got := waitTexts(t, alice, bob.PublicKey(), len(want))
	if !slices.Equal(got, want) {
		t.Fatalf("alice after restart: %q, want %q", got, want)
	}
	waitDelivery(t, alice, aliceIDs, messenger.DeliveryAcked)
	send(alice, bob, "after restart")
	if got := texts(t, bob, alice.PublicKey()); !slices.Equal(got, want) {
		t.Fatalf("bob: %q, want %q", got, want)
	}
	if got := texts(t, alice, bob.PublicKey()); len(got) != len(want) {
		t.Fatalf("alice shows %d messages, want %d", len(got), len(want))
	}
}

// Stop ends every goroutine the messenger started, with or without Start.
func TestStopLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDB, goleak.IgnoreCurrent())
	h := newHarness(t)
	defer h.net.Close() // the network's own delivery goroutines
	db := openLevelDB(t, t.TempDir())
	defer db.Close()
	m, err := messenger.New(h.config(newKey(t)), db, h.net.Join(newKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	sub := m.Subscribe(1)
	if _, err := m.JoinPublic("status"); err != nil {
		t.Fatal(err)
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-sub.C(); ok {
		for range sub.C() {
		}
	}
	if _, err := m.JoinPublic("status"); err == nil {
		t.Fatal("JoinPublic after Stop succeeded")
	}
	never, err := messenger.New(h.config(newKey(t)), storage.NewMemory(), h.net.Join(newKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := never.Stop(); err != nil {
		t.Fatal(err)
	}
}
