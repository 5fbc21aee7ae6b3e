package statusd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/transit"
)

// Sticker is a sticker message's sticker.
type Sticker struct {
	Hash string `json:"hash"` // content hash of the sticker image
	// Pack is the sticker pack ID as the sender wrote it (a number from
	// 2019 clients).
	Pack any `json:"pack"`
}

// Command is a transaction command message's command (content type
// "command" or "command-request").
type Command struct {
	// Name is the command: "send" (a payment made) or "request" (a payment
	// asked for).
	Name string `json:"name"`
	// Scopes are the command-path scopes ("personal-chats").
	Scopes []string `json:"scopes"`
	// Params are the command's parameters as the sender wrote them: asset,
	// amount, network, address, tx-hash and, from 2019 clients, coin,
	// fiat-amount, currency.
	Params json.RawMessage `json:"params"`
}

// Quoted is the message a reply answers, when the node has it.
type Quoted struct {
	ID          string `json:"id"`
	From        string `json:"from"`
	Alias       string `json:"alias"`
	Text        string `json:"text"`
	ContentType string `json:"content_type"`
}

// fillContent sets the content-derived fields of out from m.Content.
func fillContent(out *Message, m *messenger.Message) {
	c := &m.Content
	out.Name = c.Name
	if c.ResponseToV2 != "" && c.ResponseTo != "" && c.ResponseTo != c.ResponseToV2 {
		out.ResponseToLegacy = c.ResponseTo
	}
	if c.Hash != "" {
		out.Sticker = &Sticker{Hash: c.Hash, Pack: jsonValue(c.Pack)}
	}
	if c.CommandPath != nil {
		cmd := &Command{Name: c.CommandName(), Params: transitJSON(c.Params)}
		if path, ok := c.CommandPath.([]any); ok && len(path) == 2 {
			if scopes, ok := path[1].(transit.Set); ok {
				for _, s := range scopes {
					cmd.Scopes = append(cmd.Scopes, scalarString(s))
				}
			}
		}
		out.Command = cmd
	}
	if raw, err := message.EncodeContent(*c); err == nil && string(raw) != `["^ "]` {
		if v, err := transit.Decode(raw); err == nil {
			out.Content = transitJSON(v)
		}
	}
	if q := m.Quoted; q != nil {
		out.Quoted = &Quoted{ID: q.ID, From: q.From, Alias: aliasOf(q.From), Text: q.Text, ContentType: q.ContentType}
	}
}

// jsonValue is v as a JSON value (see transitJSON).
func jsonValue(v any) json.RawMessage { return transitJSON(v) }

// transitJSON writes a Transit value as JSON: maps as objects in their
// order (keyword keys without the colon), vectors, lists and sets as
// arrays, keywords and symbols as their names, tagged values as
// {"tag": …, "rep": …}. Nothing a decoder returns is lost but the
// distinction between keywords and strings.
func transitJSON(v any) json.RawMessage {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case *transit.Map:
		if x == nil {
			b.WriteString("null")
			return
		}
		b.WriteByte('{')
		for i, e := range x.Entries {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, scalarString(e.Key))
			b.WriteByte(':')
			writeJSON(b, e.Value)
		}
		b.WriteByte('}')
	case []any:
		writeArray(b, x)
	case transit.List:
		writeArray(b, x)
	case transit.Set:
		writeArray(b, x)
	case transit.Tagged:
		b.WriteString(`{"tag":`)
		writeString(b, x.Tag)
		b.WriteString(`,"rep":`)
		writeJSON(b, x.Rep)
		b.WriteByte('}')
	case transit.Keyword, transit.Symbol, transit.Ext:
		writeString(b, scalarString(x))
	case *big.Int:
		b.WriteString(x.String())
	default:
		raw, err := json.Marshal(x)
		if err != nil {
			raw = []byte("null")
		}
		b.Write(raw)
	}
}

func writeArray(b *bytes.Buffer, xs []any) {
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(b, x)
	}
	b.WriteByte(']')
}

func writeString(b *bytes.Buffer, s string) {
	raw, _ := json.Marshal(s)
	b.Write(raw)
}

// scalarString names a map key or scalar: a keyword or symbol by its
// name, anything else as fmt prints it.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case transit.Keyword:
		return string(x)
	case transit.Symbol:
		return string(x)
	case transit.Ext:
		return "~" + string(x.Tag) + x.Rep
	}
	return fmt.Sprint(v)
}
