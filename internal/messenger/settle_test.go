package messenger_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
)

// TestSettleWaitsForStore: with public messages queued and the receive
// goroutine held before it takes them, Settle does not return (a Settle
// whose context ends meanwhile fails with the context's error); once the
// receive goroutine is released, Settle returns, and at that moment every
// message is already stored. After Stop, Settle fails.
func TestSettleWaitsForStore(t *testing.T) {
	h := newHarness(t)
	key := newKey(t)
	m, release := gatedMessenger(t, h, key)
	n := &node{Messenger: m}
	mustJoin(t, "settle", n)
	// The receive goroutine takes a first batch (if any) and then waits
	// at the gate; release nothing yet.
	const count = 20
	signer := newKey(t)
	before := messenger.InboundQueued(m)
	for i := range count {
		h.net.Inject(&signer.PublicKey, publicEnvelope(t, "settle", publicC4(t, "settle", fmt.Sprintf("s%d", i), int64(i+1))))
	}
	testutil.WaitFor(t, wait, "the messages to be queued", func() bool { return messenger.InboundQueued(m) >= before+count })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Settle(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Settle with queued messages and an ended context: %v, want context.Canceled", err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Settle(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("Settle returned %v with the receive goroutine held", err)
	default:
	}
	if got := texts(t, n, "settle"); len(got) != 0 {
		t.Fatalf("%d messages stored with the receive goroutine held", len(got))
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := texts(t, n, "settle"); len(got) != count { // no wait: Settle returned
		t.Fatalf("%d messages stored when Settle returned, want %d", len(got), count)
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := m.Settle(context.Background()); !errors.Is(err, messenger.ErrStopped) {
		t.Fatalf("Settle after Stop: %v, want ErrStopped", err)
	}
}

// TestSettleWaitsForMVDSDelivery: a 1:1 message goes from the inbound
// queue to the MVDS driver and comes back as a delivery before it is
// stored; Settle, called while it waits in the queue, returns only once
// it is stored.
func TestSettleWaitsForMVDSDelivery(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	key := newKey(t)
	m, release := gatedMessenger(t, h, key)
	bob := &node{Messenger: m, key: key}
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	before := messenger.InboundQueued(m)
	if _, err := alice.SendText(ctxT(t), bob.PublicKey(), "hi bob"); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "the message queued at bob", func() bool { return messenger.InboundQueued(m) > before })
	done := make(chan error, 1)
	go func() { done <- m.Settle(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("Settle returned %v with the receive goroutine held", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := texts(t, bob, alice.PublicKey()); len(got) != 1 || got[0] != "hi bob" { // no wait
		t.Fatalf("bob has %q when Settle returned", got)
	}
}

// gatedMessenger starts a messenger of key on h's network whose receive
// goroutine waits before each batch until release is called (once is
// enough; the test's cleanup calls it too).
func gatedMessenger(t *testing.T, h *harness, key *ecdsa.PrivateKey) (m *messenger.Messenger, release func()) {
	t.Helper()
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	m, err := messenger.NewWithReceiveGate(h.config(key), storage.NewMemory(), h.net.Join(key), gate)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	return m, release
}
