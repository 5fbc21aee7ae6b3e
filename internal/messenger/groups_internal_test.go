package messenger

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"slices"
	"testing"

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
