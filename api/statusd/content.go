package statusd

import (
	"encoding/json"

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
	if raw, err := message.EncodeContent(*c); err == nil && string(raw) != `["^ "]` {
		if v, err := transit.Decode(raw); err == nil {
			out.Content = transitJSON(v)
		}
	}
	if q := m.Quoted; q != nil {
		out.Quoted = &Quoted{ID: q.ID, From: q.From, Alias: n.alias(q.From), Text: q.Text, ContentType: q.ContentType}
	}
}

// jsonValue is v as a JSON value (see transitJSON).
func jsonValue(v any) json.RawMessage { return transitJSON(v) }

// transitJSON writes a Transit value as JSON (transitjson.Marshal).
func transitJSON(v any) json.RawMessage { return transitjson.Marshal(v) }

// scalarString names a map key or scalar (transitjson.Name).
func scalarString(v any) string { return transitjson.Name(v) }
