package shhext

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"strings"

	"github.com/statusnode/statusd/api/internal/transitjson"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/identity/alias"
	"github.com/statusnode/statusd/protocol/identity/identicon"
	"github.com/statusnode/statusd/protocol/markdown"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/transit"
)

// This file holds the status-go v0.35.1 shapes of chats and messages
// (its protocol.Chat and protocol.Message, the records status-react 1.0
// read and wrote through shhext_chats, shhext_saveChat,
// shhext_chatMessages and shhext_saveMessages) and the one conversion of
// each from statusd's messenger types.

// Chat is a chat in status-go v0.35.1's shape (shhext_chats,
// shhext_saveChat, shhext_blockContact). For saveChat only id, chatType
// and active are read.
type Chat struct {
	// ID is the public chat name, the peer's 0x04… key, or the group ID.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Color is the chat's avatar colour: statusd does not store the one a
	// frontend gave, it answers one of status-react's six chat colours
	// chosen by the chat ID, the same on every call.
	Color    string   `json:"color"`
	Active   bool     `json:"active"`
	ChatType ChatType `json:"chatType"`
	// Timestamp is the last message's local time, Unix ms.
	Timestamp             int64 `json:"timestamp"`
	LastClockValue        int64 `json:"lastClockValue"`
	DeletedAtClockValue   int64 `json:"deletedAtClockValue"`
	UnviewedMessagesCount int   `json:"unviewedMessagesCount"`
	// The newest stored message's content type, content (the JSON string
	// of Message.Content), sender's timestamp and clock; "" and 0 when the
	// chat has no message.
	LastMessageContentType string `json:"lastMessageContentType"`
	LastMessageContent     string `json:"lastMessageContent"`
	LastMessageTimestamp   int64  `json:"lastMessageTimestamp"`
	LastMessageClockValue  int64  `json:"lastMessageClockValue"`
	// Members of a private group; null for other chats, as status-go
	// answered for chats without members.
	Members []ChatMember `json:"members"`
	// MembershipUpdates of a private group: every accepted event in
	// arrival order, each with the signature and signer of the update that
	// carried it; null for other chats.
	MembershipUpdates []ChatMembershipUpdate `json:"membershipUpdates"`
}

// ChatMember is one member of a private group chat.
type ChatMember struct {
	ID     string `json:"id"` // 0x04… key
	Admin  bool   `json:"admin"`
	Joined bool   `json:"joined"` // always true: statusd joins on being added
}

// ChatMembershipUpdate is one group membership event in status-go's shape
// (protocol.ChatMembershipUpdate): ID is the hex SHA-1 of Signature (as
// status-go derived it), Signature the update's hex signature without 0x,
// From its signer (0x04…).
type ChatMembershipUpdate struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"`
	Name       string   `json:"name,omitempty"`
	ClockValue int64    `json:"clockValue"`
	Signature  string   `json:"signature"`
	From       string   `json:"from"`
	Member     string   `json:"member,omitempty"`
	Members    []string `json:"members,omitempty"`
}

// chatColors are status-react 1.0's chat colours (colors/chat-colors).
var chatColors = [...]string{"#fa6565", "#7cda00", "#887af9", "#51d0f0", "#FE8F59", "#d37ef4"}

func chatColor(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return chatColors[h.Sum32()%uint32(len(chatColors))]
}

// toChat converts c, whose newest stored message is last (nil when it has
// none) and whose membership events are events (groups), to v0.35's
// shape. self is our chat key.
func toChat(c *messenger.Chat, last *messenger.Message, events []messenger.GroupEvent, self string) Chat {
	out := Chat{ID: c.ID, Name: c.Name, Color: chatColor(c.ID), Active: c.Active, ChatType: chatTypeOf(c.Type),
		Timestamp: c.LastMessageAt, LastClockValue: c.LastClock, DeletedAtClockValue: c.DeletedAtClock,
		UnviewedMessagesCount: c.Unread}
	if out.Name == "" {
		out.Name = c.ID
	}
	if last != nil {
		out.LastMessageContentType = last.ContentType
		out.LastMessageContent = contentOf(last, self)
		out.LastMessageTimestamp, out.LastMessageClockValue = last.Timestamp, last.Clock
	}
	if c.Type != messenger.ChatPrivateGroup {
		return out
	}
	out.Members, out.MembershipUpdates = []ChatMember{}, []ChatMembershipUpdate{}
	admins := map[string]bool{}
	for _, a := range c.Admins {
		admins[a] = true
	}
	for _, k := range c.Members {
		out.Members = append(out.Members, ChatMember{ID: k, Admin: admins[k], Joined: true})
	}
	for _, e := range events {
		id := sha1.Sum([]byte(e.Signature))
		out.MembershipUpdates = append(out.MembershipUpdates, ChatMembershipUpdate{ID: hex.EncodeToString(id[:]),
			Type: e.Type, Name: e.Name, ClockValue: e.ClockValue, Signature: e.Signature, From: e.From,
			Member: e.Member, Members: e.Members})
	}
	return out
}

// Message is a stored chat message in status-go v0.35.1's shape
// (protocol.Message: shhext_chatMessages, shhext_saveMessages). Fields
// status-go left empty for the messages status-react saved (to,
// messageStatus, username) are left out.
type Message struct {
	ID string `json:"id"` // keccak256 message ID (§1.10), 0x-prefixed
	// WhisperTimestamp is when we received it (sent, for ours), Unix ms.
	WhisperTimestamp int64  `json:"whisperTimestamp"`
	From             string `json:"from"` // author, 0x04…
	// Alias and Identicon are generated from From (the three-word name
	// and the identicon data URI status-go kept per contact).
	Alias     string `json:"alias"`
	Identicon string `json:"identicon"`
	// Content is a JSON object in a string, status-react's message content
	// with every key the message carried ("chat-id", "text", "response-to"
	// for replies, "name", a sticker's "hash" and "pack", a command's
	// "command-path" and "params", …) and "parsed-text" (the markdown tree
	// of shhext_prepareContent), "line-count" and "rtl?" (contentOf).
	Content     string `json:"content"`
	ContentType string `json:"contentType"`
	Timestamp   int64  `json:"timestamp"` // sender's Unix ms
	ChatID      string `json:"chatId"`
	MessageType string `json:"messageType,omitempty"`
	ClockValue  int64  `json:"clockValue"` // Lamport clock-value (§1.6)
	RetryCount  int    `json:"retryCount"` // always 0
	Show        bool   `json:"show"`       // always true
	Seen        bool   `json:"seen"`
	// OutgoingStatus is the status a frontend last set
	// (shhext_updateMessageOutgoingStatus, shhext_saveMessages) when it
	// set one. Otherwise, for a message this installation sent, it is
	// derived from statusd's delivery state: queued "sending", sent
	// "sent", acked by every recipient "delivered", expired "not-sent";
	// and it is absent for received messages and those of our paired
	// devices.
	OutgoingStatus string `json:"outgoingStatus,omitempty"`
	// ReplyTo is the ID of the message replied to, "" for none.
	ReplyTo string `json:"replyTo"`
	// QuotedMessage is the author and content of the message replied to
	// when it is stored, else null.
	QuotedMessage *QuotedMessage `json:"quotedMessage"`
}

// QuotedMessage is the message a reply answers: its author (0x04…) and
// its Content string.
type QuotedMessage struct {
	From    string `json:"from"`
	Content string `json:"content"`
}

// toMessage is the one conversion of a stored message to v0.35's shape.
// quoted is the stored message m replies to (nil when m is not a reply or
// it is not stored); self is our chat key; ids memoises alias and
// identicon by author across a page (nil: compute each time). Fields a
// stored message gains later (sticker, command, ENS name) belong in
// contentOf.
func toMessage(m, quoted *messenger.Message, self string, ids *identities) Message {
	out := Message{ID: m.ID, WhisperTimestamp: m.ReceivedAt, From: m.From, Content: contentOf(m, self),
		ContentType: m.ContentType, Timestamp: m.Timestamp, ChatID: m.ChatID, MessageType: m.MessageType,
		ClockValue: m.Clock, Show: true, Seen: m.Seen, OutgoingStatus: m.OutgoingStatus, ReplyTo: m.ResponseTo}
	out.Alias, out.Identicon = ids.of(m.From)
	if out.OutgoingStatus == "" {
		out.OutgoingStatus = outgoingStatus(m.Delivery)
	}
	if quoted != nil {
		out.QuotedMessage = &QuotedMessage{From: quoted.From, Content: contentOf(quoted, self)}
	}
	return out
}

func outgoingStatus(s messenger.DeliveryState) string {
	switch s {
	case messenger.DeliveryQueued:
		return "sending"
	case messenger.DeliverySent:
		return "sent"
	case messenger.DeliveryAcked:
		return "delivered"
	case messenger.DeliveryExpired:
		return "not-sent"
	}
	return ""
}

// contentOf encodes m's content as status-react 1.0 stored it (clj->json
// of its content map): every key the wire carried, in wire order (keys by
// name: "chat-id", "text", "response-to", "response-to-v2", "name",
// "hash", "pack", "command-path", "params", and any other), with "text"
// always present, then the prepareContent additions "parsed-text",
// "line-count" and "rtl?". Its "chat-id" is what the sender wrote: the
// chat ID for public and group chats; for one-to-one chats the
// recipient's key (the peer's for ours, our key for theirs). A reply
// carries "response-to" (the replied message's ID when the wire had only
// "response-to-v2").
func contentOf(m *messenger.Message, self string) string {
	c := m.Content
	c.ChatID, c.Text = m.ChatID, m.Text
	if m.MessageType == "user-message" && !m.Outgoing {
		c.ChatID = self
	}
	if c.ResponseTo == "" {
		c.ResponseTo = m.ResponseTo
	}
	var b bytes.Buffer
	b.WriteByte('{')
	if raw, err := message.EncodeContent(c); err == nil {
		if v, err := transit.Decode(raw); err == nil {
			if mp, ok := v.(*transit.Map); ok {
				writeContentEntries(&b, mp, c.Text)
			}
		}
	}
	if b.Len() == 1 { // cannot happen: a stored content re-encodes
		writeEntry(&b, "chat-id", c.ChatID)
		writeEntry(&b, "text", c.Text)
	}
	parsed := json.RawMessage("[]")
	if tree, err := markdown.Parse(m.Text); err == nil {
		parsed = tree
	}
	writeEntry(&b, "parsed-text", parsed)
	writeEntry(&b, "line-count", markdown.LineCount(m.Text))
	writeEntry(&b, "rtl?", markdown.IsRTL(m.Text))
	b.WriteByte('}')
	return b.String()
}

// preparedKeys are the content keys contentOf computes itself.
var preparedKeys = map[string]bool{"parsed-text": true, "line-count": true, "rtl?": true}

// writeContentEntries writes the entries of the content map mp but the
// prepared keys, adding "text" (empty in mp when text is "") after
// "chat-id" when mp has none.
func writeContentEntries(b *bytes.Buffer, mp *transit.Map, text string) {
	hasText := false
	for _, e := range mp.Entries {
		hasText = hasText || transitjson.Name(e.Key) == "text"
	}
	for _, e := range mp.Entries {
		k := transitjson.Name(e.Key)
		if preparedKeys[k] {
			continue
		}
		writeEntry(b, k, transitjson.Marshal(e.Value))
		if k == "chat-id" && !hasText {
			writeEntry(b, "text", text)
			hasText = true
		}
	}
	if !hasText {
		writeEntry(b, "text", text)
	}
}

// writeEntry writes "k":v (v as encoding/json writes it) after a comma
// unless it is the object's first entry.
func writeEntry(b *bytes.Buffer, k string, v any) {
	if b.Len() > 1 {
		b.WriteByte(',')
	}
	transitjson.WriteString(b, k)
	b.WriteByte(':')
	raw, err := json.Marshal(v)
	if err != nil {
		raw = []byte("null")
	}
	b.Write(raw)
}

// identities memoises the alias and identicon of chat keys. The zero
// value is ready; a nil *identities computes without memo.
type identities struct{ m map[string][2]string }

func (ids *identities) of(key string) (string, string) {
	if ids != nil {
		if v, ok := ids.m[key]; ok {
			return v[0], v[1]
		}
	}
	var a, icon string
	if pub, err := parsePubHex(key); err == nil {
		a = alias.Alias(pub)
		icon, _ = identicon.Identicon(pub)
	}
	if ids != nil {
		if ids.m == nil {
			ids.m = map[string][2]string{}
		}
		ids.m[key] = [2]string{a, icon}
	}
	return a, icon
}

// fromMessage converts a message a frontend saves (shhext_saveMessages)
// to the messenger's type. Content is read as status-react wrote it: a
// JSON object whose "text" is the text and "response-to" the replied
// message (replyTo wins when both are set); content that is not such an
// object is taken as the text itself.
func fromMessage(in Message) *messenger.Message {
	m := &messenger.Message{ID: in.ID, ChatID: in.ChatID, From: in.From, Text: in.Content,
		ContentType: in.ContentType, MessageType: in.MessageType, Clock: in.ClockValue, Timestamp: in.Timestamp,
		ReceivedAt: in.WhisperTimestamp, ResponseTo: in.ReplyTo, Seen: in.Seen, OutgoingStatus: in.OutgoingStatus}
	var c struct {
		Text       *string `json:"text"`
		ResponseTo string  `json:"response-to"`
	}
	if strings.HasPrefix(strings.TrimSpace(in.Content), "{") && json.Unmarshal([]byte(in.Content), &c) == nil && c.Text != nil {
		m.Text = *c.Text
		if m.ResponseTo == "" {
			m.ResponseTo = c.ResponseTo
		}
	}
	return m
}
