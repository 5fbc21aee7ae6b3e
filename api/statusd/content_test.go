package statusd

import (
	"encoding/json"
	"math"
	"math/big"
	"os"
	"testing"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/transit"
)

// roundTripJSON is contentJSON's reference: the content written as
// Transit, read back and converted.
func roundTripJSON(c *message.Content) json.RawMessage {
	raw, err := message.EncodeContent(*c)
	if err != nil || string(raw) == `["^ "]` {
		return nil
	}
	v, err := transit.Decode(raw)
	if err != nil {
		return nil
	}
	return transitJSON(v)
}

// TestContentJSONMatchesRoundTrip: the direct conversion of plain contents
// gives what the Transit round trip gives, for every chat message of the
// protocol vectors and for contents holding values that are not plain.
func TestContentJSONMatchesRoundTrip(t *testing.T) {
	var contents []message.Content
	for _, file := range []string{"../../protocol/message/testdata/vectors.json", "../../protocol/transit/testdata/vectors.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var vectors []struct{ Input string }
		if err := json.Unmarshal(data, &vectors); err != nil {
			t.Fatal(err)
		}
		for _, v := range vectors {
			if p, err := message.Decode([]byte(v.Input)); err == nil {
				if m, ok := p.(*message.ChatMessage); ok {
					contents = append(contents, m.Content)
				}
			}
		}
	}
	if len(contents) < 5 {
		t.Fatalf("only %d chat messages in the vectors", len(contents))
	}
	kw := func(s string) transit.Keyword { return transit.Keyword(s) }
	tree := []any{&transit.Map{Entries: []transit.Entry{{Key: kw("type"), Value: "paragraph"},
		{Key: kw("children"), Value: []any{&transit.Map{Entries: []transit.Entry{{Key: kw("literal"), Value: "hi \"there\" ~^"}}}}}}}}
	prepared := message.TextContent("0x04ab", "hi")
	prepared.SetPrepared(tree, 1, false, false)
	contents = append(contents, prepared, message.Content{}, message.StickerContent("c", "hash", int64(1)))
	for _, odd := range []any{
		1.5, 2.0, math.Copysign(0, -1), math.NaN(), math.Inf(1), 1e21, int64(1) << 60, uint64(math.MaxUint64),
		new(big.Int).Lsh(big.NewInt(1), 80), "\xff", transit.Keyword("a\xff"), transit.Symbol("s"),
		transit.Set{"a", kw("b")}, transit.List{int64(1), 2.5}, transit.Tagged{Tag: "x", Rep: "y"},
		transit.Tagged{Tag: "'", Rep: "q"}, transit.Ext{Tag: 'm', Rep: "123"}, "~tilde", "^ ", "`x", nil, true,
		&transit.Map{Entries: []transit.Entry{{Key: int64(3), Value: "int key"}}},
		&transit.Map{Entries: []transit.Entry{{Key: []any{"composite"}, Value: "cmap"}}},
		&transit.Map{Entries: []transit.Entry{{Key: "~k", Value: []any{"^ ", "x"}}}},
		[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{"deep"}}}}}}}}}}}}}}}}}},
		struct{}{},
	} {
		c := message.TextContent("c", "t")
		c.Extra = append(c.Extra, transit.Entry{Key: kw("odd"), Value: odd})
		contents = append(contents, c)
	}
	if !plainTransit(message.ContentMap(&prepared), 0) || !plainTransit(message.ContentMap(&contents[0]), 0) {
		t.Fatal("a received text and a prepared one should take the direct conversion")
	}
	for i := range contents {
		c := &contents[i]
		got, want := contentJSON(c), roundTripJSON(c)
		if string(got) != string(want) {
			t.Errorf("content %d (%+v):\n got  %s\n want %s", i, c.Extra, got, want)
		}
	}
}
