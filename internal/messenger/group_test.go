package messenger_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
)

func waitChat(t *testing.T, n *node, id, what string, cond func(c *messenger.Chat) bool) {
	t.Helper()
	testutil.WaitFor(t, wait, what, func() bool {
		c, err := n.Chat(id)
		return err == nil && cond(c)
	})
}

// A group of three: created, renamed, messaged by everyone; Carol is
// removed while cut off, so she still sends to the group; Alice and Bob
// do not show her later message and count it as "not-member". Membership
// changes are checked against the rules (Carol cannot rename).
func TestGroupOfThree(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol := h.newNode(), h.newNode(), h.newNode()
	ctx := ctxT(t)
	g, err := alice.CreateGroup(ctx, "trio", []string{bob.PublicKey(), carol.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{bob, carol} {
		waitChat(t, n, g.ID, "group joined", func(c *messenger.Chat) bool { return c.Active && len(c.Members) == 3 })
	}
	if _, err := carol.Rename(ctx, g.ID, "mine"); !errors.Is(err, messenger.ErrNotAllowed) {
		t.Fatalf("carol rename: %v, want ErrNotAllowed", err)
	}
	if _, err := alice.MakeAdmin(ctx, g.ID, bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	waitChat(t, bob, g.ID, "bob admin", func(c *messenger.Chat) bool { return slices.Contains(c.Admins, bob.PublicKey()) })
	if _, err := bob.Rename(ctx, g.ID, "trio!"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{alice, carol} {
		waitChat(t, n, g.ID, "renamed", func(c *messenger.Chat) bool { return c.Name == "trio!" })
	}
	for _, n := range []*node{alice, bob, carol} {
		if _, err := n.SendText(ctx, g.ID, "hi from "+n.PublicKey()[:8]); err != nil {
			t.Fatal(err)
		}
		for _, o := range []*node{alice, bob, carol} {
			waitTexts(t, o, g.ID, 1+slices.Index([]*node{alice, bob, carol}, n))
		}
	}

	// Carol is cut off and removed; she does not learn it and keeps sending.
	h.net.SetOnline(carol.ep, false)
	if _, err := alice.RemoveMember(ctx, g.ID, carol.PublicKey()); err != nil {
		t.Fatal(err)
	}
	waitChat(t, bob, g.ID, "carol removed", func(c *messenger.Chat) bool { return !slices.Contains(c.Members, carol.PublicKey()) })
	if _, err := carol.SendText(ctx, g.ID, "am I still here?"); err != nil {
		t.Fatal(err)
	}
	h.net.SetOnline(carol.ep, true)
	waitDropped(t, alice, messenger.ReasonNotMember, 1)
	waitDropped(t, bob, messenger.ReasonNotMember, 1)
	waitChat(t, carol, g.ID, "carol learns removal", func(c *messenger.Chat) bool { return !c.Active })
	if _, err := carol.SendText(ctx, g.ID, "again"); !errors.Is(err, messenger.ErrNotMember) {
		t.Fatalf("carol send after removal: %v", err)
	}
	if _, err := bob.SendText(ctx, g.ID, "just us"); err != nil {
		t.Fatal(err)
	}
	got := waitTexts(t, alice, g.ID, 4)
	if len(got) != 4 || got[3] != "just us" || slices.Contains(got, "am I still here?") {
		t.Fatalf("alice sees %q", got)
	}
	if got := texts(t, bob, g.ID); slices.Contains(got, "am I still here?") {
		t.Fatalf("bob sees %q", got)
	}
}
