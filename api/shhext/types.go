package shhext

import (
	"strings"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/identity/alias"
	"github.com/statusnode/statusd/protocol/identity/identicon"
)

// ChatType is the status-go v0.35 chat type number (status-protocol-go
// ChatType): 1 one-to-one, 2 public, 3 private group. It differs from the
// "type" of statusd_ results (1 public, 2 one-to-one, 3 private group).
type ChatType int

// status-go v0.35 chat types.
const (
	ChatTypeOneToOne     ChatType = 1
	ChatTypePublic       ChatType = 2
	ChatTypePrivateGroup ChatType = 3
)

func chatTypeOf(t messenger.ChatType) ChatType {
	switch t {
	case messenger.ChatOneToOne:
		return ChatTypeOneToOne
	case messenger.ChatPrivateGroup:
		return ChatTypePrivateGroup
	}
	return ChatTypePublic
}

// Chat is a chat in status-go v0.35's shape (shhext_chats, shhext_saveChat).
// For saveChat only id, chatType, name and active are read.
type Chat struct {
	// ID is the public chat name, the peer's 0x04… key, or the group ID.
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Color    string   `json:"color"`
	Active   bool     `json:"active"`
	ChatType ChatType `json:"chatType"`
	// Timestamp is the last message's local time, Unix ms.
	Timestamp             int64        `json:"timestamp"`
	LastClockValue        int64        `json:"lastClockValue"`
	DeletedAtClockValue   int64        `json:"deletedAtClockValue"`
	UnviewedMessagesCount int          `json:"unviewedMessagesCount"`
	Members               []ChatMember `json:"members"`
}

// ChatMember is one member of a private group chat.
type ChatMember struct {
	ID     string `json:"id"` // 0x04… key
	Admin  bool   `json:"admin"`
	Joined bool   `json:"joined"` // always true: statusd joins on being added
}

func toChat(c *messenger.Chat) Chat {
	out := Chat{ID: c.ID, Name: c.Name, Active: c.Active, ChatType: chatTypeOf(c.Type),
		Timestamp: c.LastMessageAt, LastClockValue: c.LastClock, DeletedAtClockValue: c.DeletedAtClock,
		UnviewedMessagesCount: c.Unread, Members: []ChatMember{}}
	if out.Name == "" {
		out.Name = c.ID
	}
	admins := map[string]bool{}
	for _, a := range c.Admins {
		admins[a] = true
	}
	for _, k := range c.Members {
		out.Members = append(out.Members, ChatMember{ID: k, Admin: admins[k], Joined: true})
	}
	return out
}

// Message is a stored chat message in status-go v0.35's shape
// (shhext_chatMessages).
type Message struct {
	ID string `json:"id"` // keccak256 message ID (§1.10), 0x-prefixed
	// WhisperTimestamp is when we received it (sent, for ours), Unix ms.
	WhisperTimestamp int64  `json:"whisperTimestamp"`
	From             string `json:"from"` // author, 0x04…
	Seen             bool   `json:"seen"`
	// OutgoingStatus, for messages this installation sent, in status-react's
	// words: "sending" (queued), "sent", "delivered" (acked by every
	// recipient), "not-sent" (expired before an ACK).
	OutgoingStatus string `json:"outgoingStatus,omitempty"`
	Text           string `json:"text"`
	ChatID         string `json:"chatId"`
	LocalChatID    string `json:"localChatId"`
	ContentType    string `json:"contentType"`
	MessageType    string `json:"messageType"`
	Timestamp      int64  `json:"timestamp"` // sender's Unix ms
	Clock          int64  `json:"clock"`     // Lamport clock-value (§1.6)
	ResponseTo     string `json:"responseTo,omitempty"`
}

func toMessage(m *messenger.Message) Message {
	return Message{ID: m.ID, WhisperTimestamp: m.ReceivedAt, From: m.From, Seen: m.Seen,
		OutgoingStatus: outgoingStatus(m.Delivery), Text: m.Text, ChatID: m.ChatID, LocalChatID: m.ChatID,
		ContentType: m.ContentType, MessageType: m.MessageType, Timestamp: m.Timestamp, Clock: m.Clock,
		ResponseTo: m.ResponseTo}
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

// MessagesPage is shhext_chatMessages' result: newest first, and the
// cursor of the next (older) page, "" at the end.
type MessagesPage struct {
	Messages []Message `json:"messages"`
	Cursor   string    `json:"cursor"`
}

// Contact is a contact in status-go v0.35.1's shape (status-protocol-go
// contact.go), member for member: name and photoPath are left out when
// empty, alias and identicon are derived from the key (§2), address
// defaults to the key's address (lower-case hex without 0x, as
// buildContact wrote it); systemTags and deviceInfo are null when empty
// (v0.35 stored both gob-encoded, and an empty slice decodes to nil).
// statusd keeps no ENS verification and no tribute: ensVerified is false,
// ensVerifiedAt 0, tributeToTalk "". As shhext_saveContact's parameter
// only id, name and systemTags are read.
type Contact struct {
	ID            string              `json:"id"` // 0x04…
	Address       string              `json:"address"`
	Name          string              `json:"name,omitempty"`
	ENSVerified   bool                `json:"ensVerified"`
	ENSVerifiedAt int64               `json:"ensVerifiedAt"`
	Alias         string              `json:"alias,omitempty"`
	Identicon     string              `json:"identicon"`
	Photo         string              `json:"photoPath,omitempty"`
	LastUpdated   int64               `json:"lastUpdated"` // Unix ms
	SystemTags    []string            `json:"systemTags"`
	DeviceInfo    []ContactDeviceInfo `json:"deviceInfo"`
	TributeToTalk string              `json:"tributeToTalk"`
}

// ContactDeviceInfo is one installation of a contact. statusd keeps only
// the ID: timestamp is 0 and fcmToken "".
type ContactDeviceInfo struct {
	InstallationID string `json:"id"`
	Timestamp      int64  `json:"timestamp"`
	FCMToken       string `json:"fcmToken"`
}

// status-react contact tags, as it saved them (keywords written with
// str: a leading colon).
const (
	tagAdded           = ":contact/added"
	tagBlocked         = ":contact/blocked"
	tagRequestReceived = ":contact/request-received"
)

func toContact(c *messenger.Contact) Contact {
	out := Contact{ID: c.ID, Address: c.Address, Name: c.Name, Photo: c.ProfileImage, LastUpdated: c.LastUpdated}
	if pub, err := parsePubHex(c.ID); err == nil {
		out.Alias = alias.Alias(pub)
		out.Identicon, _ = identicon.Identicon(pub)
		if out.Address == "" {
			out.Address = strings.ToLower(crypto.PubkeyToAddress(*pub).Hex()[2:])
		}
	}
	for _, t := range []struct {
		on  bool
		tag string
	}{{c.Added, tagAdded}, {c.RequestReceived, tagRequestReceived}, {c.Blocked, tagBlocked}} {
		if t.on {
			out.SystemTags = append(out.SystemTags, t.tag)
		}
	}
	for _, d := range c.Devices {
		out.DeviceInfo = append(out.DeviceInfo, ContactDeviceInfo{InstallationID: d})
	}
	return out
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// Installation is one of our own devices in status-go's shape
// (shhext_getOurInstallations, §7.1).
type Installation struct {
	Identity  string               `json:"identity"` // our chat key, 0x04…
	ID        string               `json:"id"`
	Version   uint32               `json:"version"` // protocol version; statusd speaks 1
	Enabled   bool                 `json:"enabled"`
	Timestamp int64                `json:"timestamp"` // newest bundle, Unix ns
	Metadata  InstallationMetadata `json:"metadata"`
}

// InstallationMetadata describes a device (shhext_setInstallationMetadata).
type InstallationMetadata struct {
	Name       string `json:"name"`
	DeviceType string `json:"deviceType"`
	FCMToken   string `json:"fcmToken"`
}
