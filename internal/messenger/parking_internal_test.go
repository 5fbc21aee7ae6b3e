package messenger

import (
	"context"
	"maps"
	"testing"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
)

// A group message inside a g5 (status-react's form) reaching an invitee
// twice is held twice, unconfirmed, with the g5's history applied and its
// ID not taken as handled. Joining shows it once (the second copy is a
// duplicate) and confirms both; a third copy after that is a duplicate
// too.
func TestHeldG5MessageShownOnce(t *testing.T) {
	alice, bob := newRig(t), newRig(t)
	d := newReceiver(bob, testHooks{})
	chats, g := d.chats, d.groups

	now := alice.c.cfg.Now()
	chatID := "6c3f9d20-0000-4000-8000-000000000000" + alice.c.selfHex
	u := message.MembershipUpdate{ChatID: chatID, Events: []message.MembershipEvent{
		{Type: message.EventChatCreated, Name: "g", ClockValue: now.UnixMilli()},
		{Type: message.EventMembersAdded, Members: []string{bob.c.selfHex}, ClockValue: now.UnixMilli() + 1}}}
	if err := u.Sign(alice.key); err != nil {
		t.Fatal(err)
	}
	cm := &message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePrivateGrp,
		Clock: now.UnixMilli()*message.ClockScale + 5, Timestamp: now.UnixMilli(), Content: message.Content{ChatID: chatID, Text: "inside"}}
	body, id, err := alice.c.encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: []message.MembershipUpdate{u}, Message: cm})
	if err != nil {
		t.Fatal(err)
	}
	dl := datasync.Delivery{Delivery: mvds.Delivery{From: alice.c.selfPeer, Message: mvds.Message{Timestamp: now.Unix(), Body: body}}}
	shown := func() int {
		t.Helper()
		l, err := bob.c.st.chatMessages(chatID)
		if err != nil {
			t.Fatal(err)
		}
		return len(l)
	}

	d.receiveDelivered(dl, nil)
	d.receiveDelivered(dl, nil)
	if c := chats.get(chatID); c == nil || c.Membership != "invited" {
		t.Fatalf("invitation not applied: %+v", c)
	}
	if seen, err := bob.c.st.seen(id); err != nil || seen {
		t.Fatalf("held g5 taken as handled: %v, %v", seen, err)
	}
	if n := shown(); n != 0 || d.parked.n != 2 || len(bob.ds.confirmed) != 0 || len(bob.c.cnt.snapshot()) != 0 {
		t.Fatalf("while invited: %d shown, %d parked, %d confirmed, drops %v", n, d.parked.n, len(bob.ds.confirmed), bob.c.cnt.snapshot())
	}

	if _, err := g.JoinGroup(context.Background(), chatID); err != nil {
		t.Fatal(err)
	}
	d.unpark(chatID)
	m, err := bob.c.st.message(id)
	if err != nil || m.Text != "inside" {
		t.Fatalf("held message after joining: %+v, %v", m, err)
	}
	want := map[string]uint64{message.RuleDuplicate.String(): 1}
	if n := shown(); n != 1 || d.parked.n != 0 || len(bob.ds.confirmed) != 2 || !maps.Equal(bob.c.cnt.snapshot(), want) {
		t.Fatalf("after joining: %d shown, %d parked, %d confirmed, drops %v", n, d.parked.n, len(bob.ds.confirmed), bob.c.cnt.snapshot())
	}

	d.receiveDelivered(dl, nil)
	want[message.RuleDuplicate.String()] = 2
	if n := shown(); n != 1 || len(bob.ds.confirmed) != 3 || !maps.Equal(bob.c.cnt.snapshot(), want) {
		t.Fatalf("copy after joining: %d shown, %d confirmed, drops %v", n, len(bob.ds.confirmed), bob.c.cnt.snapshot())
	}
}
