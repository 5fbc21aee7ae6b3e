package messenger

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/statusnode/statusd/protocol/message"
)

// TestNativeKindsAreClientBytes: the drafts of protocol/message's kind
// vectors (the bytes of the status-react build pinned to status-go
// v0.35.1) come out of draftMessage, with their clock and timestamp, as
// exactly those bytes — prepareContent's additions included. Commands are
// left out: statusd has no wallet data for their coin and price params.
func TestNativeKindsAreClientBytes(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "protocol", "message", "testdata", "kinds.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []struct {
		Name  string
		Input string
		Build struct {
			Kind, Text, Name, Hash string
			MessageType            string `json:"message_type"`
			ChatID                 string `json:"chat_id"`
			ReplyTo                string `json:"reply_to"`
			Pack, Clock, Timestamp int64
		}
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	r := newRig(t)
	b := newChatBook(r.c)
	n := 0
	for _, v := range vs {
		bv := v.Build
		if bv.Kind == "command" {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			b.c.cfg.ENSName = bv.Name
			chat := &Chat{ID: bv.ChatID, Type: ChatPublic}
			if bv.MessageType == string(message.TypeOneToOne) {
				chat.Type = ChatOneToOne
			}
			d := Draft{ContentType: message.ContentType(bv.Kind), Text: bv.Text, ReplyTo: bv.ReplyTo,
				StickerHash: bv.Hash, StickerPack: bv.Pack}
			if bv.Kind == "text" {
				d.ContentType = message.ContentText
			}
			cm, err := b.draftMessage(chat, d)
			if err != nil {
				t.Fatal(err)
			}
			cm.Clock, cm.Timestamp = bv.Clock, bv.Timestamp
			out, err := message.Encode(cm)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != v.Input {
				t.Fatalf("draft wrote\n %s\nwant\n %s", out, v.Input)
			}
		})
	}
	if n < 4 {
		t.Fatalf("%d vectors", n)
	}
}
