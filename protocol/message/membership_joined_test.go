package message

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// A member-joined update as statusd signs it is the one status-react's
// join-chat built: the event {type, clock-value, member} in that key order
// (its map literal's order, which Transit keeps), no other field; the
// signing string sorts the pairs (clock-value, member, type); the author
// recovers to the member.
func TestMemberJoinedWireForm(t *testing.T) {
	key, err := crypto.HexToECDSA(aliceKey)
	if err != nil {
		t.Fatal(err)
	}
	const chatID = "072ea460-84d3-53c5-9979-1ca36fb5d1020x0424a68f89ba5fcd5e0640c1e1f591d561fa4125ca4e2a43592bc4123eca10ce064e522c254bb83079ba404327f6eafc01ec90a1444331fe769d3f3a7f90b0dde1"
	u := MembershipUpdate{ChatID: chatID, Events: []MembershipEvent{{Type: EventMemberJoined, Member: alicePub, ClockValue: 156897373998503}}}
	wantSigning := `[[[["clock-value",156897373998503],["member","` + alicePub + `"],["type","member-joined"]]],"` + chatID + `"]`
	if got := string(SigningString(u.ChatID, u.Events)); got != wantSigning {
		t.Fatalf("signing string\n got %s\nwant %s", got, wantSigning)
	}
	if err := u.Sign(key); err != nil {
		t.Fatal(err)
	}
	raw, err := Encode(&MembershipUpdateMessage{ChatID: chatID, Updates: []MembershipUpdate{u}})
	if err != nil {
		t.Fatal(err)
	}
	want := `["~#g5",["` + chatID + `",["~#list",[["^ ","~:chat-id","` + chatID + `","~:events",[["^ ","~:type","member-joined",` +
		`"~:clock-value",156897373998503,"~:member","` + alicePub + `"]],"~:signature","` + u.Signature + `"]]],null]]`
	if string(raw) != want {
		t.Fatalf("transit\n got %s\nwant %s", raw, want)
	}
	p, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := p.(*MembershipUpdateMessage).Updates[0].RecoverAuthor()
	if err != nil || PubKeyHex(pub) != alicePub {
		t.Fatalf("author %v, %v; want %s", pub, err, alicePub)
	}
}
