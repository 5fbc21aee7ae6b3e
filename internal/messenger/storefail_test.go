package messenger_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

var errDiskFull = errors.New("disk full")

// storeFaultNode starts a messenger whose own table fails a write while
// failing() says so, its store retries timed by the returned clock.
func storeFaultNode(t *testing.T, h *harness, fail func() error) (*node, *messenger.ArmedClock) {
	t.Helper()
	key := newKey(t)
	clock := messenger.NewArmedClock(t0)
	m, err := messenger.NewWithStoreFault(h.config(key), storage.NewMemory(), h.net.Join(key), fail, clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	return &node{Messenger: m, key: key}, clock
}

// Public messages received while the store fails its next writes are not
// lost: the failure is published (once), Settle does not return while
// they wait, and once writes succeed again every one is stored and shown
// once, Settle returns, and the recovery is published. Nothing is counted
// as dropped.
func TestStoreFailureKeepsPublicMessages(t *testing.T) {
	h := newHarness(t)
	var failLeft atomic.Int64
	n, clock := storeFaultNode(t, h, func() error {
		if failLeft.Add(-1) >= 0 {
			return errDiskFull
		}
		return nil
	})
	mustJoin(t, "storefail", n)
	sub := n.Subscribe(1024)
	defer sub.Unsubscribe()

	const count = 10
	failLeft.Store(4)
	signer := newKey(t)
	before := messenger.InboundQueued(n.Messenger)
	for i := range count {
		h.net.Inject(&signer.PublicKey, publicEnvelope(t, "storefail", publicC4(t, "storefail", fmt.Sprintf("m%d", i), int64(i+1))))
	}
	// The queue holds them all while the receive goroutine retries.
	testutil.WaitFor(t, wait, "the messages to be queued", func() bool { return messenger.InboundQueued(n.Messenger) >= before+count })
	shown := map[string]int{}
	var failed []messenger.StoreFailedEvent
	recovered := false
	deadline := time.After(wait)
	settled := false
	for !recovered {
		select {
		case ev := <-sub.C():
			switch ev := ev.(type) {
			case messenger.StoreFailedEvent:
				if ev.Store == messenger.StoreMessages { // not the sender's wrapper form (StoreRecords)
					failed = append(failed, ev)
				}
			case messenger.StoreRecoveredEvent:
				recovered = recovered || ev.Store == messenger.StoreMessages
			case messenger.MessageEvent:
				shown[ev.Message.Text]++
			}
		case d := <-clock.Armed:
			if !settled {
				// A retry wait began: the messages are held. Settle must
				// not return while they are.
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				err := n.Settle(ctx)
				cancel()
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Settle with messages held: %v, want the context's deadline", err)
				}
				if got := texts(t, n, "storefail"); len(got) != 0 {
					t.Fatalf("stored while failing: %q", got)
				}
				settled = true
			}
			if err := clock.Advance(ctxT(t), d); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatalf("no recovery: failures %+v, shown %v", failed, shown)
		}
	}
	if !settled {
		t.Fatal("no retry wait began")
	}
	if len(failed) == 0 || failed[0].Error == "" || failed[0].Waiting == 0 {
		t.Fatalf("failure events %+v", failed)
	}
	if err := n.Settle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	got := texts(t, n, "storefail")
	slices.Sort(got)
	want := make([]string, count)
	for i := range want {
		want[i] = fmt.Sprintf("m%d", i)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stored %q, want %q", got, want)
	}
	for ev := range drain(sub) {
		if me, ok := ev.(messenger.MessageEvent); ok {
			shown[me.Message.Text]++
		}
	}
	for _, text := range want {
		if shown[text] != 1 {
			t.Fatalf("shown %v, want each once", shown)
		}
	}
	if d := n.Dropped(); len(d) != 0 {
		t.Fatalf("dropped %v", d)
	}
}

// Stop during a failure spell (the store keeps failing) returns
// promptly; the receive goroutine's retry wait ends with it (the package's
// TestMain checks for leaked goroutines).
func TestStopDuringStoreFailure(t *testing.T) {
	h := newHarness(t)
	var failing atomic.Bool
	n, clock := storeFaultNode(t, h, func() error {
		if failing.Load() {
			return errDiskFull
		}
		return nil
	})
	mustJoin(t, "storefail", n)
	sub := n.Subscribe(1024)
	defer sub.Unsubscribe()
	failing.Store(true)
	signer := newKey(t)
	h.net.Inject(&signer.PublicKey, publicEnvelope(t, "storefail", publicC4(t, "storefail", "held", 1)))
	waitStoreFailed(t, sub, "")
	clock.Next(t)
	done := make(chan error, 1)
	go func() { done <- n.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("Stop did not return during a store failure")
	}
	if err := n.Settle(context.Background()); !errors.Is(err, messenger.ErrStopped) {
		t.Fatalf("Settle after Stop: %v", err)
	}
}

// drain yields the events already waiting on sub.
func drain(sub *messenger.EventSubscription) func(func(messenger.Event) bool) {
	return func(yield func(messenger.Event) bool) {
		for {
			select {
			case ev, ok := <-sub.C():
				if !ok || !yield(ev) {
					return
				}
			default:
				return
			}
		}
	}
}

// A 1:1 message received while the MVDS driver's store fails its writes
// is not lost and the driver does not stop: the spell is published as a
// StoreFailedEvent of the data-sync store, the message is not shown while
// the writes fail, and once they succeed the recovery is published, the
// message is shown exactly once and the sender sees it acknowledged.
func TestDataSyncStoreFailureKeepsDirectMessages(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	var failing atomic.Bool
	bob := dataSyncFaultNode(t, h, &failing)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	first, err := alice.SendText(ctx, bob.PublicKey(), "before")
	if err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, alice.PublicKey(), 1)
	waitDelivery(t, alice, []string{first}, messenger.DeliveryAcked)
	sub := bob.Subscribe(1024)
	defer sub.Unsubscribe()

	failing.Store(true)
	received := messenger.DataSyncStats(bob.Messenger).PayloadsReceived
	during, err := alice.SendText(ctx, bob.PublicKey(), "during")
	if err != nil {
		t.Fatal(err)
	}
	var failed []messenger.StoreFailedEvent
	testutil.WaitFor(t, wait, "the data-sync store failure and the message received", func() bool {
		for ev := range drain(sub) {
			if f, ok := ev.(messenger.StoreFailedEvent); ok {
				failed = append(failed, f)
			}
		}
		return len(failed) > 0 && messenger.DataSyncStats(bob.Messenger).PayloadsReceived > received
	})
	if len(failed) != 1 || failed[0].Store != messenger.StoreDataSync || failed[0].Error == "" {
		t.Fatalf("failure events %+v, want one of the data-sync store", failed)
	}
	if got := texts(t, bob, alice.PublicKey()); len(got) != 1 {
		t.Fatalf("shown while the writes fail: %q", got)
	}

	failing.Store(false)
	shown := 0
	var recovered []messenger.StoreRecoveredEvent
	testutil.WaitFor(t, wait, "the recovery and the message shown", func() bool {
		for ev := range drain(sub) {
			switch ev := ev.(type) {
			case messenger.StoreRecoveredEvent:
				recovered = append(recovered, ev)
			case messenger.StoreFailedEvent:
				failed = append(failed, ev)
			case messenger.MessageEvent:
				if ev.Message.Text == "during" {
					shown++
				}
			}
		}
		return len(recovered) > 0 && shown > 0
	})
	waitDelivery(t, alice, []string{during}, messenger.DeliveryAcked)
	if err := bob.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	for ev := range drain(sub) {
		if me, ok := ev.(messenger.MessageEvent); ok && me.Message.Text == "during" {
			shown++
		}
	}
	if got := texts(t, bob, alice.PublicKey()); !slices.Equal(got, []string{"before", "during"}) || shown != 1 {
		t.Fatalf("shown %d times, stored %q; want once, after \"before\"", shown, got)
	}
	if len(failed) != 1 || len(recovered) != 1 || recovered[0].Store != messenger.StoreDataSync || recovered[0].Tries == 0 {
		t.Fatalf("failures %+v, recoveries %+v; want one spell of the data-sync store", failed, recovered)
	}
}

// TestUnsentDuringDataSyncFailureSentOnRecovery: 1:1 statusd_sendText
// calls whose callers give up while the sender's MVDS store fails return
// an error, but the messages are stored; once the writes succeed again
// they are sent in the same run, without a restart, and shown once.
func TestUnsentDuringDataSyncFailureSentOnRecovery(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode()
	var failing atomic.Bool
	alice := dataSyncFaultNode(t, h, &failing)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendText(ctxT(t), bob.PublicKey(), "before"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, alice.PublicKey(), 1)

	// The first send's append starts the spell (the driver keeps it and
	// sends it after); the second finds the driver waiting it out and is
	// not taken before its caller gives up.
	failing.Store(true)
	for _, text := range []string{"during 1", "during 2"} {
		short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := alice.SendText(short, bob.PublicKey(), text)
		cancel()
		if err == nil {
			t.Fatalf("SendText(%q) returned no error while every MVDS write failed", text)
		}
	}
	failing.Store(false)
	waitTexts(t, bob, alice.PublicKey(), 3)
	if err := bob.Settle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := texts(t, bob, alice.PublicKey()); !slices.Equal(got, []string{"before", "during 1", "during 2"}) {
		t.Fatalf("bob has %q", got)
	}
}

// dataSyncFaultNode starts a messenger whose MVDS store fails every write
// (errDiskFull) while failing is set.
func dataSyncFaultNode(t *testing.T, h *harness, failing *atomic.Bool) *node {
	t.Helper()
	key := newKey(t)
	m := newDataSyncFault(t, h, key, storage.NewMemory(), failing)
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	return &node{Messenger: m, key: key}
}

// newDataSyncFault builds, unstarted, the messenger of key over db whose
// MVDS store fails every write (errDiskFull) while failing is set; it is
// stopped at cleanup.
func newDataSyncFault(t *testing.T, h *harness, key *ecdsa.PrivateKey, db storage.KV, failing *atomic.Bool) *messenger.Messenger {
	t.Helper()
	m, err := messenger.NewWithDataSyncFault(h.config(key), db, h.net.Join(key), func() error {
		if failing.Load() {
			return errDiskFull
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	return m
}

// waitStoreFailed waits for a StoreFailedEvent on sub of store ("": of
// any store).
func waitStoreFailed(t *testing.T, sub *messenger.EventSubscription, store string) {
	t.Helper()
	testutil.WaitFor(t, wait, "a store failure event", func() bool {
		for ev := range drain(sub) {
			if f, ok := ev.(messenger.StoreFailedEvent); ok && (store == "" || f.Store == store) {
				return true
			}
		}
		return false
	})
}

// The sender's store fails the next three writes of delivery records
// or MVDS ID mappings after a 1:1 send (of the mapping, the sent state,
// the ACK's state and the retries: whichever come first): the message
// still ends acked, stored, with its acked state published once, and one
// spell of StoreRecords is published.
func TestDeliveryWritesFailureEndsAcked(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode()
	var failLeft atomic.Int64
	key := newKey(t)
	m, err := messenger.NewWithKeyedStoreFault(h.config(key), storage.NewMemory(), h.net.Join(key), func(keys [][]byte) error {
		for _, k := range keys {
			if k[0] == byte(messengerstore.KindDelivery) || k[0] == byte(messengerstore.KindMVDS) {
				if failLeft.Add(-1) >= 0 {
					return errDiskFull
				}
				return nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	alice := &node{Messenger: m, key: key}
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	sub := alice.Subscribe(1024)
	defer sub.Unsubscribe()
	id, err := alice.SendText(ctxT(t), bob.PublicKey(), "through a failing store")
	if err != nil {
		t.Fatal(err)
	}
	failLeft.Store(3)
	waitDelivery(t, alice, []string{id}, messenger.DeliveryAcked)
	acked, failed, recovered := 0, 0, 0
	testutil.WaitFor(t, wait, "the acked state published and the recovery", func() bool {
		for ev := range drain(sub) {
			switch ev := ev.(type) {
			case messenger.DeliveryEvent:
				if ev.MessageID == id && ev.State == messenger.DeliveryAcked {
					acked++
				}
			case messenger.StoreFailedEvent:
				if ev.Store == messenger.StoreRecords {
					failed++
				}
			case messenger.StoreRecoveredEvent:
				if ev.Store == messenger.StoreRecords {
					recovered++
				}
			}
		}
		return acked > 0 && recovered > 0
	})
	if err := alice.Settle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for ev := range drain(sub) {
		if d, ok := ev.(messenger.DeliveryEvent); ok && d.MessageID == id && d.State == messenger.DeliveryAcked {
			acked++
		}
	}
	if acked != 1 || failed != 1 || recovered != 1 {
		t.Fatalf("acked published %d times, %d failures and %d recoveries of %q; want one each",
			acked, failed, recovered, messenger.StoreRecords)
	}
	if got := texts(t, bob, alice.PublicKey()); len(got) != 1 {
		t.Fatalf("bob shows %q", got)
	}
}
