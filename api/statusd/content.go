package statusd

import (
	"encoding/json"
	"math"
	"unicode/utf8"

	"github.com/statusnode/statusd/api/internal/transitjson"
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
func fillContent(n *names, out *Message, m *messenger.Message) {
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
	out.Content = contentJSON(c)
	if q := m.Quoted; q != nil {
		out.Quoted = &Quoted{ID: q.ID, From: q.From, Alias: n.alias(q.From), Text: q.Text, ContentType: q.ContentType}
	}
}

// contentJSON is c's whole content map as JSON, nil when it is empty or
// cannot be written as Transit. It is what writing c as Transit, reading
// that back and converting the result to JSON gives; for a map of plain
// values (strings, keywords, integers, fractional numbers, arrays, sets,
// lists and maps with string or keyword keys, as received contents hold)
// that is the map converted directly, which is how it is done then (a
// plain map past Transit's default read limit, 1 MiB, now converts too).
// Other contents take the round trip.
func contentJSON(c *message.Content) json.RawMessage {
	m := message.ContentMap(c)
	if len(m.Entries) == 0 {
		return nil
	}
	if plainTransit(m, 0) {
		return transitJSON(m)
	}
	raw, err := transit.Encode(m)
	if err != nil {
		return nil
	}
	v, err := transit.Decode(raw)
	if err != nil {
		return nil
	}
	return transitJSON(v)
}

// plainDepth bounds the nesting plainTransit accepts, well inside the
// depth Transit writes and reads.
const plainDepth = 16

// plainTransit reports whether v converts to the same JSON directly as
// after a Transit write and read: values the writer keeps as they are and
// the reader gives back with the same type and JSON form. Integral floats
// (written as integers), tagged values, extension scalars, other key types
// and invalid UTF-8 (which the writer refuses) are not plain.
func plainTransit(v any, depth int) bool {
	if depth > plainDepth {
		return false
	}
	switch x := v.(type) {
	case nil, bool, int, int32, uint32, int64:
		return true
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0) && x != math.Trunc(x)
	case string:
		return utf8.ValidString(x)
	case transit.Keyword:
		return utf8.ValidString(string(x))
	case transit.Symbol:
		return utf8.ValidString(string(x))
	case []any:
		return plainAll(x, depth)
	case transit.List:
		return plainAll(x, depth)
	case transit.Set:
		return plainAll(x, depth)
	case *transit.Map:
		if x == nil {
			return false
		}
		for _, e := range x.Entries {
			switch k := e.Key.(type) {
			case string:
				if !utf8.ValidString(k) {
					return false
				}
			case transit.Keyword:
				if !utf8.ValidString(string(k)) {
					return false
				}
			default:
				return false
			}
			if !plainTransit(e.Value, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

func plainAll(xs []any, depth int) bool {
	for _, x := range xs {
		if !plainTransit(x, depth+1) {
			return false
		}
	}
	return true
}

// jsonValue is v as a JSON value (see transitJSON).
func jsonValue(v any) json.RawMessage { return transitJSON(v) }

// transitJSON writes a Transit value as JSON (transitjson.Marshal).
func transitJSON(v any) json.RawMessage { return transitjson.Marshal(v) }

// scalarString names a map key or scalar (transitjson.Name).
func scalarString(v any) string { return transitjson.Name(v) }
