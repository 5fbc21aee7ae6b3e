package messenger

import (
	"context"
	"testing"
	"time"

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
