package messengerstore

import "github.com/statusnode/statusd/storage"

// Version is the format version of the records this build writes and
// reads (see doc.go for the list and for how to add one).
const Version uint32 = 1

// migrations bring an older table to Version, one step each; storage.Migrate
// runs them in order and commits each with its new version.
var migrations = []storage.Migration{
	// A table written before the version key existed holds version-1
	// records already: stamping it is the whole migration.
	{From: 0, Apply: func(storage.KV, *storage.Batch) error { return nil }},
}
