package messenger

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/statusnode/statusd/protocol/markdown"
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

// TestPlainTransitMatchesJSON: the tree of a one-literal text built
// without the JSON decoder is the decoder's, value for value; any other
// tree takes the decoder's path.
func TestPlainTransitMatchesJSON(t *testing.T) {
	compared := 0
	for _, text := range []string{"hi", "bench 0/123", "What's up, doc?", "héllo wörld", "a  b", "日本語",
		"*bold*", "two\nlines", `quote " and \ backslash`, "# heading", "tab\there", "> quoted", "`code`", "x"} {
		tree, err := markdown.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jsonToTransit(tree)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := plainTransit(tree)
		if !ok {
			continue // not one literal, or escaped: the decoder's path
		}
		compared++
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: plain path %#v, decoder %#v", text, got, want)
		}
	}
	if compared < 5 {
		t.Fatalf("only %d texts took the plain path", compared)
	}
	for _, tree := range []string{`[{"type":"paragraph","children":[{"literal":"a"},{"literal":"b"}]}]`,
		`[{"type":"paragraph","children":[{"literal":"a\"b"}]}]`, `[]`, `[{"type":"paragraph","children":[{"literal":"`} {
		if v, ok := plainTransit([]byte(tree)); ok {
			t.Errorf("%s taken as one literal: %#v", tree, v)
		}
	}
	if _, ok := plainTransit([]byte(`[{"type":"paragraph","children":[{"literal":"bench 0/1"}]}]`)); !ok {
		t.Error("a plain literal not taken")
	}
}
