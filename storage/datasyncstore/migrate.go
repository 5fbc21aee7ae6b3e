package datasyncstore

import (
	"fmt"

	"github.com/statusnode/statusd/storage"
)

// Version is the format of the table this build writes (doc.go, "Format
// versions"). The table keeps it apart from the database-wide
// storage.FormatVersion, so MVDS state can change on its own.
const Version uint32 = 1

// migrations bring an older table to Version, one step each.
var migrations = []storage.Migration{
	// 0 → 1: released messages (an empty message row) are new; a version-0
	// table holds none, so the step only stamps the version.
	{From: 0, Apply: func(storage.KV, *storage.Batch) error { return nil }},
}

// Migrate brings the table to Version (a new, empty table is stamped with
// it) and returns the version it had before. The owner calls it once,
// before the first Load; it fails with storage.ErrTooNew for a table a
// newer build wrote.
func (s *Store) Migrate() (uint32, error) {
	before, err := storage.Migrate(s.kv, Version, migrations)
	if err != nil {
		return before, fmt.Errorf("datasyncstore: %w", err)
	}
	return before, nil
}
