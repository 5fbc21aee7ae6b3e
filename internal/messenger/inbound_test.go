package messenger_test

import (
	"fmt"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
)

// TestInboundBackPressure: with a one-message inbound queue and the receive
// goroutine held, the Transport's delivering goroutine blocks on the Sink
// instead of dropping. Once released, every message is shown, nothing was
// lost on the way, and the blocked time was counted.
func TestInboundBackPressure(t *testing.T) {
	h := newHarness(t)
	key := newKey(t)
	cfg := h.config(key)
	cfg.InboundBuffer = 1
	gate := make(chan struct{})
	released := false
	release := func() {
		if !released {
			released = true
			close(gate)
		}
	}
	t.Cleanup(release)
	m, err := messenger.NewWithReceiveGate(cfg, storage.NewMemory(), h.net.Join(key), gate)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	mustJoin(t, "status", &node{Messenger: m})
	const n = 50
	signer := newKey(t)
	for i := 0; i < n; i++ {
		h.net.Inject(&signer.PublicKey, publicEnvelope(t, "status", publicC4(t, "status", fmt.Sprintf("m%d", i), int64(i+1))))
	}
	testutil.WaitFor(t, wait, "the delivering goroutine to block", func() bool { return messenger.InboundWaiting(m) > 0 })
	release()
	got := waitTexts(t, &node{Messenger: m}, "status", n)
	if len(got) != n {
		t.Fatalf("%d messages shown, want %d", len(got), n)
	}
	if s := h.net.Stats(); s.Overflow != 0 {
		t.Fatalf("network overflow %d", s.Overflow)
	}
	if d := m.Dropped(); len(d) != 0 {
		t.Fatalf("dropped %v", d)
	}
	if messenger.InboundBlocked(m) <= 0 {
		t.Fatal("blocked time not counted")
	}
}
