package shhext

import (
	"strings"

	"github.com/statusnode/statusd/internal/messenger"
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

// Contact is a contact in status-go v0.35's shape. systemTags holds
// ":contact/added" and/or ":contact/blocked" (status-react's tags).
type Contact struct {
	ID          string              `json:"id"` // 0x04…
	Address     string              `json:"address"`
	Name        string              `json:"name"`
	Photo       string              `json:"photoPath"`
	LastUpdated int64               `json:"lastUpdated"` // Unix ms
	SystemTags  []string            `json:"systemTags"`
	DeviceInfo  []ContactDeviceInfo `json:"deviceInfo"`
}

// ContactDeviceInfo is one installation of a contact.
type ContactDeviceInfo struct {
	InstallationID string `json:"id"`
}

// status-react contact tags.
const (
	tagAdded   = ":contact/added"
	tagBlocked = ":contact/blocked"
)

func toContact(c *messenger.Contact) Contact {
	out := Contact{ID: c.ID, Address: c.Address, Name: c.Name, Photo: c.ProfileImage, LastUpdated: c.LastUpdated,
		SystemTags: []string{}, DeviceInfo: []ContactDeviceInfo{}}
	if c.Added {
		out.SystemTags = append(out.SystemTags, tagAdded)
	}
	if c.Blocked {
		out.SystemTags = append(out.SystemTags, tagBlocked)
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
