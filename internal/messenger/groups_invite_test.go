package messenger_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
)

// memberEvents collects the GroupMemberEvents a node publishes.
type memberEvents struct {
	sub *messenger.EventSubscription
}

func watchMembers(n *node) *memberEvents { return &memberEvents{sub: n.Subscribe(256)} }

// wait waits for the event {chatID, member, standing}.
func (w *memberEvents) wait(t *testing.T, chatID, member, standing string) messenger.GroupMemberEvent {
	t.Helper()
	var got messenger.GroupMemberEvent
	waitFor(t, "group event "+standing+" of "+member[:10], func() bool {
		for {
			select {
			case ev := <-w.sub.C():
				if e, ok := ev.(messenger.GroupMemberEvent); ok && e.ChatID == chatID && e.Member == member && e.Standing == standing {
					got = e
					return true
				}
			default:
				return false
			}
		}
	})
	return got
}

// An invitation from start to end, in the messenger: Bob and Carol are
// invited (their chats say so, an event tells them, Alice lists them as
// not joined); while invited, Bob may not send to the group and does not
// show Alice's message, which his node holds. Bob joins: a member-joined
// signed by him, naming him and nothing else, reaches Alice and Carol, who
// list him as joined; he now shows the held message and shows and sends
// group messages. Carol declines: a member-removed signed by her; her held
// message is dropped (counted); Alice sees her standing "declined" and she
// is no longer a member; her chat is inactive. Bob cannot decline once
// joined. Each side's standing survives a restart.
func TestGroupInvitation(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol := h.newNode(), h.newNode(), h.newNode()
	ctx := ctxT(t)
	aliceEv, bobEv, carolEv := watchMembers(alice), watchMembers(bob), watchMembers(carol)
	g, err := alice.CreateGroup(ctx, "trio", []string{bob.PublicKey(), carol.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	if g.Membership != "joined" || !slices.Equal(g.Joined, []string{alice.PublicKey()}) {
		t.Fatalf("creator's chat: membership %q, joined %v", g.Membership, g.Joined)
	}
	aliceEv.wait(t, g.ID, bob.PublicKey(), "invited")
	for _, n := range []*node{bob, carol} {
		waitChat(t, n, g.ID, "invitation", func(c *messenger.Chat) bool {
			return c.Active && c.Membership == "invited" && slices.Equal(c.Joined, []string{alice.PublicKey()})
		})
	}
	if e := bobEv.wait(t, g.ID, bob.PublicKey(), "invited"); !e.Self {
		t.Fatalf("bob's own invitation without Self: %+v", e)
	}
	carolEv.wait(t, g.ID, carol.PublicKey(), "invited")

	// Invited: nothing sent, nothing shown.
	if _, err := bob.SendText(ctx, g.ID, "too early"); !errors.Is(err, messenger.ErrNotMember) {
		t.Fatalf("send while invited: %v, want ErrNotMember", err)
	}
	early, err := alice.SendText(ctx, g.ID, "before you joined")
	if err != nil {
		t.Fatal(err)
	}
	// Both invitees' nodes have it (MVDS acked it) and hold it unshown.
	waitDelivery(t, alice, []string{early}, messenger.DeliveryAcked)
	for _, n := range []*node{bob, carol} {
		if got := texts(t, n, g.ID); len(got) != 0 {
			t.Fatalf("%s shows %q while invited", n.PublicKey()[:10], got)
		}
		if d := n.Dropped()[messenger.ReasonNotJoined]; d != 0 {
			t.Fatalf("held message dropped as not-joined (%d)", d)
		}
	}

	// Bob joins.
	c, err := bob.JoinGroup(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Membership != "joined" || !c.Active {
		t.Fatalf("bob after join: %+v", c)
	}
	// Joining shows what was held.
	if got := waitTexts(t, bob, g.ID, 1); got[0] != "before you joined" {
		t.Fatalf("bob shows %q after joining", got)
	}
	if again, err := bob.JoinGroup(ctx, g.ID); err != nil || again.Membership != "joined" {
		t.Fatalf("second join: %+v, %v", again, err)
	}
	if e := aliceEv.wait(t, g.ID, bob.PublicKey(), "joined"); e.Self {
		t.Fatalf("bob's join seen by alice with Self: %+v", e)
	}
	carolEv.wait(t, g.ID, bob.PublicKey(), "joined")
	waitChat(t, alice, g.ID, "bob joined", func(c *messenger.Chat) bool { return slices.Contains(c.Joined, bob.PublicKey()) })
	checkJoinEvent(t, alice.GroupHistory(g.ID), bob)
	if _, err := bob.DeclineGroup(ctx, g.ID); !errors.Is(err, messenger.ErrNotAllowed) {
		t.Fatalf("decline after join: %v, want ErrNotAllowed", err)
	}

	// Carol declines.
	c, err = carol.DeclineGroup(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Membership != "declined" || c.Active {
		t.Fatalf("carol after decline: %+v", c)
	}
	// Declining drops what was held, visibly.
	waitDropped(t, carol, messenger.ReasonNotMember, 1)
	aliceEv.wait(t, g.ID, carol.PublicKey(), "declined")
	bobEv.wait(t, g.ID, carol.PublicKey(), "declined")
	waitChat(t, alice, g.ID, "carol gone", func(c *messenger.Chat) bool {
		return !slices.Contains(c.Members, carol.PublicKey()) && !slices.Contains(c.Joined, carol.PublicKey())
	})
	if _, err := carol.JoinGroup(ctx, g.ID); !errors.Is(err, messenger.ErrNotMember) {
		t.Fatalf("join after decline: %v, want ErrNotMember", err)
	}

	// Joined members talk; Carol hears nothing more.
	if _, err := alice.SendText(ctx, g.ID, "welcome"); err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, bob, g.ID, 2); got[1] != "welcome" {
		t.Fatalf("bob shows %q", got)
	}
	if _, err := bob.SendText(ctx, g.ID, "thanks"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, g.ID, 3)
	if got := texts(t, carol, g.ID); len(got) != 0 {
		t.Fatalf("carol shows %q after declining", got)
	}

	// Restart: the standings are kept.
	for _, n := range []**node{&bob, &carol} {
		old := *n
		if err := old.Stop(); err != nil {
			t.Fatal(err)
		}
		h.net.SetOnline(old.ep, false)
		*n = h.start(old.key, old.db)
	}
	for n, want := range map[*node]string{bob: "joined", carol: "declined"} {
		c, err := n.Chat(g.ID)
		if err != nil || c.Membership != want {
			t.Fatalf("after restart: %+v, %v; want membership %q", c, err, want)
		}
	}
}

// checkJoinEvent finds member's member-joined in hist: one event, signed
// by member, naming member, with a clock and no other field (status-react
// join-chat).
func checkJoinEvent(t *testing.T, hist []message.MembershipUpdate, member *node) {
	t.Helper()
	for _, u := range hist {
		for _, ev := range u.Events {
			if ev.Type != message.EventMemberJoined {
				continue
			}
			pub, err := u.RecoverAuthor()
			if err != nil || message.PubKeyHex(pub) != member.PublicKey() || len(u.Events) != 1 {
				t.Fatalf("member-joined update %+v (author %v)", u, err)
			}
			if ev.Member != member.PublicKey() || ev.ClockValue == 0 || ev.Name != "" || len(ev.Members) != 0 {
				t.Fatalf("member-joined event %+v", ev)
			}
			return
		}
	}
	t.Fatal("no member-joined in the history")
}

// A group we were added to by a build that joined silently (its chat
// says nothing of our standing) is an invitation once loaded: its history
// holds no member-joined of ours. A group we created stays joined.
func TestGroupStandingRepairedOnLoad(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	ctx := ctxT(t)
	g, err := alice.CreateGroup(ctx, "duo", []string{bob.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	waitChat(t, bob, g.ID, "invitation", func(c *messenger.Chat) bool { return c.Membership == "invited" })
	for _, n := range []**node{&alice, &bob} {
		old := *n
		if err := old.Stop(); err != nil {
			t.Fatal(err)
		}
		messenger.ForgetStanding(t, old.db, g.ID)
		h.net.SetOnline(old.ep, false)
		*n = h.start(old.key, old.db)
	}
	for n, want := range map[*node]string{alice: "joined", bob: "invited"} {
		c, err := n.Chat(g.ID)
		if err != nil || c.Membership != want || len(c.Joined) != 1 {
			t.Fatalf("after load: %+v, %v; want membership %q", c, err, want)
		}
	}
}

// A g5 built and signed outside the messenger (a 2019 frontend's) is
// applied and sent as our own changes are: the creation reaches Bob as an
// invitation, a later members-added reaches Carol with the whole history;
// the same payload again (the frontend sends it once per member) changes
// and sends nothing and gives the same message ID; an update that replay
// refuses (Bob is no admin) is ErrInvalidMessage when the g5 carries the
// whole history (the validator replays it) and ErrNotAllowed when it
// comes alone (the merge refuses it), a broken signature
// ErrInvalidMessage naming the signature rule; nothing of either is kept.
func TestGroupUpdatesPassedThrough(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol, dave := h.newNode(), h.newNode(), h.newNode(), h.newNode()
	ctx := ctxT(t)
	chatID := "0b4b6b49-7f7a-4b8e-9d2c-5a0c8e9f1a2b" + alice.PublicKey()
	clock := h.net.Now().UnixMilli()
	sign := func(k *node, evs ...message.MembershipEvent) message.MembershipUpdate {
		u := message.MembershipUpdate{ChatID: chatID, Events: evs}
		if err := u.Sign(k.key); err != nil {
			t.Fatal(err)
		}
		return u
	}
	hist := []message.MembershipUpdate{sign(alice,
		message.MembershipEvent{Type: message.EventChatCreated, Name: "from a frontend", ClockValue: clock},
		message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{bob.PublicKey()}, ClockValue: clock})}
	send := func(updates ...message.MembershipUpdate) (*messenger.Chat, string, error) {
		return alice.Groups().SendUpdates(ctx, &message.MembershipUpdateMessage{ChatID: chatID, Updates: updates})
	}
	c, id1, err := send(hist...)
	if err != nil {
		t.Fatal(err)
	}
	if c.Membership != "joined" || c.Name != "from a frontend" {
		t.Fatalf("alice's chat: %+v", c)
	}
	waitChat(t, bob, chatID, "bob invited", func(c *messenger.Chat) bool { return c.Membership == "invited" })

	hist = append(hist, sign(alice, message.MembershipEvent{Type: message.EventMembersAdded,
		Members: []string{carol.PublicKey()}, ClockValue: clock + 1}))
	if _, _, err := send(hist...); err != nil {
		t.Fatal(err)
	}
	waitChat(t, carol, chatID, "carol invited", func(c *messenger.Chat) bool { return c.Membership == "invited" && len(c.Members) == 3 })
	waitChat(t, bob, chatID, "bob sees carol", func(c *messenger.Chat) bool { return len(c.Members) == 3 })
	_, idA, err := send(hist...)
	if err != nil {
		t.Fatal(err)
	}
	_, idB, err := send(hist...)
	if err != nil || idA != idB || idA == id1 {
		t.Fatalf("repeated payload: ids %s, %s (first %s), %v", idA, idB, id1, err)
	}
	if n := len(alice.GroupHistory(chatID)); n != 2 {
		t.Fatalf("history of %d updates, want 2", n)
	}

	byBob := sign(bob, message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{dave.PublicKey()}, ClockValue: clock + 2})
	if _, _, err := send(append(slices.Clone(hist), byBob)...); !errors.Is(err, messenger.ErrInvalidMessage) ||
		message.RuleOf(err) != message.RuleEventNotAllowed {
		t.Fatalf("non-admin's update with the history: %v, want ErrInvalidMessage (%v)", err, message.RuleEventNotAllowed)
	}
	if _, _, err := send(byBob); !errors.Is(err, messenger.ErrNotAllowed) {
		t.Fatalf("non-admin's update alone: %v, want ErrNotAllowed", err)
	}
	broken := sign(alice, message.MembershipEvent{Type: message.EventNameChanged, Name: "x", ClockValue: clock + 3})
	broken.Signature = broken.Signature[:len(broken.Signature)-2] + "ff"
	_, _, err = send(broken)
	if !errors.Is(err, messenger.ErrInvalidMessage) || message.RuleOf(err) != message.RuleSignature {
		t.Fatalf("broken signature: %v (rule %v), want ErrInvalidMessage and %v", err, message.RuleOf(err), message.RuleSignature)
	}
	if n := len(alice.GroupHistory(chatID)); n != 2 {
		t.Fatalf("history of %d updates after refusals, want 2", n)
	}
	if c, err := alice.Chat(chatID); err != nil || c.Name != "from a frontend" || len(c.Members) != 3 {
		t.Fatalf("alice's chat after refusals: %+v, %v", c, err)
	}
}

// A member who had not yet seen Carol decline still sends her its change:
// Bob, offline while Carol declines, joins; his member-joined reaches
// Carol too. Her node merges it into the group's history but shows
// nothing: no event of Bob's join, no chat change, the chat still
// declined and inactive.
func TestDeclinedSeesNoLaterChange(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol := h.newNode(), h.newNode(), h.newNode()
	ctx := ctxT(t)
	aliceEv := watchMembers(alice)
	g, err := alice.CreateGroup(ctx, "trio", []string{bob.PublicKey(), carol.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{bob, carol} {
		waitChat(t, n, g.ID, "invitation", func(c *messenger.Chat) bool { return c.Membership == "invited" })
	}
	h.net.SetOnline(bob.ep, false)
	if _, err := carol.DeclineGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	aliceEv.wait(t, g.ID, carol.PublicKey(), "declined")
	carolSub := carol.Subscribe(256)
	if _, err := bob.JoinGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	h.net.SetOnline(bob.ep, true)
	aliceEv.wait(t, g.ID, bob.PublicKey(), "joined")
	waitFor(t, "carol's node merges bob's join", func() bool {
		for _, u := range carol.GroupHistory(g.ID) {
			for _, ev := range u.Events {
				if ev.Type == message.EventMemberJoined && ev.Member == bob.PublicKey() {
					return true
				}
			}
		}
		return false
	})
	for {
		select {
		case ev := <-carolSub.C():
			switch e := ev.(type) {
			case messenger.GroupMemberEvent:
				t.Fatalf("carol, who declined, got %+v", e)
			case messenger.ChatEvent:
				if e.Chat.ID == g.ID {
					t.Fatalf("carol, who declined, got a chat change: %+v", e.Chat)
				}
			}
			continue
		default:
		}
		break
	}
	c, err := carol.Chat(g.ID)
	if err != nil || c.Membership != "declined" || c.Active {
		t.Fatalf("carol's chat: %+v, %v", c, err)
	}
}
