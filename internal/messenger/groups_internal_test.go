package messenger

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
)

// Groups: a created group is sent to each member's pair group; a received
// g5 that adds us opens the chat, one for a group we are not in is
// dropped; a member who is not an admin cannot rename.
func TestGroupsAlone(t *testing.T) {
	r := newRig(t)
	chats := newChatBook(r.c)
	subs := newSubscriptions(r.c, newInboundQueue(1, make(chan struct{}), nil))
	g := &Groups{c: r.c, chats: chats, direct: newDirectChats(r.c, chats, subs), running: func() error { return nil },
		updates: map[string][]message.MembershipUpdate{}}
	bob, carol := genKey(t), genKey(t)
	bobHex, carolHex := message.PubKeyHex(&bob.PublicKey), message.PubKeyHex(&carol.PublicKey)
	ch, err := g.CreateGroup(context.Background(), "g", []string{bobHex, carolHex})
	if err != nil || len(ch.Members) != 3 || !ch.Active {
		t.Fatalf("create: %+v, %v", ch, err)
	}
	for _, k := range []*ecdsa.PrivateKey{bob, carol} {
		if n := r.ds.appended(pairGroupOf(t, r.c, &k.PublicKey)); n != 1 {
			t.Fatalf("%d g5 appends to a member", n)
		}
	}

	received := func(creator *ecdsa.PrivateKey, members ...string) (recvContext, *message.MembershipUpdateMessage) {
		chatID := "9f0c2a5e-0000-4000-8000-000000000000" + message.PubKeyHex(&creator.PublicKey)
		u := message.MembershipUpdate{ChatID: chatID, Events: []message.MembershipEvent{
			{Type: message.EventChatCreated, Name: "theirs", ClockValue: 1570000000000},
			{Type: message.EventMembersAdded, Members: members, ClockValue: 1570000000001}}}
		if err := u.Sign(creator); err != nil {
			t.Fatal(err)
		}
		rc := recvContext{r: &message.Received{ID: "0x" + chatID[:8]}, author: message.PubKeyHex(&creator.PublicKey), src: source{kind: srcDirect}}
		return rc, &message.MembershipUpdateMessage{ChatID: chatID, Updates: []message.MembershipUpdate{u}}
	}
	rc, p := received(bob, r.c.selfHex)
	g.handle(rc, p)
	if ch := chats.get(p.ChatID); ch == nil || !ch.Active || !slices.Contains(ch.Members, r.c.selfHex) {
		t.Fatalf("received group: %+v", ch)
	}
	if _, err := g.Rename(context.Background(), p.ChatID, "mine"); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("rename as a member: %v", err)
	}
	rc, p = received(carol, bobHex)
	g.handle(rc, p)
	if chats.get(p.ChatID) != nil || r.c.cnt.snapshot()[ReasonNotMember] != 1 {
		t.Fatal("a group without us was stored")
	}
}

// A group message delivered by MVDS before the g5 that makes us a joined
// member (they share a payload, ordered by ID; here the history carries
// the member-joined one of our other devices signed) is parked
// unconfirmed, then stored once the g5 is handled; both deliveries are
// confirmed only after that.
func TestGroupMessageBeforeItsMembership(t *testing.T) {
	alice, bob := newRig(t), newRig(t)
	d := newReceiver(bob, testHooks{})

	now := alice.c.cfg.Now()
	chatID := "3d1c7a52-0000-4000-8000-000000000000" + alice.c.selfHex
	u := message.MembershipUpdate{ChatID: chatID, Events: []message.MembershipEvent{
		{Type: message.EventChatCreated, Name: "g", Member: alice.c.selfHex, ClockValue: now.UnixMilli()},
		{Type: message.EventMembersAdded, Members: []string{bob.c.selfHex}, ClockValue: now.UnixMilli() + 1}}}
	if err := u.Sign(alice.key); err != nil {
		t.Fatal(err)
	}
	joined := message.MembershipUpdate{ChatID: chatID, Events: []message.MembershipEvent{
		{Type: message.EventMemberJoined, Member: bob.c.selfHex, ClockValue: now.UnixMilli() + 2}}}
	if err := joined.Sign(bob.key); err != nil {
		t.Fatal(err)
	}
	g5, _, err := alice.c.encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: []message.MembershipUpdate{u, joined}})
	if err != nil {
		t.Fatal(err)
	}
	text, textID, err := alice.c.encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePrivateGrp,
		Clock: now.UnixMilli() + 3, Timestamp: now.UnixMilli(), Content: message.Content{ChatID: chatID, Text: "early"}})
	if err != nil {
		t.Fatal(err)
	}
	delivery := func(body []byte) datasync.Delivery {
		return datasync.Delivery{Delivery: mvds.Delivery{From: alice.c.selfPeer, Message: mvds.Message{Timestamp: now.Unix(), Body: body}}}
	}
	early, late := delivery(text), delivery(g5)

	d.receiveDelivered(early, nil)
	if len(bob.ds.confirmed) != 0 || d.parked.n != 1 {
		t.Fatalf("early message: %d confirmed, %d parked", len(bob.ds.confirmed), d.parked.n)
	}
	d.receiveDelivered(late, nil)
	if m, err := bob.c.st.message(textID); err != nil || m.Text != "early" {
		t.Fatalf("parked message not stored after its g5: %+v, %v", m, err)
	}
	if len(bob.ds.confirmed) != 2 || d.parked.n != 0 || len(bob.c.cnt.snapshot()) != 0 {
		t.Fatalf("%d confirmed, %d parked, drops %v", len(bob.ds.confirmed), d.parked.n, bob.c.cnt.snapshot())
	}
}

// A group message inside a g5, as status-react sent every group message:
// the history is merged and the message is stored in the group, with the
// g5's ID, once we have joined.
func TestGroupMessageInsideG5(t *testing.T) {
	alice, bob := newRig(t), newRig(t)
	d := newReceiver(bob, testHooks{})
	chats := d.chats

	now := alice.c.cfg.Now()
	chatID := "8e2d7b41-0000-4000-8000-000000000000" + alice.c.selfHex
	body, id := g5WithMessage(t, alice, bob, chatID, now)
	d.receiveDelivered(datasync.Delivery{Delivery: mvds.Delivery{From: alice.c.selfPeer, Message: mvds.Message{Timestamp: now.Unix(), Body: body}}}, nil)
	m, err := bob.c.st.message(id)
	if err != nil || m.Text != "inside" || m.ChatID != chatID || m.From != alice.c.selfHex {
		t.Fatalf("embedded message: %+v, %v", m, err)
	}
	if c := chats.get(chatID); c == nil || c.Membership != "joined" || len(bob.c.cnt.snapshot()) != 0 {
		t.Fatalf("chat %+v, drops %v", c, bob.c.cnt.snapshot())
	}
}

// newReceiver builds r's receive path — a dispatcher with its chat book,
// subscriptions, 1:1 chats, groups and contacts — without a running
// messenger, for tests that hand it payloads directly.
func newReceiver(r *rig, hooks testHooks) *dispatcher {
	chats := newChatBook(r.c)
	subs := newSubscriptions(r.c, newInboundQueue(1, make(chan struct{}), nil))
	direct := newDirectChats(r.c, chats, subs)
	g := &Groups{c: r.c, chats: chats, direct: direct, running: func() error { return nil },
		updates: map[string][]message.MembershipUpdate{}}
	return &dispatcher{c: r.c, subs: subs, chats: chats, public: &publicChats{c: r.c, chats: chats, subs: subs},
		direct: direct, groups: g, contacts: newContactBook(r.c), hooks: hooks}
}

// g5WithMessage encodes, as alice, the g5 of group chatID whose history
// (created by alice at now, bob added, bob joined — signed by bob, as his
// other device would) carries the chat message "inside"; it returns the
// payload and its ID.
func g5WithMessage(t *testing.T, alice, bob *rig, chatID string, now time.Time) (body []byte, id string) {
	t.Helper()
	sign := func(r *rig, evs ...message.MembershipEvent) message.MembershipUpdate {
		u := message.MembershipUpdate{ChatID: chatID, Events: evs}
		if err := u.Sign(r.key); err != nil {
			t.Fatal(err)
		}
		return u
	}
	hist := []message.MembershipUpdate{
		sign(alice, message.MembershipEvent{Type: message.EventChatCreated, Name: "g", ClockValue: now.UnixMilli()},
			message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{bob.c.selfHex}, ClockValue: now.UnixMilli()}),
		sign(bob, message.MembershipEvent{Type: message.EventMemberJoined, Member: bob.c.selfHex, ClockValue: now.UnixMilli() + 1}),
	}
	cm := &message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePrivateGrp,
		Clock: now.UnixMilli()*message.ClockScale + 5, Timestamp: now.UnixMilli(), Content: message.Content{ChatID: chatID, Text: "inside"}}
	body, id, err := alice.c.encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: hist, Message: cm})
	if err != nil {
		t.Fatal(err)
	}
	return body, id
}
