package shhext

import (
	"testing"

	"github.com/statusnode/statusd/protocol/message"
)

// TestDecodePayloadBareOrWrapped: a frontend's payload is read bare or in
// the v1 wrapper (signed or not); the Transit bytes inside are what is sent.
func TestDecodePayloadBareOrWrapped(t *testing.T) {
	c4 := []byte(`["~#c7",[["^ ","~:chat-id","status","~:text","hi"],"text/plain","~:public-group-user-message",1,2]]`)
	for name, payload := range map[string][]byte{
		"bare":    c4,
		"wrapped": message.EncodeWrapper(message.Wrapper{Payload: c4}),
	} {
		raw, p, err := decodePayload(payload)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cm, ok := p.(*message.ChatMessage)
		if string(raw) != string(c4) || !ok || cm.Content.Text != "hi" || cm.TransitTag() != message.TagChatMessageC7 {
			t.Fatalf("%s: %q %+v", name, raw, p)
		}
	}
	if _, _, err := decodePayload([]byte(`["~#c4",[1]]`)); err == nil || message.RuleOf(err) != message.RuleShape {
		t.Fatalf("bad payload: %v", err)
	}
}
