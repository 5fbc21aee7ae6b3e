package messenger_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// TestCrashBetweenDriverAndStore kills Bob between "the MVDS driver
// persisted Alice's message (and acknowledged it)" and "the messenger
// stored it". Alice never sends it again (it is acked), so only the
// driver's pending mark can bring it back: the reopened messenger shows
// the message exactly once, and a further restart does not show it again.
func TestCrashBetweenDriverAndStore(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	bobKey := newKey(t)
	alice := h.newNode()

	var mu sync.Mutex
	var crashed []mvds.MessageID
	crash := func(id mvds.MessageID) bool {
		mu.Lock()
		defer mu.Unlock()
		crashed = append(crashed, id)
		return true // every delivery of this run dies before the store
	}
	db := openLevelDB(t, dir)
	ep := h.net.Join(bobKey)
	bob, err := messenger.NewWithCrashHook(h.config(bobKey), db, ep, crash)
	if err != nil {
		t.Fatal(err)
	}
	if err := bob.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.StartOneToOne(bob.ChatKey()); err != nil {
		t.Fatal(err)
	}
	id, err := alice.SendText(ctxT(t), bob.ChatKey(), "hello")
	if err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, alice, []string{id}, messenger.DeliveryAcked)
	// The ACK leaves once the driver persisted the message, while the
	// delivery runs on to the crash point: Alice may see it acked first.
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(crashed) }
	waitFor(t, "the delivery at the crash point", func() bool { return count() > 0 })
	if n := count(); n != 1 {
		t.Fatalf("%d deliveries reached the crash point, want 1", n)
	}
	if p, err := bob.Messages(alice.PublicKey(), "", 10); err == nil && len(p.Messages) != 0 {
		t.Fatalf("bob stored %d messages before the crash", len(p.Messages))
	}
	if err := bob.Stop(); err != nil { // the process is gone; its database survives
		t.Fatal(err)
	}
	h.net.SetOnline(ep, false)
	db.Close()

	for run := 0; run < 2; run++ {
		db := openLevelDB(t, dir)
		m, err := messenger.New(h.config(bobKey), db, h.net.Join(bobKey))
		if err != nil {
			t.Fatal(err)
		}
		events := m.Subscribe(64)
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		b := &node{Messenger: m, key: bobKey, db: db}
		if run == 0 {
			got := waitTexts(t, b, alice.PublicKey(), 1)
			if !slices.Equal(got, []string{"hello"}) {
				t.Fatalf("after restart: %q", got)
			}
		}
		if err := m.Stop(); err != nil {
			t.Fatal(err)
		}
		shown := 0
		for ev := range events.C() {
			if me, ok := ev.(messenger.MessageEvent); ok && me.Message.ID == id {
				shown++
			}
		}
		if want := 1 - run; shown != want {
			t.Fatalf("run %d: message shown %d times, want %d", run, shown, want)
		}
		if got := texts(t, b, alice.PublicKey()); !slices.Equal(got, []string{"hello"}) {
			t.Fatalf("run %d: stored %q", run, got)
		}
		db.Close()
	}
}
