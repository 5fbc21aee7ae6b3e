package messenger_test

import (
	"fmt"
	"slices"
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
	// Bob hears nothing from Alice's first installation, nor it from him.
	h.net.Partition(alice.ep, bob.ep, true)
	events := bob.Subscribe(1 << 12)
	if _, err := bob.StartOneToOne(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if err := alice2.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob has alice's second bundle", func() bool {
		for len(events.C()) > 0 {
			if ev, ok := (<-events.C()).(messenger.BundleAddedEvent); ok && ev.InstallationID == "alice-second" {
				return true
			}
		}
		return false
	})
	ctx := ctxT(t)
	var ids, want []string
	for i := 0; i < 3; i++ {
		text := fmt.Sprintf("direct %d", i)
		id, err := bob.SendText(ctx, alice.PublicKey(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids, want = append(ids, id), append(want, text)
	}
	waitDelivery(t, bob, ids, messenger.DeliveryAcked)
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
