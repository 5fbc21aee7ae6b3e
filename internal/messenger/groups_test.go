package messenger_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/message"
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
		waitChat(t, n, g.ID, "invitation", func(c *messenger.Chat) bool { return c.Active && len(c.Members) == 3 })
		if _, err := n.JoinGroup(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	waitChat(t, alice, g.ID, "both joined", func(c *messenger.Chat) bool { return len(c.Joined) == 3 })
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

// The chat-created event statusd signs names its creator in member, as
// status-protocol-go requires to find the group's admin; the members see
// the same event.
func TestGroupCreatedNamesCreator(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	g, err := alice.CreateGroup(ctxT(t), "duo", []string{bob.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	waitChat(t, bob, g.ID, "group joined", func(c *messenger.Chat) bool { return c.Active })
	for _, n := range []*node{alice, bob} {
		hist := n.GroupHistory(g.ID)
		if len(hist) == 0 || len(hist[0].Events) == 0 {
			t.Fatalf("no history: %+v", hist)
		}
		ev := hist[0].Events[0]
		if ev.Type != message.EventChatCreated || ev.Member != alice.PublicKey() {
			t.Fatalf("first event %+v, want chat-created with member %s", ev, alice.PublicKey())
		}
	}
}
