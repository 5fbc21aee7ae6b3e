package messenger

import (
	"context"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
)

// A contact update whose write fails is held, not counted or published;
// the retry stores it and publishes its ContactEvent once.
func TestContactStoreFailureHolds(t *testing.T) {
	r := newPubRig(t)
	clock := NewArmedClock(time.Unix(0, 0))
	r.d.hooks.retryClock = clock
	body, _, err := r.alice.c.encode(&message.Contact{Tag: message.TagContactUpdate, Name: "Alice"})
	if err != nil {
		t.Fatal(err)
	}
	in := inbound{msg: ReceivedMessage{Payload: body, Signer: &r.alice.key.PublicKey, Sent: r.bob.c.cfg.Now()},
		src: source{kind: srcDirect}}
	r.kv.fail = func(int) bool { return true }
	if o := r.d.process(body, &r.alice.key.PublicKey, in, "", nil, nil); o != outcomeFailed {
		t.Fatalf("outcome %d, want failed", o)
	}
	contacts := func() (n int) {
		for len(r.sub.C()) > 0 {
			if _, ok := (<-r.sub.C()).(ContactEvent); ok {
				n++
			}
		}
		return n
	}
	if n := contacts(); n != 0 || len(r.d.contacts.list()) != 0 || len(r.bob.c.cnt.snapshot()) != 0 {
		t.Fatalf("while failing: %d contact events, contacts %+v, drops %v", n, r.d.contacts.list(), r.bob.c.cnt.snapshot())
	}
	r.kv.fail = nil
	done := make(chan bool, 1)
	go func() { done <- r.d.retryHeld(make(chan struct{})) }()
	if err := clock.Advance(context.Background(), clock.Next(t)); err != nil {
		t.Fatal(err)
	}
	if !<-done {
		t.Fatal("retryHeld gave up")
	}
	if n, l := contacts(), r.d.contacts.list(); n != 1 || len(l) != 1 || l[0].Name != "Alice" {
		t.Fatalf("after recovery: %d contact events, contacts %+v", n, l)
	}
}

// A group message inside a g5 whose history was written but whose own
// write failed is held with the g5; the retry is not taken for a
// duplicate (the history's write does not mark the g5's ID processed):
// it stores the message, once, and then confirms the delivery.
func TestG5MessageStoreFailureHolds(t *testing.T) {
	alice, bob := newRig(t), newRig(t)
	kv := &faultKV{KV: bob.c.st.kv}
	*bob.c.st = *newStore(kv)
	clock := NewArmedClock(time.Unix(0, 0))
	d := newReceiver(bob, testHooks{retryClock: clock})
	chats := d.chats

	now := alice.c.cfg.Now()
	chatID := "5a1e7b41-0000-4000-8000-000000000000" + alice.c.selfHex
	body, id := g5WithMessage(t, alice, bob, chatID, now)
	dl := datasync.Delivery{Delivery: mvds.Delivery{From: alice.c.selfPeer, Message: mvds.Message{Timestamp: now.Unix(), Body: body}}}
	base := kv.writes
	kv.fail = func(n int) bool { return n > base+1 } // the history's write succeeds, the message's fails
	d.receiveDelivered(dl, nil)
	if c := chats.get(chatID); c == nil || c.Membership != "joined" {
		t.Fatalf("group not applied: %+v", c)
	}
	if ok, _ := bob.c.st.seen(id); ok || len(d.held) != 1 || len(bob.ds.confirmed) != 0 {
		t.Fatalf("stored %v, %d held, %d confirmed", ok, len(d.held), len(bob.ds.confirmed))
	}
	kv.fail = nil
	done := make(chan bool, 1)
	go func() { done <- d.retryHeld(make(chan struct{})) }()
	if err := clock.Advance(context.Background(), clock.Next(t)); err != nil {
		t.Fatal(err)
	}
	if !<-done {
		t.Fatal("retryHeld gave up")
	}
	m, err := bob.c.st.message(id)
	if err != nil || m.Text != "inside" {
		t.Fatalf("embedded message after the retry: %+v, %v", m, err)
	}
	if len(bob.ds.confirmed) != 1 || len(bob.c.cnt.snapshot()) != 0 {
		t.Fatalf("%d confirmed, drops %v", len(bob.ds.confirmed), bob.c.cnt.snapshot())
	}
}
