package messenger_test

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/transporttest"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
)

// TestRetransmittedAfterHorizonShownOnce: Bob's ACKs never reach Alice,
// so her MVDS retransmits everything she sent him: a contact request, a
// 1:1 message, a group invitation (g5) and a group message. Once his MVDS
// has forgotten their IDs (datasync.Config.RetainReleased after he stored
// them, on a clock moved past it), a retransmitted copy reaches his
// messenger again as new: it is recognised by its message ID (dropped as
// "duplicate", or the contact request re-applied to the same state), so
// nothing is shown or applied twice, and it is acknowledged, so Alice
// stops once the ACKs get through.
func TestRetransmittedAfterHorizonShownOnce(t *testing.T) {
	h := newHarness(t)
	clock := withDataSyncClock(shiftedClock{net: h.net})
	alice, bob := h.newNode(clock), h.newNode(clock)
	ctx := ctxT(t)
	var cut atomic.Bool
	cut.Store(true)
	h.net.SetDrop(func(from, to *transporttest.Endpoint, _ messenger.Envelope) bool {
		return cut.Load() && from == bob.ep && to == alice.ep
	})

	if _, err := alice.RequestContact(ctx, bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	waitState(t, bob, alice.PublicKey(), messenger.ContactRequestReceived)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	direct, err := alice.SendText(ctx, bob.PublicKey(), "hello bob")
	if err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, alice.PublicKey(), 1)
	g, err := alice.CreateGroup(ctx, "late copies", []string{bob.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	waitChat(t, bob, g.ID, "invitation", func(c *messenger.Chat) bool { return c.Active && len(c.Members) == 2 })
	if _, err := bob.JoinGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	group, err := alice.SendText(ctx, g.ID, "hello group")
	if err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, g.ID, 1)

	// Bob's MVDS released what he stored (the confirmations ride on its
	// next write): four IDs — the request, the 1:1 message, the g5 and the
	// group message — stamped before the clock moves.
	waitFor(t, "bob's MVDS released what he stored", func() bool {
		n, err := messenger.DataSyncReleased(ctx, bob.Messenger)
		return err == nil && n >= 4
	})
	dup := message.RuleDuplicate.String()
	before := bob.Dropped()[dup]
	contact := *contactOf(bob, alice.PublicKey())
	chat, err := bob.Chat(g.ID)
	if err != nil {
		t.Fatal(err)
	}
	groupEvents := len(bob.Groups().Events(g.ID))
	events := bob.Subscribe(1024)
	defer events.Unsubscribe()

	// Past the horizon: Bob's MVDS forgets the IDs at its next tick; the
	// next copies are delivered to his messenger again.
	h.net.Advance(datasync.DefaultConfig(mvds.PeerID{}).RetainReleased + time.Minute)
	waitDropped(t, bob, dup, before+3) // the 1:1 message, the g5, the group message
	if n := messenger.DataSyncStats(bob.Messenger).Forgotten; n < 4 {
		t.Fatalf("bob's MVDS forgot %d IDs, want at least 4", n)
	}

	if got := texts(t, bob, alice.PublicKey()); !slices.Equal(got, []string{"hello bob"}) {
		t.Fatalf("1:1 chat shows %q", got)
	}
	if got := texts(t, bob, g.ID); !slices.Equal(got, []string{"hello group"}) {
		t.Fatalf("group chat shows %q", got)
	}
	if n := len(bob.Groups().Events(g.ID)); n != groupEvents {
		t.Fatalf("group history has %d events, had %d", n, groupEvents)
	}
	if c, _ := bob.Chat(g.ID); c == nil || !slices.Equal(c.Members, chat.Members) || !slices.Equal(c.Joined, chat.Joined) || c.Unread != chat.Unread {
		t.Fatalf("group chat changed: %+v, was %+v", c, chat)
	}
	if c := contactOf(bob, alice.PublicKey()); c.State() != contact.State() || c.Name != contact.Name || c.LastUpdated != contact.LastUpdated {
		t.Fatalf("contact changed: %+v, was %+v", c, contact)
	}
	for len(events.C()) > 0 {
		switch ev := (<-events.C()).(type) {
		case messenger.MessageEvent, messenger.GroupMemberEvent:
			t.Fatalf("a late copy published %T %+v", ev, ev)
		case messenger.ContactEvent:
			if ev.Request {
				t.Fatalf("a late copy of the contact request is a new request: %+v", ev)
			}
		}
	}

	// The copies were acknowledged: once Bob's ACKs get through, Alice
	// stops retransmitting.
	cut.Store(false)
	waitDelivery(t, alice, []string{direct, group}, messenger.DeliveryAcked)
}

// TestDataSyncRetainIDs: Config.DataSyncRetainIDs is the horizon after
// which MVDS forgets the ID of a message it released. With an hour, Bob's
// MVDS forgets the ID of Alice's message once the clock has moved an hour
// past its release; with the default (a week) it would keep it, and the
// wait below would time out.
func TestDataSyncRetainIDs(t *testing.T) {
	h := newHarness(t)
	clock := withDataSyncClock(shiftedClock{net: h.net})
	alice := h.newNode(clock)
	bob := h.newNode(clock, func(c *messenger.Config) { c.DataSyncRetainIDs = time.Hour })
	ctx := ctxT(t)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendText(ctx, bob.PublicKey(), "hello bob"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, alice.PublicKey(), 1)
	waitFor(t, "bob's MVDS released the message", func() bool {
		n, err := messenger.DataSyncReleased(ctx, bob.Messenger)
		return err == nil && n >= 1
	})
	if n := messenger.DataSyncStats(bob.Messenger).Forgotten; n != 0 {
		t.Fatalf("bob's MVDS forgot %d IDs before the clock moved", n)
	}
	h.net.Advance(time.Hour + time.Minute)
	waitFor(t, "bob's MVDS forgets the ID an hour after its release", func() bool {
		return messenger.DataSyncStats(bob.Messenger).Forgotten >= 1
	})
}
