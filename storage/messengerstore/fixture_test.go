package messengerstore

import (
	"bytes"
	"os"
	"testing"

	"github.com/statusnode/statusd/storage"
)

// fixturePath is the messenger table of a database written by the
// messenger before records had their own types (format 0): see the
// comment at its top.
const fixturePath = "testdata/v0-messenger-table.txt"

// TestMigrateFixture opens a real database written by the format-0
// messenger on both backends: the table migrates to Version, every record
// decodes and re-encodes to its stored bytes (nothing is lost or changed),
// every kind the messenger wrote is there, and every index entry points
// at a message of its chat and clock.
func TestMigrateFixture(t *testing.T) {
	backends(t, func(t *testing.T, db storage.KV, reopen func() storage.KV) {
		f, err := os.Open(fixturePath)
		must(t, err)
		defer f.Close()
		must(t, storage.LoadDump(f, db))
		db = reopen()
		s := New(table(db))
		before, err := s.Migrate()
		must(t, err)
		if v, _ := s.Version(); before != 0 || v != Version {
			t.Fatalf("migrated from %d to %d, want 0 to %d", before, v, Version)
		}

		counts := map[Kind]int{}
		err = table(db).Iterate(nil, nil, func(k, v []byte) error {
			if k[0] == 0 { // the format key
				return nil
			}
			kind := Kind(k[0])
			counts[kind]++
			rec, err := decodeValue(kind, v)
			if err != nil {
				t.Errorf("%q: %v", k, err)
				return nil
			}
			if again := encodeValue(rec); !bytes.Equal(again, v) {
				t.Errorf("%s %q re-encodes differently:\n got %s\nwant %s", kind, k, again, v)
			}
			return nil
		})
		must(t, err)
		for _, k := range Kinds {
			if counts[k] == 0 {
				t.Errorf("fixture holds no %s record", k)
			}
		}
		checkIndex(t, s)
	})
}

// checkIndex: every chat's index entries name a stored message of that
// chat whose clock is the entry's, newest first.
func checkIndex(t *testing.T, s *Store) {
	t.Helper()
	chats := collect(t, s.Chats)
	entries := 0
	for _, c := range chats {
		var last []byte
		must(t, s.ChatIndex(c.ID, nil, func(pos []byte, id string) error {
			entries++
			m, err := s.Message(id)
			if err != nil || m == nil {
				t.Errorf("index of %.12s: message %s: %v", c.ID, id, err)
				return nil
			}
			if m.ChatID != c.ID || !bytes.Equal(pos, IndexPosition(m.Clock, m.ID)) {
				t.Errorf("index entry %x does not match message %+v", pos, m)
			}
			if last != nil && bytes.Compare(last, pos) >= 0 {
				t.Errorf("index not in order")
			}
			last = pos
			return nil
		}))
	}
	if entries == 0 {
		t.Error("no index entries")
	}
}
