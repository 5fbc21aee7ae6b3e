package messengerstore

import (
	"encoding/json"
	"fmt"

	"github.com/statusnode/statusd/storage"
)

// Version is the format version of the records this build writes and
// reads (see doc.go for the list and for how to add one).
const Version uint32 = 2

// migrations bring an older table to Version, one step each; storage.Migrate
// runs them in order and commits each with its new version.
var migrations = []storage.Migration{
	// A table written before the version key existed holds version-1
	// records already: stamping it is the whole migration.
	{From: 0, Apply: func(storage.KV, *storage.Batch) error { return nil }},
	{From: 1, Apply: migrateContactsV2},
}

// migrateContactsV2 adds request_received to every contact that sent us a
// contact message (a non-zero last_updated: version 1 set it only on
// receipt of a c2, c3 or c6), as status-react tagged such a contact
// :contact/request-received.
func migrateContactsV2(kv storage.KV, b *storage.Batch) error {
	prefix := []byte{byte(KindContact)}
	return kv.Iterate(prefix, nil, func(k, v []byte) error {
		var c contactV1
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("messengerstore: migrate contact %q: %w", k, err)
		}
		if c.LastUpdated == 0 {
			return nil
		}
		b.Put(append([]byte(nil), k...), EncodeContact(&Contact{ID: c.ID, Name: c.Name, ProfileImage: c.ProfileImage,
			Address: c.Address, Added: c.Added, Blocked: c.Blocked, LastUpdated: c.LastUpdated, Devices: c.Devices,
			RequestReceived: true}))
		return nil
	})
}

// contactV1 is a version-1 contact record (the migration's private copy).
type contactV1 struct {
	ID           string   `json:"id"`
	Name         string   `json:"name,omitempty"`
	ProfileImage string   `json:"profile_image,omitempty"`
	Address      string   `json:"address,omitempty"`
	Added        bool     `json:"added"`
	Blocked      bool     `json:"blocked"`
	LastUpdated  int64    `json:"last_updated,omitempty"`
	Devices      []string `json:"devices,omitempty"`
}
