package messenger_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/storage"
)

// Bob knows only Alice's second installation when he writes to her, so
// his messages are encrypted for that one alone; it ACKs them for Alice's
// identity. When Bob learns Alice's first installation he sends them
// again: the first installation shows every one once, the second none
// twice, and Bob's delivery states stay acked.
func TestOneToOneReachesInstallationLearntLater(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	alice2 := h.start(alice.key, storage.NewMemory(), withInstallation("alice-second"))
	bob := h.newNode()
	ids, want := toSecondInstallationOnly(t, h, alice, alice2, bob)
	if got := waitTexts(t, alice2, bob.PublicKey(), 3); !slices.Equal(got, want) {
		t.Fatalf("second installation shows %q", got)
	}
	if got := texts(t, alice, bob.PublicKey()); len(got) != 0 {
		t.Fatalf("first installation shows %q before bob knows it", got)
	}

	h.net.Partition(alice.ep, bob.ep, false)
	if err := alice.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, alice, bob.PublicKey(), 3); !slices.Equal(got, want) {
		t.Fatalf("first installation shows %q, want %q", got, want)
	}
	// The second installation had them: MVDS acknowledges them again
	// without handing them up, and nothing is shown twice.
	if got := texts(t, alice2, bob.PublicKey()); !slices.Equal(got, want) {
		t.Fatalf("second installation shows %q", got)
	}
	for _, id := range ids {
		if d, err := bob.DeliveryState(id); err != nil || d.State != messenger.DeliveryAcked {
			t.Fatalf("delivery of %s: %+v, %v", id, d, err)
		}
	}
}

// Bob dies after committing the bundle that shows him Alice's first
// installation and before sending it what only her second one had: the
// mark committed with the bundle makes the next start send them, and the
// first installation shows each once.
func TestResendToNewInstallationSurvivesCrash(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	alice2 := h.start(alice.key, storage.NewMemory(), withInstallation("alice-second"))
	dir := t.TempDir()
	bobKey := newKey(t)
	var crashing, crashed atomic.Bool
	db := openLevelDB(t, dir)
	ep := h.net.Join(bobKey)
	m, err := messenger.NewWithResendCrash(h.config(bobKey), db, ep, func(peer string) bool {
		if peer == alice.PublicKey() && crashing.Load() {
			crashed.Store(true)
			return true
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	bob := &node{Messenger: m, key: bobKey, ep: ep, db: db}
	_, want := toSecondInstallationOnly(t, h, alice, alice2, bob)

	crashing.Store(true)
	h.net.Partition(alice.ep, ep, false)
	if err := alice.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob dies before resending", crashed.Load)
	if err := bob.Stop(); err != nil { // the process is gone; its database survives
		t.Fatal(err)
	}
	h.net.SetOnline(ep, false)
	db.Close()
	if got := texts(t, alice, bob.PublicKey()); len(got) != 0 {
		t.Fatalf("first installation shows %q before bob resent", got)
	}

	db = openLevelDB(t, dir)
	t.Cleanup(func() { db.Close() })
	restarted := h.start(bobKey, db)
	if got := waitTexts(t, alice, restarted.PublicKey(), 3); !slices.Equal(got, want) {
		t.Fatalf("first installation shows %q, want %q", got, want)
	}
	if got := waitTexts(t, alice2, restarted.PublicKey(), 3); !slices.Equal(got, want) {
		t.Fatalf("second installation shows %q", got)
	}
}

// Bob knows only Alice's second installation; her first one knows the
// second (as any paired device does) and has a chat with Bob, but never
// writes to him. His message
// addressed to the second alone is undecryptable on the first, which
// answers with its bundle: Bob learns the first installation and sends it
// what he sent Alice recently, so it shows every message once.
func TestUnaddressedInstallationAnswersWithItsBundle(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	alice2 := h.start(alice.key, storage.NewMemory(), withInstallation("alice-second"))
	bob := h.newNode()
	waitFor(t, "alice's first installation knows the second", func() bool {
		insts, err := alice.Installations()
		return err == nil && slices.ContainsFunc(insts, func(in messenger.Installation) bool { return in.ID == "alice-second" })
	})
	h.net.Partition(alice.ep, bob.ep, true)
	events := bob.Subscribe(1 << 12)
	if _, err := bob.StartOneToOne(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if err := alice2.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	waitBundleAdded(t, events, "alice-second")
	ctx := ctxT(t)
	var ids, want []string
	send := func(text string) {
		t.Helper()
		id, err := bob.SendText(ctx, alice.PublicKey(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids, want = append(ids, id), append(want, text)
	}
	send("unseen 0")
	send("unseen 1")
	waitDelivery(t, bob, ids, messenger.DeliveryAcked)

	h.net.Partition(alice.ep, bob.ep, false)
	send("seen, undecryptable")
	if got := waitTexts(t, alice, bob.PublicKey(), 3); !slices.Equal(got, want) {
		t.Fatalf("first installation shows %q, want %q", got, want)
	}
	if got := waitTexts(t, alice2, bob.PublicKey(), 3); !slices.Equal(got, want) {
		t.Fatalf("second installation shows %q", got)
	}
}

// waitBundleAdded waits for a BundleAddedEvent of installation on events.
func waitBundleAdded(t *testing.T, events *messenger.EventSubscription, installation string) {
	t.Helper()
	waitFor(t, "the bundle of installation "+installation, func() bool {
		for len(events.C()) > 0 {
			if ev, ok := (<-events.C()).(messenger.BundleAddedEvent); ok && ev.InstallationID == installation {
				return true
			}
		}
		return false
	})
}

// Bob's resend to Alice's first installation fails (as a failed store
// read would fail it) the first two times it is tried: he tries again
// after a back-off, without a restart, and the first installation shows
// each message once.
func TestResendToNewInstallationRetried(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	alice2 := h.start(alice.key, storage.NewMemory(), withInstallation("alice-second"))
	bobKey := newKey(t)
	var failing atomic.Bool
	var asked atomic.Int32
	ep := h.net.Join(bobKey)
	m, err := messenger.NewWithResendFault(h.config(bobKey), storage.NewMemory(), ep, func(peer string) error {
		if peer != alice.PublicKey() || !failing.Load() {
			return nil
		}
		if asked.Add(1) >= 2 {
			failing.Store(false) // the store mends after the second failure
		}
		return messenger.ErrStore
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	bob := &node{Messenger: m, key: bobKey, ep: ep}
	_, want := toSecondInstallationOnly(t, h, alice, alice2, bob)

	failing.Store(true)
	h.net.Partition(alice.ep, ep, false)
	if err := alice.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, alice, bob.PublicKey(), 3); !slices.Equal(got, want) {
		t.Fatalf("first installation shows %q, want %q", got, want)
	}
	if n := asked.Load(); n != 2 {
		t.Fatalf("resend failed %d times, want 2", n)
	}
	if got := texts(t, alice2, bob.PublicKey()); !slices.Equal(got, want) {
		t.Fatalf("second installation shows %q", got)
	}
}

// toSecondInstallationOnly partitions Alice's first installation from
// Bob, has Bob learn only alice2 (her second installation) and send her
// three messages, and waits until they are acked. It returns their IDs
// and texts; the partition stays.
func toSecondInstallationOnly(t *testing.T, h *harness, alice, alice2, bob *node) (ids, want []string) {
	t.Helper()
	h.net.Partition(alice.ep, bob.ep, true)
	events := bob.Subscribe(1 << 12)
	if _, err := bob.StartOneToOne(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if err := alice2.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	waitBundleAdded(t, events, "alice-second")
	for i := 0; i < 3; i++ {
		text := fmt.Sprintf("direct %d", i)
		id, err := bob.SendText(ctxT(t), alice.PublicKey(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids, want = append(ids, id), append(want, text)
	}
	waitDelivery(t, bob, ids, messenger.DeliveryAcked)
	return ids, want
}
