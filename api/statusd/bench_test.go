package statusd

import (
	"encoding/hex"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/transit"
)

// BenchmarkMessageEvent converts one received text message (content as
// the 2019 client sent it: text and its markdown tree) to its messages.new
// event, what an events subscription does for every message.
func BenchmarkMessageEvent(b *testing.B) {
	k, err := crypto.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	from := "0x" + hex.EncodeToString(crypto.FromECDSAPub(&k.PublicKey))
	kw := func(s string) transit.Keyword { return transit.Keyword(s) }
	c := message.TextContent(from, "bench 0/1")
	c.SetPrepared([]any{&transit.Map{Entries: []transit.Entry{{Key: kw("type"), Value: "paragraph"},
		{Key: kw("children"), Value: []any{&transit.Map{Entries: []transit.Entry{{Key: kw("literal"), Value: "bench 0/1"}}}}}}}}, 1, false, false)
	m := &messenger.Message{ID: "0x01", ChatID: from, From: from, Text: c.Text, ContentType: "text/plain",
		MessageType: "user-message", Clock: 1, Timestamp: 1, Content: c}
	s := New(nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		if ev := fromMessenger(s.names, messenger.MessageEvent{Message: m}); ev == nil {
			b.Fatal("no event")
		}
	}
}
