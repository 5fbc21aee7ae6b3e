package topickeys

import (
	"bytes"
	"crypto/sha256"
	"path/filepath"
	"testing"

	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// backends runs fn against the in-memory KV and goleveldb; reopen returns
// a Store over the reopened database and the raw KV under it.
func backends(t *testing.T, fn func(t *testing.T, s *Store, reopen func() (*Store, storage.KV))) {
	t.Run("memory", func(t *testing.T) {
		kv := storage.NewTable(storage.NewMemory(), TableName)
		fn(t, New(kv), func() (*Store, storage.KV) { return New(kv), kv })
	})
	t.Run("leveldb", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		db, err := storage.OpenLevelDB(dir)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		fn(t, New(storage.NewTable(db, TableName)), func() (*Store, storage.KV) {
			must(t, db.Close())
			db, err = storage.OpenLevelDB(dir)
			must(t, err)
			kv := storage.NewTable(db, TableName)
			return New(kv), kv
		})
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestKeysSurviveReopen: a stored key reads back after a reopen under the
// SHA-256 of its name (the name itself is stored nowhere); an unknown name
// and a corrupt value read as absent.
func TestKeysSurviveReopen(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, reopen func() (*Store, storage.KV)) {
		want, err := whisper.SymKeyFromPassword("status")
		must(t, err)
		must(t, s.Put("status", want))
		s, kv := reopen()
		got, ok, err := s.Get("status")
		must(t, err)
		if !ok || got != want {
			t.Fatalf("got %x ok %v, want %x", got, ok, want)
		}
		if _, ok, err := s.Get("other"); err != nil || ok {
			t.Fatalf("unknown name: ok %v err %v", ok, err)
		}
		h := sha256.Sum256([]byte("status"))
		raw, err := kv.Get(append([]byte{'k'}, h[:]...))
		must(t, err)
		if !bytes.Equal(raw, want[:]) {
			t.Fatalf("stored %x under the name's hash, want the key", raw)
		}
		must(t, kv.Iterate(nil, nil, func(k, _ []byte) error {
			if bytes.Contains(k, []byte("status")) {
				t.Errorf("key %q names the topic", k)
			}
			return nil
		}))
		for _, bad := range [][]byte{nil, {1, 2, 3}, make([]byte, 32)} {
			must(t, kv.Put(append([]byte{'k'}, h[:]...), bad))
			if _, ok, err := s.Get("status"); err != nil || ok {
				t.Errorf("corrupt value %x: ok %v err %v, want absent", bad, ok, err)
			}
		}
	})
}
