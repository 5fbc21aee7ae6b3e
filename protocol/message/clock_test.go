package message

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	now := time.UnixMilli(1570000000000)
	var c Clock
	if v := c.Next(now); v != 157000000000001 {
		t.Fatalf("first = %d", v)
	}
	if v := c.Next(now); v != 157000000000002 {
		t.Fatalf("second = %d", v)
	}
	c.Observe(157000000000100, now)
	if v := c.Next(now); v != 157000000000101 {
		t.Fatalf("after observe = %d", v)
	}
	c.Observe(1<<62, now) // hostile peer: capped at the drift bound
	if c.Last() != MaxClock(now) {
		t.Fatalf("cap: %d want %d", c.Last(), MaxClock(now))
	}
	c2 := NewClock(5)
	c2.Observe(3, now) // never goes back
	if c2.Last() != 5 {
		t.Fatal("went back")
	}
	if CheckClock(MaxClock(now), now) != nil || RuleOf(CheckClock(MaxClock(now)+1, now)) != RuleClockDrift {
		t.Fatal("drift bound")
	}
	if RuleOf(CheckClock(0, now)) != RuleClock {
		t.Fatal("zero clock")
	}
}

func TestReceiveAccepts(t *testing.T) {
	alice, bob := keys(t)
	ctx := Context{Now: testNow}
	in := []byte(c4("hi", "text/plain", "user-message", 157000000000001, pub(bob)))
	r, err := Receive(in, &alice.PublicKey, ctx)
	if err != nil || r.ChatID != pub(alice) || r.Wrapped || r.ID != ID(&alice.PublicKey, in) {
		t.Fatalf("1:1 from alice: %+v %v", r, err)
	}
	w, _ := Wrap(in, bob) // relayed: wrapper signer wins over Whisper signer
	r, err = Receive(w, &alice.PublicKey, ctx)
	if err != nil || !r.Wrapped || r.ChatID != pub(bob) || r.ID != ID(&bob.PublicKey, w) {
		t.Fatalf("wrapped by bob: %+v %v", r, err)
	}
	ctx.Self = &alice.PublicKey // own device: content chat-id is used
	if r, err = Receive(in, &alice.PublicKey, ctx); err != nil || r.ChatID != pub(bob) {
		t.Fatalf("own device: %+v %v", r, err)
	}
	for _, r := range []Rule{RuleNone, RuleChatCleared, ruleCount} {
		if r.String() == "" {
			t.Fatal("empty rule name")
		}
	}
}
