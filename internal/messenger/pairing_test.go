package messenger_test

import (
	"github.com/statusnode/statusd/internal/messenger"
	"slices"
	"testing"

	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
)

func hasInstallation(t *testing.T, n *node, id string, enabled bool) bool {
	insts, err := n.Installations()
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(insts, func(i messenger.Installation) bool { return i.ID == id && (!enabled || i.Enabled) })
}

// Alice runs two installations. They learn each other from bundles on her
// contact-code topic, are enabled (paired), exchange p2 metadata; then a
// message Alice sends from the first device shows on the second, and Bob's
// reply reaches both.
func TestPairedDevicesSyncSentMessages(t *testing.T) {
	h := newHarness(t)
	key := newKey(t)
	a1 := h.start(key, storage.NewMemory(), withInstallation("a1"), withName("laptop"))
	a2 := h.start(key, storage.NewMemory(), withInstallation("a2"), withName("phone"))
	bob := h.newNode()
	if err := a1.PublishBundle(); err != nil { // a2 was not listening at a1's start
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "devices see each other", func() bool {
		return hasInstallation(t, a1, "a2", false) && hasInstallation(t, a2, "a1", false)
	})
	if err := a1.EnableInstallation("a2"); err != nil {
		t.Fatal(err)
	}
	if err := a2.EnableInstallation("a1"); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if err := a1.SendPairInstallation(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "p2 metadata on a2", func() bool {
		insts, _ := a2.Installations()
		return slices.ContainsFunc(insts, func(i messenger.Installation) bool { return i.ID == "a1" && i.Metadata.Name == "laptop" })
	})
	mustJoin(t, "status", a1)
	if err := a1.SyncDevices(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "public chat synced", func() bool { _, err := a2.Chat("status"); return err == nil })

	if _, err := a1.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := a1.SendText(ctx, bob.PublicKey(), "sent from a1"); err != nil {
		t.Fatal(err)
	}
	got := waitTexts(t, a2, bob.PublicKey(), 1)
	p, _ := a2.Messages(bob.PublicKey(), "", 10)
	if got[0] != "sent from a1" || !p.Messages[0].Outgoing {
		t.Fatalf("a2 shows %q outgoing=%v", got, p.Messages[0].Outgoing)
	}
	waitTexts(t, bob, a1.PublicKey(), 1)
	if _, err := bob.SendText(ctx, a1.PublicKey(), "to both"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{a1, a2} {
		if got := waitTexts(t, n, bob.PublicKey(), 2); got[1] != "to both" {
			t.Fatalf("device sees %q", got)
		}
	}
}
