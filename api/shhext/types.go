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
