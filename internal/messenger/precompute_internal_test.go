package messenger

import (
	"fmt"
	"testing"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// precompute computes, on several goroutines, what message.Receive returns
// for each MVDS delivery and each public message that is not a
// ProtocolMessage — valid or not — and nothing for the rest or for a
// batch too small to spread.
func TestPrecomputeMatchesReceive(t *testing.T) {
	alice, bob := newRig(t), newRig(t)
	d := &dispatcher{c: bob.c}
	now := bob.c.cfg.Now()
	text := func(typ message.MessageType, chat string, i int) []byte {
		body, _, err := alice.c.encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: typ,
			Clock: now.UnixMilli() + int64(i), Timestamp: now.UnixMilli(), Content: message.Content{ChatID: chat, Text: fmt.Sprint(i)}})
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	var dels []datasync.Delivery
	for i := range 6 {
		body := text(message.TypeOneToOne, bob.c.selfHex, i)
		if i == 3 {
			body = body[:len(body)/2] // broken
		}
		dels = append(dels, datasync.Delivery{Delivery: mvds.Delivery{From: alice.c.selfPeer, Message: mvds.Message{Timestamp: now.Unix(), Body: body}}})
	}
	pm, err := encryption.EncodeProtocolMessage(&encryption.ProtocolMessage{InstallationID: "x", Public: text(message.TypePublicGroup, "chat", 9)})
	if err != nil {
		t.Fatal(err)
	}
	public := func(payload []byte, signed bool, kind sourceKind) inbound {
		in := inbound{msg: ReceivedMessage{Payload: payload}, src: source{kind: kind, chat: "chat"}}
		if signed {
			in.msg.Signer = &alice.key.PublicKey
		}
		return in
	}
	msgs := []inbound{
		public(text(message.TypePublicGroup, "chat", 7), true, srcPublic),
		public(text(message.TypePublicGroup, "other", 8), true, srcPublic),  // another chat: computed, dropped later
		public(pm, true, srcPublic),                                         // a ProtocolMessage: not computed
		public(text(message.TypePublicGroup, "chat", 10), false, srcPublic), // unsigned: not computed
		public(text(message.TypePublicGroup, "chat", 11), true, srcDirect),  // not public: not computed
	}
	preMsgs, preDels := d.precompute(msgs, dels, now)
	check := func(what string, pre *precomputed, data []byte) {
		t.Helper()
		r, err := message.Receive(data, &alice.key.PublicKey, message.Context{Now: now, Self: bob.c.self})
		if pre == nil {
			t.Fatalf("%s: not computed", what)
		}
		if (err == nil) != (pre.err == nil) || (err != nil && err.Error() != pre.err.Error()) {
			t.Fatalf("%s: computed error %v, want %v", what, pre.err, err)
		}
		if err == nil && (pre.r.ID != r.ID || pre.r.ChatID != r.ChatID || message.PubKeyHex(pre.r.Author) != message.PubKeyHex(r.Author)) {
			t.Fatalf("%s: computed %+v, want %+v", what, pre.r, r)
		}
	}
	for i, dl := range dels {
		check(fmt.Sprintf("delivery %d", i), preDels[i], dl.Body)
	}
	if preDels[3].err == nil {
		t.Fatal("broken delivery computed without error")
	}
	check("public 0", preMsgs[0], msgs[0].msg.Payload)
	check("public 1", preMsgs[1], msgs[1].msg.Payload)
	for i := 2; i < len(msgs); i++ {
		if preMsgs[i] != nil {
			t.Fatalf("message %d computed", i)
		}
	}
	if pm, pd := d.precompute(msgs[:1], dels[:2], now); pm != nil || pd != nil {
		t.Fatal("a batch of 3 was computed")
	}
}
