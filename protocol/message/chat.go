package message

import (
	"fmt"

	"github.com/statusnode/statusd/protocol/transit"
)

// ChatMessage is a c4 (or reader-only c7) chat message (docs/PROTOCOL.md §1.4).
// Decode fills it from either layout; Encode writes status-react's layout:
// 6 elements for text/plain, 5 with the content map first otherwise (always
// 5 for c7).
type ChatMessage struct {
	Tag         string // TagChatMessage ("" means c4) or TagChatMessageC7
	ContentType ContentType
	MessageType MessageType
	Clock       int64 // Lamport clock-value (§1.6)
	Timestamp   int64 // sender Unix ms; 0 = absent (written as null)
	Content     Content
	// Layout6 records that the message arrived in the 6-element layout (a).
	Layout6 bool
}

// TransitTag implements Payload.
func (m *ChatMessage) TransitTag() string {
	if m.Tag == "" {
		return TagChatMessage
	}
	return m.Tag
}

// Content is the c4 content map. Known keys are typed; any other key is kept
// in Extra. KeyOrder, filled by Decode, lists the wire order of keys so that
// a decoded message re-encodes byte-for-byte; with a nil KeyOrder Encode uses
// defaultContentOrder. A string field is present iff non-empty.
type Content struct {
	ChatID       string
	Text         string
	ResponseTo   string // legacy reply reference (old-style message ID)
	ResponseToV2 string // reply reference = message ID (§1.10)
	Name         string // sender's ENS/preferred name
	Hash         string // sticker content hash
	Pack         any    // sticker pack id (a number in practice; type UNCONFIRMED)
	CommandPath  any    // command tuple [name, #{scopes}]
	Params       *transit.Map
	Extra        []transit.Entry // unknown keys, wire order
	KeyOrder     []any           // wire order of all keys (transit keys)
}

// ReplyTo returns the replied-to message ID: response-to-v2 if present,
// else legacy response-to (status-react reader rule, §1.4).
func (c *Content) ReplyTo() string {
	if c.ResponseToV2 != "" {
		return c.ResponseToV2
	}
	return c.ResponseTo
}

var defaultContentOrder = []string{
	"chat-id", "text", "response-to", "response-to-v2", "name", "hash", "pack", "command-path", "params",
}

func decodeChat(tag string, rep any) (*ChatMessage, error) {
	arr, ok := rep.([]any)
	if !ok || (len(arr) != 5 && len(arr) != 6) || (tag == TagChatMessageC7 && len(arr) != 5) {
		return nil, reject(RuleShape, "%s: want 5 or 6 elements", tag)
	}
	m := &ChatMessage{Layout6: len(arr) == 6}
	if tag != TagChatMessage {
		m.Tag = tag
	}
	ct, ok := arr[1].(string)
	if !ok {
		return nil, reject(RuleContentType, "content-type is %T", arr[1])
	}
	m.ContentType = ContentType(ct)
	mt, ok := arr[2].(transit.Keyword)
	if !ok {
		return nil, reject(RuleMessageType, "message-type is %T", arr[2])
	}
	m.MessageType = MessageType(mt)
	if m.Clock, ok = integer(arr[3]); !ok {
		return nil, reject(RuleClock, "clock-value is %T", arr[3])
	}
	if arr[4] != nil {
		if m.Timestamp, ok = integer(arr[4]); !ok {
			return nil, reject(RuleTimestamp, "timestamp is %T", arr[4])
		}
	}
	content := arr[0]
	if m.Layout6 {
		content = arr[5]
	}
	var err error
	m.Content, err = decodeContent(content, m.ContentType)
	return m, err
}

// decodeContent reads the content element. For text/plain a non-map value
// is coerced to {:text (str value)} as status-react does.
func decodeContent(v any, ct ContentType) (Content, error) {
	cm, ok := v.(*transit.Map)
	if !ok {
		if ct != ContentText {
			return Content{}, reject(RuleShape, "content is %T", v)
		}
		if s, ok := v.(string); ok {
			return Content{Text: s}, nil
		}
		return Content{Text: coerceString(v)}, nil
	}
	var c Content
	c.KeyOrder = make([]any, 0, len(cm.Entries))
	for _, e := range cm.Entries {
		c.KeyOrder = append(c.KeyOrder, e.Key)
		if err := c.setField(e); err != nil {
			return Content{}, err
		}
	}
	return c, nil
}

func (c *Content) setField(e transit.Entry) error {
	var (
		dst  *string
		rule = RuleShape
	)
	switch keywordName(e.Key) {
	case "chat-id":
		dst, rule = &c.ChatID, RuleChatID
	case "text":
		dst, rule = &c.Text, RuleText
	case "response-to":
		dst, rule = &c.ResponseTo, RuleResponseTo
	case "response-to-v2":
		dst, rule = &c.ResponseToV2, RuleResponseTo
	case "name":
		dst = &c.Name
	case "hash":
		dst, rule = &c.Hash, RuleSticker
	case "pack":
		c.Pack = e.Value
		return nil
	case "command-path":
		c.CommandPath = e.Value
		return nil
	case "params":
		p, ok := e.Value.(*transit.Map)
		if !ok && e.Value != nil {
			return reject(RuleCommand, "params is %T", e.Value)
		}
		c.Params = p
		return nil
	default:
		c.Extra = append(c.Extra, e)
		return nil
	}
	s, ok := str(e.Value)
	if !ok {
		return reject(rule, "content %v is %T, want string", e.Key, e.Value)
	}
	*dst = s
	return nil
}

// coerceString renders a scalar the way ClojureScript's str would for the
// values that appear in practice (numbers, keywords, booleans, nil → "").
func coerceString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case transit.Keyword:
		return ":" + string(x)
	}
	return fmt.Sprint(v)
}

// field returns the typed value of a known key and whether it is present.
func (c *Content) field(name string) (any, bool) {
	switch name {
	case "chat-id":
		return c.ChatID, c.ChatID != ""
	case "text":
		return c.Text, c.Text != ""
	case "response-to":
		return c.ResponseTo, c.ResponseTo != ""
	case "response-to-v2":
		return c.ResponseToV2, c.ResponseToV2 != ""
	case "name":
		return c.Name, c.Name != ""
	case "hash":
		return c.Hash, c.Hash != ""
	case "pack":
		return c.Pack, c.Pack != nil
	case "command-path":
		return c.CommandPath, c.CommandPath != nil
	case "params":
		return c.Params, c.Params != nil
	}
	return nil, false
}

// toMap builds the content map in KeyOrder, then any remaining present
// fields in default order, then remaining Extra entries.
func (c *Content) toMap() *transit.Map {
	m := &transit.Map{Entries: make([]transit.Entry, 0, len(c.KeyOrder)+2)}
	done := make(map[string]bool, len(defaultContentOrder))
	usedExtra := make([]bool, len(c.Extra))
	for _, k := range c.KeyOrder {
		if name := keywordName(k); name != "" {
			if v, ok := c.field(name); ok && !done[name] {
				m.Entries = append(m.Entries, transit.Entry{Key: k, Value: v})
				done[name] = true
				continue
			}
		}
		for i, e := range c.Extra {
			if !usedExtra[i] && transit.Equal(e.Key, k) {
				m.Entries = append(m.Entries, e)
				usedExtra[i] = true
				break
			}
		}
	}
	for _, name := range defaultContentOrder {
		if v, ok := c.field(name); ok && !done[name] {
			m.Entries = append(m.Entries, transit.Entry{Key: transit.Keyword(name), Value: v})
		}
	}
	for i, e := range c.Extra {
		if !usedExtra[i] {
			m.Entries = append(m.Entries, e)
		}
	}
	return m
}

func (m *ChatMessage) toTransit() any {
	var ts any
	if m.Timestamp != 0 {
		ts = m.Timestamp
	}
	content := m.Content.toMap()
	mt := transit.Keyword(m.MessageType)
	if m.ContentType == ContentText && m.TransitTag() == TagChatMessage {
		return transit.Tagged{Tag: TagChatMessage, Rep: []any{
			m.Content.Text, string(m.ContentType), mt, m.Clock, ts, content,
		}}
	}
	return transit.Tagged{Tag: m.TransitTag(), Rep: []any{
		content, string(m.ContentType), mt, m.Clock, ts,
	}}
}
