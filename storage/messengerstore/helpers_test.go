package messengerstore

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/statusnode/statusd/storage"
)

func TestMain(m *testing.M) {
	// goleveldb's mpoolDrain goroutine lingers up to 1 s after Close by design.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

// backends runs fn against a fresh in-memory store and a fresh goleveldb
// one; reopen closes and reopens the goleveldb store (memory: the same).
// fn gets the raw database: tests open the table view themselves.
func backends(t *testing.T, fn func(t *testing.T, db storage.KV, reopen func() storage.KV)) {
	t.Run("memory", func(t *testing.T) {
		m := storage.NewMemory()
		fn(t, m, func() storage.KV { return m })
	})
	t.Run("leveldb", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		cur := openLevelDB(t, dir)
		fn(t, cur, func() storage.KV {
			cur.Close()
			cur = openLevelDB(t, dir)
			return cur
		})
		cur.Close()
	})
}

func openLevelDB(t *testing.T, dir string) *storage.LevelDB {
	t.Helper()
	db, err := storage.OpenLevelDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func table(db storage.KV) storage.KV { return storage.NewTable(db, TableName) }
