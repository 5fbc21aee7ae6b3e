package shhext

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/protocol/message"
)

// g5Payload returns a signed g5 creating group chatID with members, by
// key, as a frontend builds it, v1-wrapped.
func g5Payload(t *testing.T, key *ecdsa.PrivateKey, chatID string, embed *message.ChatMessage, members ...string) []byte {
	t.Helper()
	clock := time.Now().UnixMilli()
	u := message.MembershipUpdate{ChatID: chatID, Events: []message.MembershipEvent{
		{Type: message.EventChatCreated, Name: "frontend group", ClockValue: clock},
		{Type: message.EventMembersAdded, Members: members, ClockValue: clock}}}
	if err := u.Sign(key); err != nil {
		t.Fatal(err)
	}
	raw, err := message.Encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: []message.MembershipUpdate{u}, Message: embed})
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := message.Wrap(raw, key)
	if err != nil {
		t.Fatal(err)
	}
	return wrapped
}

// A g5 sent through shhext_sendDirectMessage or shhext_sendPublicMessage
// goes to the messenger's group pass-through whatever the recipient; one
// whose signature does not match its chat ID's creator is -32602 naming
// the rule; a g5 carrying a chat message sends that message to the group.
func TestSendMembershipUpdatePassThrough(t *testing.T) {
	f := newFakeMessenger()
	a := &ShhExtAPI{c: &core{m: f}}
	ctx := context.Background()
	self, err := crypto.HexToECDSA(strings.Repeat("11", 32))
	if err != nil {
		t.Fatal(err)
	}
	chatID := "9a3c1b2e-4d5f-4a6b-8c7d-0e1f2a3b4c5d" + selfKey
	payload := g5Payload(t, self, chatID, nil, aliceKey)

	id, err := a.SendDirectMessage(ctx, SendDirectMessageRequest{PubKey: alicePub(t), Payload: payload})
	if err != nil || id != "0xg5-1" {
		t.Fatalf("direct: %q, %v", id, err)
	}
	if id, err := a.SendPublicMessage(ctx, SendPublicMessageRequest{Chat: "ignored", Payload: payload}); err != nil || id != "0xg5-2" {
		t.Fatalf("public: %q, %v", id, err)
	}
	if c := f.ChatsByID[chatID]; c == nil || c.Name != "frontend group" {
		t.Fatalf("group chat %+v", c)
	}

	other, _ := crypto.GenerateKey()
	_, err = a.SendDirectMessage(ctx, SendDirectMessageRequest{PubKey: alicePub(t), Payload: g5Payload(t, other, chatID, nil, aliceKey)})
	var rpcErr rpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.ErrorCode() != -32602 || !strings.Contains(err.Error(), message.RuleGroupCreator.Err().Error()) {
		t.Fatalf("g5 signed by a non-creator: %v", err)
	}

	// A g5 carrying a group message (how a 2019 frontend sent one): the
	// updates bring nothing new, the message goes to the group.
	embed := &message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePrivateGrp,
		Clock: time.Now().UnixMilli(), Timestamp: time.Now().UnixMilli(), Content: message.Content{ChatID: chatID, Text: "hi group"}}
	id, err = a.SendDirectMessage(ctx, SendDirectMessageRequest{PubKey: alicePub(t), Payload: g5Payload(t, self, chatID, embed, aliceKey)})
	if err != nil || !strings.HasPrefix(id, "0x0") {
		t.Fatalf("g5 with a message: %q, %v", id, err)
	}
	if m := f.Msgs[len(f.Msgs)-1]; m.ChatID != chatID || m.Text != "hi group" || m.MessageType != string(message.TypePrivateGrp) {
		t.Fatalf("the embedded message sent as %+v", m)
	}
}

// alicePub is aliceKey as the 65 bytes shhext_sendDirectMessage takes.
func alicePub(t *testing.T) []byte {
	t.Helper()
	b, err := hexutil.Decode(aliceKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
