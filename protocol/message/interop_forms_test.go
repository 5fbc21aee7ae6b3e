package message

import (
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestMembershipWithoutMessageElement: status-protocol-go encodes a g5 that
// carries no chat message as a 2-element array (no trailing null). It must
// decode and validate like status-react's 3-element form.
func TestMembershipWithoutMessageElement(t *testing.T) {
	var three string
	for _, x := range loadMsgVectors(t) {
		if x.Name == "g5 membership update (real)" {
			three = x.Input
		}
	}
	two := strings.TrimSuffix(three, ",null]]") + "]]"
	if two == three+"]]" || strings.Count(two, "null") != 0 {
		t.Fatalf("vector does not end in a null message element: %s", three)
	}
	now := time.UnixMilli(1568973739985)
	for name, in := range map[string]string{"status-react (3)": three, "status-protocol-go (2)": two} {
		p, err := Decode([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g := p.(*MembershipUpdateMessage)
		if g.Message != nil || len(g.Updates) != 1 {
			t.Fatalf("%s: message %v, %d updates", name, g.Message, len(g.Updates))
		}
		author, err := g.Updates[0].RecoverAuthor()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if id, err := Validate(p, Context{Now: now, Author: author}); err != nil || id != g.ChatID {
			t.Fatalf("%s: Validate = %q, %v", name, id, err)
		}
	}
}

// TestChatCreatedWithMember: status-protocol-go takes the group's creator
// and first admin from chat-created's member; status-react from the
// signer. statusd writes the member (equal to the signer) so both agree,
// and accepts both forms.
func TestChatCreatedWithMember(t *testing.T) {
	alice, err := crypto.HexToECDSA(aliceKey)
	if err != nil {
		t.Fatal(err)
	}
	me := PubKeyHex(&alice.PublicKey)
	chatID := "3a5d5d2e-5f7c-4a4e-9d3e-2f0f6e7d8c9b-" + me
	for _, member := range []string{"", me, strings.ToUpper(me[:2]) + me[2:]} {
		ev := MembershipEvent{Type: EventChatCreated, Name: "team", Member: member, ClockValue: 157000000000000}
		u := MembershipUpdate{ChatID: chatID, Events: []MembershipEvent{ev}}
		u.Sign(alice)
		p := &MembershipUpdateMessage{ChatID: chatID, Updates: []MembershipUpdate{u}}
		data, err := Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		if member != "" && !strings.Contains(string(data), `"~:member"`) {
			t.Fatalf("member not encoded: %s", data)
		}
		r, err := Receive(data, &alice.PublicKey, Context{Now: time.UnixMilli(1570000000000)})
		if err != nil {
			t.Fatalf("member %q: %v", member, err)
		}
		g := r.Payload.(*MembershipUpdateMessage)
		if got := g.Updates[0].Events[0].Member; got != member {
			t.Fatalf("member round trip: %q, want %q", got, member)
		}
	}
}
