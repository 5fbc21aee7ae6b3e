package messenger_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
)

// settled waits until n's MVDS sends are all acknowledged and then until
// to has handled everything it received (Settle).
func settled(t *testing.T, ctx context.Context, n, to *node) {
	t.Helper()
	testutil.WaitFor(t, wait, "every send acknowledged", func() bool {
		k, err := messenger.DataSyncOutstanding(ctx, n.Messenger)
		return err == nil && k == 0
	})
	if err := to.Settle(ctx); err != nil {
		t.Fatal(err)
	}
}

// Group messages that reach an invitee before it joins are held, and
// joining shows each of them exactly once: in statusd's own form (a c4)
// and in status-react's (a c4 inside a g5 carrying the group's history,
// whose first handling applies the history while the message itself is
// held: the g5's ID must not be taken as handled then). Held messages
// survive a restart (delivered again, held again). A message sent after
// the join is shown at once, and nothing is shown twice.
func TestHeldGroupMessagesShownOnceAfterJoin(t *testing.T) {
	forms := map[string]func(ctx context.Context, n *node, chatID, text string) (string, error){
		"c4": func(ctx context.Context, n *node, chatID, text string) (string, error) {
			return n.SendText(ctx, chatID, text)
		},
		"g5": func(ctx context.Context, n *node, chatID, text string) (string, error) {
			return n.SendInG5(ctx, chatID, text)
		},
	}
	for _, form := range []string{"c4", "g5"} {
		for _, restart := range []bool{false, true} {
			name := form
			if restart {
				name += "/restart"
			}
			t.Run(name, func(t *testing.T) { heldThenJoined(t, forms[form], restart) })
		}
	}
}

// heldThenJoined is one case of TestHeldGroupMessagesShownOnceAfterJoin:
// Alice sends with send to a group Bob is invited to, Bob (restarted in
// between if restart: the held messages are delivered again) joins.
func heldThenJoined(t *testing.T, send func(ctx context.Context, n *node, chatID, text string) (string, error), restart bool) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	ctx := ctxT(t)
	g, err := alice.CreateGroup(ctx, "pair", []string{bob.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	waitChat(t, bob, g.ID, "invitation", func(c *messenger.Chat) bool { return c.Membership == "invited" })

	var want []string
	for i := range 3 {
		text := fmt.Sprintf("held %d", i)
		if _, err := send(ctx, alice, g.ID, text); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	settled(t, ctx, alice, bob)
	if got := texts(t, bob, g.ID); len(got) != 0 {
		t.Fatalf("shown while invited: %q", got)
	}
	if restart {
		if err := bob.Stop(); err != nil {
			t.Fatal(err)
		}
		h.net.SetOnline(bob.ep, false)
		bob = h.start(bob.key, bob.db)
		if err := bob.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		if got := texts(t, bob, g.ID); len(got) != 0 {
			t.Fatalf("shown while invited, after a restart: %q", got)
		}
	}

	if _, err := bob.JoinGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "held messages shown or dropped", func() bool {
		return len(texts(t, bob, g.ID)) >= len(want) || len(bob.Dropped()) > 0
	})
	settled(t, ctx, alice, bob)
	got := texts(t, bob, g.ID)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("after joining bob shows %q, want %q (drops %v)", got, want, bob.Dropped())
	}
	if d := bob.Dropped(); len(d) != 0 {
		t.Fatalf("drops: %v", d)
	}

	// Joined: a new message is shown at once, once.
	if _, err := send(ctx, alice, g.ID, "after"); err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, bob, g.ID, len(want)+1); !slices.Contains(got, "after") {
		t.Fatalf("bob shows %q", got)
	}
	settled(t, ctx, alice, bob)
	if got := texts(t, bob, g.ID); len(got) != len(want)+1 {
		t.Fatalf("bob shows %q", got)
	}
}
