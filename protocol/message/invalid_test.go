package message

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

var testNow = time.UnixMilli(1570000000000)

func keys(t testing.TB) (alice, bob *ecdsa.PrivateKey) {
	a, err := crypto.HexToECDSA(aliceKey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := crypto.HexToECDSA(bobKey)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// c4 builds a layout (a) text message.
func c4(text, ct, mt string, clock any, chatID string) string {
	return fmt.Sprintf(`["~#c4",[%q,%q,"~:%s",%v,1570000000000,["^ ","~:chat-id",%q,"~:text",%q]]]`, text, ct, mt, clock, chatID, text)
}

func pub(k *ecdsa.PrivateKey) string { return PubKeyHex(&k.PublicKey) }

// cmd builds a 1:1 command message with the given command-path and params.
func cmd(path, params string) string {
	return `["~#c4",[["^ ","~:chat-id","x","~:command-path",` + path + `,"~:params",` + params + `],"command","~:user-message",1,2]]`
}

const cmdPath = `["send",["~#set",["~:personal-chats"]]]`

func TestReceiveInvalid(t *testing.T) {
	alice, bob := keys(t)
	group := "072ea460-84d3-53c5-9979-1ca36fb5d102" + pub(alice)
	maxClock := MaxClock(testNow)
	tooLongText := strings.Repeat("a", MaxTextBytes+1)
	badSigWrapper := EncodeWrapper(Wrapper{Signature: make([]byte, 65), Payload: []byte(c4("hi", "text/plain", "public-group-user-message", 1, "status"))})
	shortSigWrapper := EncodeWrapper(Wrapper{Signature: []byte{1, 2, 3}, Payload: []byte(c4("hi", "text/plain", "public-group-user-message", 1, "status"))})
	g5 := func(events, sig string) string {
		return fmt.Sprintf(`["~#g5",[%q,["~#list",[["^ ","~:chat-id",%q,"~:events",[%s],"~:signature",%q]]],null]]`, group, group, events, sig)
	}
	created := `["^ ","~:type","chat-created","~:name","n","~:clock-value",157000000000000]`
	signed := func(events []MembershipEvent, k *ecdsa.PrivateKey) string {
		u := MembershipUpdate{ChatID: group, Events: events}
		u.Sign(k)
		return u.Signature
	}
	createdEv := MembershipEvent{Type: EventChatCreated, Name: "n", ClockValue: 157000000000000}
	createdEvBy := func(k *ecdsa.PrivateKey) MembershipEvent {
		return MembershipEvent{Type: EventChatCreated, Name: "n", Member: pub(k), ClockValue: 157000000000000}
	}
	createdBy := func(k *ecdsa.PrivateKey) string {
		return fmt.Sprintf(`["^ ","~:type","chat-created","~:name","n","~:clock-value",157000000000000,"~:member",%q]`, pub(k))
	}
	removeAdmin := MembershipEvent{Type: EventAdminRemoved, Member: pub(bob), ClockValue: 157000000000001}

	cases := []struct {
		name   string
		data   string
		raw    []byte
		signer *ecdsa.PrivateKey // whisper signer; nil = unsigned
		self   *ecdsa.PrivateKey
		want   Rule
	}{
		{name: "empty", data: ``, want: RuleTransit},
		{name: "truncated c4", data: c4("hi", "text/plain", "user-message", 1, "x")[:40], want: RuleTransit},
		{name: "truncated mid-string", data: `["~#c4",["ab`, want: RuleTransit},
		{name: "not JSON", data: `hello`, want: RuleTransit},
		{name: "bad cache ref", data: `["^5",[]]`, want: RuleTransit},
		{name: "too deep", data: strings.Repeat("[", 100) + strings.Repeat("]", 100), want: RuleTransit},
		{name: "oversized payload", raw: make([]byte, MaxPayloadBytes+1), want: RuleTooLarge},
		{name: "not tagged", data: `["a","b"]`, want: RuleShape},
		{name: "top-level map", data: `["^ ","~:a",1]`, want: RuleShape},
		{name: "c4 rep not array", data: `["~#c4","x"]`, want: RuleShape},
		{name: "c4 too few elements", data: `["~#c4",["a","text/plain","~:user-message",1]]`, want: RuleShape},
		{name: "c4 too many elements", data: `["~#c4",["a","text/plain","~:user-message",1,2,["^ "],3]]`, want: RuleShape},
		{name: "c4 content-type not string", data: `["~#c4",["a",5,"~:user-message",1,2,["^ ","~:text","a"]]]`, want: RuleContentType},
		{name: "c4 message-type string not keyword", data: `["~#c4",["a","text/plain","user-message",1,2,["^ ","~:text","a"]]]`, want: RuleMessageType},
		{name: "c4 unknown message type", data: c4("hi", "text/plain", "broadcast", 1, "status"), signer: alice, want: RuleMessageType},
		{name: "unknown content type", data: c4("hi", "text/html", "public-group-user-message", 1, "status"), signer: alice, want: RuleContentType},
		{name: "status content type (status-react rejects)", data: c4("hi", "status", "public-group-user-message", 1, "status"), signer: alice, want: RuleContentType},
		{name: "blank emoji", data: `["~#c4",[["^ ","~:chat-id","status","~:text"," "],"emoji","~:public-group-user-message",1,2]]`, signer: alice, want: RuleText},
		{name: "sticker hash empty", data: `["~#c4",[["^ ","~:chat-id","status","~:hash","","~:pack",1],"sticker","~:public-group-user-message",1,2]]`, signer: alice, want: RuleSticker},
		{name: "reply to a short message ID", data: `["~#c4",["a","text/plain","~:public-group-user-message",1,2,["^ ","~:chat-id","status","~:text","a","~:response-to","0x1234"]]]`, signer: alice, want: RuleResponseTo},
		{name: "reply-v2 to a non-hex message ID", data: `["~#c4",["a","text/plain","~:public-group-user-message",1,2,["^ ","~:chat-id","status","~:text","a","~:response-to-v2","0x` + strings.Repeat("zz", 32) + `"]]]`, signer: alice, want: RuleResponseTo},
		{name: "command-path not a tuple", data: cmd(`"send"`, `["^ ","~:amount","1"]`), signer: alice, want: RuleCommand},
		{name: "command-path scopes empty", data: cmd(`["send",["~#set",[]]]`, `["^ ","~:amount","1"]`), signer: alice, want: RuleCommand},
		{name: "command scopes not a set", data: cmd(`["send",["~:personal-chats"]]`, `["^ ","~:amount","1"]`), signer: alice, want: RuleCommand},
		{name: "command params string key", data: cmd(cmdPath, `["^ ","amount","1"]`), signer: alice, want: RuleCommand},
		{name: "command without amount", data: cmd(cmdPath, `["^ ","~:asset","ETH"]`), signer: alice, want: RuleCommand},
		{name: "command amount not a number", data: cmd(cmdPath, `["^ ","~:asset","ETH","~:amount","ten"]`), signer: alice, want: RuleCommand},
		{name: "command amount hex", data: cmd(cmdPath, `["^ ","~:amount","0x10"]`), signer: alice, want: RuleCommand},
		{name: "command amount two separators", data: cmd(cmdPath, `["^ ","~:amount","1.5,2"]`), signer: alice, want: RuleCommand},
		{name: "command amount ends with separator", data: cmd(cmdPath, `["^ ","~:amount","1,"]`), signer: alice, want: RuleCommand},
		{name: "command amount a number", data: cmd(cmdPath, `["^ ","~:amount",1]`), signer: alice, want: RuleCommand},
		{name: "sticker content not map", data: `["~#c4",["x","sticker","~:public-group-user-message",1,2]]`, want: RuleShape},
		{name: "missing text", data: `["~#c4",["","text/plain","~:public-group-user-message",1,2,["^ ","~:chat-id","status"]]]`, signer: alice, want: RuleText},
		{name: "blank text", data: c4("  \n\t", "text/plain", "public-group-user-message", 1, "status"), signer: alice, want: RuleText},
		{name: "text not a string", data: `["~#c4",["a","text/plain","~:public-group-user-message",1,2,["^ ","~:chat-id","status","~:text",5]]]`, want: RuleText},
		{name: "oversized text", data: c4(tooLongText, "text/plain", "public-group-user-message", 1, "status"), signer: alice, want: RuleTextTooLong},
		{name: "clock zero", data: c4("hi", "text/plain", "public-group-user-message", 0, "status"), signer: alice, want: RuleClock},
		{name: "clock negative", data: c4("hi", "text/plain", "public-group-user-message", -5, "status"), signer: alice, want: RuleClock},
		{name: "clock float", data: c4("hi", "text/plain", "public-group-user-message", 1.5, "status"), want: RuleClock},
		{name: "clock string", data: c4("hi", "text/plain", "public-group-user-message", `"1"`, "status"), want: RuleClock},
		{name: "clock beyond 31 days", data: c4("hi", "text/plain", "public-group-user-message", maxClock+1, "status"), signer: alice, want: RuleClockDrift},
		{name: "clock beyond int64 (~i)", data: c4("hi", "text/plain", "public-group-user-message", `"~i99999999999999999999"`, "status"), want: RuleClock},
		{name: "clock max safe + 1", data: c4("hi", "text/plain", "public-group-user-message", `"~i9007199254740993"`, "status"), signer: alice, want: RuleClockDrift},
		{name: "timestamp string", data: `["~#c4",["a","text/plain","~:public-group-user-message",1,"now",["^ ","~:chat-id","status","~:text","a"]]]`, want: RuleTimestamp},
		{name: "timestamp negative", data: `["~#c4",["a","text/plain","~:public-group-user-message",1,-1,["^ ","~:chat-id","status","~:text","a"]]]`, signer: alice, want: RuleTimestamp},
		{name: "public without chat-id", data: `["~#c4",["a","text/plain","~:public-group-user-message",1,2,["^ ","~:text","a"]]]`, signer: alice, want: RuleChatID},
		{name: "public chat-id not a channel name", data: c4("hi", "text/plain", "public-group-user-message", 1, "Status Chat"), signer: alice, want: RuleChatIDMismatch},
		{name: "public chat-id is a public key", data: c4("hi", "text/plain", "public-group-user-message", 1, pub(bob)), signer: alice, want: RuleChatIDMismatch},
		{name: "chat-id not a string", data: `["~#c4",["a","text/plain","~:public-group-user-message",1,2,["^ ","~:chat-id",7,"~:text","a"]]]`, want: RuleChatID},
		{name: "public unsigned", data: c4("hi", "text/plain", "public-group-user-message", 1, "status"), want: RuleUnsigned},
		{name: "own 1:1 with non-key chat-id", data: c4("hi", "text/plain", "user-message", 1, "status"), signer: alice, self: alice, want: RuleChatIDMismatch},
		{name: "group message with public name", data: c4("hi", "text/plain", "group-user-message", 1, "status"), signer: alice, want: RuleChatIDMismatch},
		{name: "group message chat-id equal to key", data: c4("hi", "text/plain", "group-user-message", 1, pub(alice)), signer: alice, want: RuleChatIDMismatch},
		{name: "response-to not string", data: `["~#c4",["a","text/plain","~:user-message",1,2,["^ ","~:text","a","~:response-to",["x"]]]]`, want: RuleResponseTo},
		{name: "response-to-v2 not string", data: `["~#c4",["a","text/plain","~:user-message",1,2,["^ ","~:text","a","~:response-to-v2",1]]]`, want: RuleResponseTo},
		{name: "sticker without hash", data: `["~#c4",[["^ ","~:chat-id","status","~:pack",1],"sticker","~:public-group-user-message",1,2]]`, signer: alice, want: RuleSticker},
		{name: "command without params", data: `["~#c4",[["^ ","~:chat-id","status","~:command-path",["send",["~#set",["~:personal-chats"]]]],"command","~:public-group-user-message",1,2]]`, signer: alice, want: RuleCommand},
		{name: "params not a map", data: `["~#c4",[["^ ","~:params",1],"command","~:user-message",1,2]]`, want: RuleCommand},
		{name: "wrapper with zero signature", raw: badSigWrapper, signer: alice, want: RuleSignature},
		{name: "wrapper with short signature", raw: shortSigWrapper, signer: alice, want: RuleSignature},
		{name: "unknown tag", data: `["~#x9",[1,2]]`, signer: alice, want: RuleUnsupported},
		{name: "legacy c1", data: `["~#c1",["k","t",null]]`, signer: alice, want: RuleUnsupported},
		{name: "c2 wrong arity", data: `["~#c2",["a"]]`, signer: alice, want: RuleShape},
		{name: "c2 name not string", data: `["~#c2",[1,null,null,null,null]]`, signer: alice, want: RuleShape},
		{name: "c6 unsigned", data: `["~#c6",["a",null,null,null,null]]`, want: RuleUnsigned},
		{name: "c6 oversized photo", data: `["~#c6",["a","data:image/jpeg;base64,` + strings.Repeat("A", MaxProfileImageBytes) + `",null,null,null]]`, signer: alice, want: RuleProfileImage},
		{name: "c2 photo not a data URI", data: `["~#c2",["a","/sdcard/me.jpg",null,null,null]]`, signer: alice, want: RuleProfileImage},
		{name: "c3 photo not an image", data: `["~#c3",["a","data:text/html;base64,PGI+",null,null,null]]`, signer: alice, want: RuleProfileImage},
		{name: "p2 from someone else", data: `["~#p2",["id","desktop","name",null]]`, signer: bob, self: alice, want: RuleNotOwnDevice},
		{name: "p2 no installation id", data: `["~#p2",[null,"desktop","name",null]]`, signer: alice, self: alice, want: RuleShape},
		{name: "p1 contact key not string", data: `["~#p1",[["~#cmap",[1,["^ "]]],null,null]]`, signer: alice, self: alice, want: RuleShape},
		{name: "c5 not strings", data: `["~#c5",[1]]`, signer: alice, want: RuleShape},
		{name: "g5 bad chat id", data: `["~#g5",["status",["~#list",[]],null]]`, signer: alice, want: RuleChatID},
		{name: "g5 no updates", data: fmt.Sprintf(`["~#g5",[%q,["~#list",[]],null]]`, group), signer: alice, want: RuleEvent},
		{name: "g5 signature not hex", data: g5(created, "zz"), signer: alice, want: RuleSignature},
		{name: "g5 signature wrong V", data: g5(created, strings.Repeat("11", 64)+"05"), signer: alice, want: RuleSignature},
		{name: "g5 unknown event type", data: g5(`["^ ","~:type","party","~:clock-value",1]`, ""), signer: alice, want: RuleEvent},
		{name: "g5 event without clock", data: g5(`["^ ","~:type","chat-created","~:name","n"]`, ""), signer: alice, want: RuleClock},
		{name: "g5 members-added without members", data: g5(`["^ ","~:type","members-added","~:clock-value",1]`, ""), signer: alice, want: RuleEvent},
		{name: "g5 event clock not int", data: g5(`["^ ","~:type","chat-created","~:clock-value","x"]`, ""), signer: alice, want: RuleEvent},
		{name: "g5 creator is not chat id key", data: g5(created, signed([]MembershipEvent{createdEv}, bob)), signer: bob, want: RuleGroupCreator},
		{name: "g5 non-admin removes other admin", data: g5(created+`,["^ ","~:type","admin-removed","~:member",`+fmt.Sprintf("%q", pub(bob))+`,"~:clock-value",157000000000001]`,
			signed([]MembershipEvent{createdEv, removeAdmin}, alice)), signer: alice, want: RuleEventNotAllowed},
		{name: "g5 update for other chat", data: fmt.Sprintf(`["~#g5",[%q,["~#list",[["^ ","~:chat-id","other","~:events",[%s],"~:signature",""]]],null]]`, group, created), signer: alice, want: RuleChatIDMismatch},
		{name: "g5 one element", data: fmt.Sprintf(`["~#g5",[%q]]`, group), signer: alice, want: RuleShape},
		{name: "g5 four elements", data: fmt.Sprintf(`["~#g5",[%q,["~#list",[]],null,null]]`, group), signer: alice, want: RuleShape},
		{name: "g5 chat-created naming another member", data: g5(createdBy(bob), signed([]MembershipEvent{createdEvBy(bob)}, alice)), signer: alice, want: RuleEventNotAllowed},
		{name: "g5 message not c4", data: fmt.Sprintf(`["~#g5",[%q,["~#list",[]],["~#c5",[]]]]`, group), signer: alice, want: RuleShape},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.raw
			if data == nil {
				data = []byte(c.data)
			}
			ctx := Context{Now: testNow}
			var signer *ecdsa.PublicKey
			if c.signer != nil {
				signer = &c.signer.PublicKey
			}
			if c.self != nil {
				ctx.Self = &c.self.PublicKey
			}
			r, err := Receive(data, signer, ctx)
			if err == nil {
				t.Fatalf("accepted: %+v", r)
			}
			if got := RuleOf(err); got != c.want {
				t.Fatalf("rule = %v (%v), want %v", got, err, c.want)
			}
			if !errors.Is(err, c.want.Err()) || !strings.HasPrefix(err.Error(), "message: ") {
				t.Fatalf("error %q does not wrap %v", err, c.want.Err())
			}
		})
	}
}
