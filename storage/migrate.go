package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// FormatVersion is the database format this build writes. Bump it together
// with a Migration whose From is the previous version.
const FormatVersion uint32 = 1

// formatKey holds the format version; it sorts before every table prefix.
var formatKey = []byte("\x00format")

// ErrTooNew is returned when the database was written by a newer statusd.
var ErrTooNew = errors.New("storage: database format is newer than this statusd supports")

// Migration upgrades the database from format From to From+1. Apply returns
// the writes to make; they are committed atomically with the new version.
type Migration struct {
	From  uint32
	Apply func(kv KV, b *Batch) error
}

// ReadFormat returns the stored format version, or 0 and false if none.
func ReadFormat(kv KV) (uint32, bool, error) {
	v, err := kv.Get(formatKey)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if len(v) != 4 {
		return 0, false, fmt.Errorf("storage: format key holds %d bytes, want 4", len(v))
	}
	return binary.BigEndian.Uint32(v), true, nil
}

// Migrate brings kv to version target. A new, empty database is stamped
// with target directly. Each step runs one Migration and commits its writes
// together with the new version, so a crash leaves a consistent version.
// It returns the version the database had before.
func Migrate(kv KV, target uint32, migrations []Migration) (uint32, error) {
	cur, ok, err := ReadFormat(kv)
	if err != nil {
		return 0, err
	}
	if !ok {
		empty := true
		if err := kv.Iterate(nil, nil, func(_, _ []byte) error { empty = false; return errStop }); err != nil && !errors.Is(err, errStop) {
			return 0, err
		}
		if empty {
			return 0, writeFormat(kv, &Batch{}, target)
		}
	}
	before := cur
	if cur > target {
		return before, fmt.Errorf("%w: found %d, supported %d", ErrTooNew, cur, target)
	}
	for cur < target {
		m, found := findMigration(migrations, cur)
		if !found {
			return before, fmt.Errorf("storage: no migration from format %d to %d", cur, cur+1)
		}
		var b Batch
		if err := m.Apply(kv, &b); err != nil {
			return before, fmt.Errorf("storage: migration from format %d: %w", cur, err)
		}
		if err := writeFormat(kv, &b, cur+1); err != nil {
			return before, err
		}
		cur++
	}
	return before, nil
}

var errStop = errors.New("stop")

func findMigration(ms []Migration, from uint32) (Migration, bool) {
	for _, m := range ms {
		if m.From == from {
			return m, true
		}
	}
	return Migration{}, false
}

func writeFormat(kv KV, b *Batch, v uint32) error {
	var buf [4]byte
	binary.BigEndian.PutUint32(buf[:], v)
	b.Put(formatKey, buf[:])
	return kv.Write(b)
}
