package datasyncstore

import (
	"fmt"
	"time"

	"github.com/statusnode/statusd/storage"
)

// Version is the format of the table this build writes (doc.go, "Format
// versions"). The table keeps it apart from the database-wide
// storage.FormatVersion, so MVDS state can change on its own.
const Version uint32 = 2

// migrations bring an older table to Version, one step each; now is the
// time of the upgrade.
func migrations(now time.Time) []storage.Migration {
	return []storage.Migration{
		// 0 → 1: released messages (an empty message row) are new; a
		// version-0 table holds none, so the step only stamps the version.
		{From: 0, Apply: func(storage.KV, *storage.Batch) error { return nil }},
		// 1 → 2: a released message's row holds its release time.
		{From: 1, Apply: func(kv storage.KV, b *storage.Batch) error { return stampReleased(kv, b, now) }},
	}
}

// stampReleased gives every released message of a version-1 table (an
// empty message row) the time of the upgrade as its release time: the
// node keeps those IDs for one Config.RetainReleased horizon from then.
func stampReleased(kv storage.KV, b *storage.Batch, now time.Time) error {
	at := encodeReleased(now.Unix())
	return kv.Iterate([]byte{prefixMessage}, nil, func(k, v []byte) error {
		if len(v) == 0 {
			b.Put(append([]byte(nil), k...), at)
		}
		return nil
	})
}

// Migrate brings the table to Version (a new, empty table is stamped with
// it) and returns the version it had before; now is the upgrade's time,
// which released messages of a version-1 table take as their release time
// (the caller passes its clock's). The owner calls it once, before the
// first Load; it fails with storage.ErrTooNew for a table a newer build
// wrote.
func (s *Store) Migrate(now time.Time) (uint32, error) {
	before, err := storage.Migrate(s.kv, Version, migrations(now))
	if err != nil {
		return before, fmt.Errorf("datasyncstore: %w", err)
	}
	return before, nil
}
