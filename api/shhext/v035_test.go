package shhext

import (
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
)

// contentOf keeps every key the wire carried, in wire order, as
// status-react's clj->json wrote its content map, and adds the prepared
// fields; a message saved without content (saveMessages) still has
// chat-id and text.
func TestContentOfEveryKind(t *testing.T) {
	cmd, ct, err := message.CommandContent(aliceKey, message.CommandSend,
		message.CommandParams{Asset: "ETH", Amount: "0.1", Network: "mainnet_rpc"})
	if err != nil {
		t.Fatal(err)
	}
	reply := message.TextContent("status", "yes")
	reply.ResponseToV2 = "0xabc"
	for _, c := range []struct {
		name string
		m    messenger.Message
		want string
	}{
		{"saved text", messenger.Message{ChatID: "status", Text: "hi", MessageType: "public-group-user-message"},
			`{"chat-id":"status","text":"hi","parsed-text":[{"type":"paragraph","children":[{"literal":"hi"}]}],"line-count":0,"rtl?":false}`},
		{"sticker", messenger.Message{ChatID: "status", Text: message.StickerFallbackText, MessageType: "public-group-user-message",
			ContentType: "sticker", Content: message.StickerContent("status", "e30101", int64(1))},
			`{"chat-id":"status","hash":"e30101","pack":1,"text":"Update to latest version to see a nice sticker here!",`},
		{"reply v2 only", messenger.Message{ChatID: "status", Text: "yes", ResponseTo: "0xabc", MessageType: "public-group-user-message",
			Content: reply}, `{"chat-id":"status","text":"yes","response-to":"0xabc","response-to-v2":"0xabc","parsed-text"`},
		{"received command", messenger.Message{ChatID: aliceKey, From: aliceKey, MessageType: "user-message", ContentType: string(ct), Content: cmd},
			`{"chat-id":"` + selfKey + `","text":"","command-path":["send",["personal-chats"]],"params":{"asset":"ETH","amount":"0.1","network":"mainnet_rpc"},"command-ref":["transactor","command",83,"send"]`},
	} {
		got := contentOf(&c.m, selfKey)
		if len(got) < len(c.want) || got[:len(c.want)] != c.want {
			t.Errorf("%s:\n got %s\nwant %s…", c.name, got, c.want)
		}
	}
}
