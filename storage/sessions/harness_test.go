package sessions

import (
	"path/filepath"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
	"github.com/statusnode/statusd/storage"
)

// testOpts keeps the KDF cheap in tests.
var testOpts = Options{KDFIterations: 16}

const testPassword = "correct horse battery staple"

// backend opens named key-value stores of one kind; reopen simulates a
// process restart.
type backend struct {
	name   string
	open   func(t testing.TB, name string) storage.Store
	reopen func(t testing.TB, name string, old storage.Store) storage.Store
}

func backends() []backend {
	return []backend{
		{
			name: "memory",
			open: func(t testing.TB, _ string) storage.Store { return storage.NewMemory() },
			// The in-memory store survives the manager, not the process.
			reopen: func(t testing.TB, _ string, old storage.Store) storage.Store { return old },
		},
		{
			name: "leveldb",
			open: func(t testing.TB, name string) storage.Store {
				return openLevelDB(t, name)
			},
			reopen: func(t testing.TB, name string, old storage.Store) storage.Store {
				old.Close()
				return openLevelDB(t, name)
			},
		},
	}
}

// openLevelDB opens goleveldb store name in t's own temporary directory
// (the same directory for every call of one test), closed at cleanup.
func openLevelDB(t testing.TB, name string) storage.Store {
	t.Helper()
	db, err := storage.OpenLevelDB(filepath.Join(dirFor(t), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var tempDirs = map[testing.TB]string{}

func dirFor(t testing.TB) string {
	if d, ok := tempDirs[t]; ok {
		return d
	}
	d := t.TempDir()
	tempDirs[t] = d
	t.Cleanup(func() { delete(tempDirs, t) })
	return d
}

// openStore opens the encryption store in db with the test password.
func openStore(t testing.TB, db storage.KV) *Store {
	t.Helper()
	st, err := Open(db, []byte(testPassword), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// stores keeps the key-value store under each device's encryption store,
// so a device can be restarted on the same data reopened.
type stores struct {
	t  testing.TB
	be backend
	db map[string]storage.Store
}

func newStores(t testing.TB, be backend) *stores {
	return &stores{t: t, be: be, db: map[string]storage.Store{}}
}

// open is an encryptiontest.Setup store opener.
func (s *stores) open(name string) encryption.Store {
	s.db[name] = s.be.open(s.t, name)
	return openStore(s.t, s.db[name])
}

// restart drops d's Manager and all in-memory state, reopens its store and
// starts a new Manager on it.
func (s *stores) restart(d *et.Device) {
	s.db[d.Name] = s.be.reopen(s.t, d.Name, s.db[d.Name])
	d.Restart(s.t, openStore(s.t, s.db[d.Name]))
}
