package sessions

import (
	"crypto/ecdsa"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/storage"
)

// testOpts keeps the KDF cheap in tests.
var testOpts = Options{KDFIterations: 16}

const testPassword = "correct horse battery staple"

// backend opens named stores of one kind; reopen simulates a restart.
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
				db, err := storage.OpenLevelDB(filepath.Join(dirFor(t), name))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			},
			reopen: func(t testing.TB, name string, old storage.Store) storage.Store {
				old.Close()
				db, err := storage.OpenLevelDB(filepath.Join(dirFor(t), name))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			},
		},
	}
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

// device is one installation with its own store and manager.
type device struct {
	name     string
	identity *ecdsa.PrivateKey
	inst     string
	db       storage.Store
	m        *encryption.Manager
	be       backend
}

func newDevice(t testing.TB, be backend, name string, identity *ecdsa.PrivateKey) *device {
	d := &device{name: name, identity: identity, inst: name + "-installation", be: be}
	d.db = be.open(t, name)
	d.start(t)
	return d
}

func (d *device) start(t testing.TB) {
	st, err := Open(d.db, []byte(testPassword), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	d.m, err = encryption.NewManager(encryption.Config{Identity: d.identity, InstallationID: d.inst}, st)
	if err != nil {
		t.Fatal(err)
	}
}

// restart drops the manager and all in-memory state and reloads it.
func (d *device) restart(t testing.TB) {
	d.m = nil
	d.db = d.be.reopen(t, d.name, d.db)
	d.start(t)
}

func (d *device) pub() *ecdsa.PublicKey { return &d.identity.PublicKey }

func mustKey(t testing.TB, r io.Reader) *ecdsa.PrivateKey {
	var b [32]byte
	for {
		io.ReadFull(r, b[:])
		if k, err := crypto.ToECDSA(b[:]); err == nil {
			return k
		}
	}
}

// clock is a simulated clock.
type clock struct{ now time.Time }

// newClock starts in August 2019 (a zero time.Time has no Unix ns form).
func newClock() *clock { return &clock{now: time.Unix(1565000000, 0)} }

func (c *clock) tick() time.Time {
	c.now = c.now.Add(time.Second)
	return c.now
}

func newRand(seed uint64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

// exchangeBundle delivers from's contact-code message to to.
func exchangeBundle(t testing.TB, c *clock, r io.Reader, from, to *device) *encryption.Received {
	raw, err := from.m.BundleMessage(c.tick(), r)
	if err != nil {
		t.Fatal(err)
	}
	res, err := to.m.HandleMessage(c.tick(), r, from.pub(), raw)
	if err != nil {
		t.Fatalf("%s handles %s's bundle: %v", to.name, from.name, err)
	}
	return res
}

// pair makes a and b (same identity) enable each other.
func pair(t testing.TB, c *clock, r io.Reader, a, b *device) {
	res := exchangeBundle(t, c, r, b, a)
	if len(res.NewInstallations) != 1 || res.NewInstallations[0].ID != b.inst {
		t.Fatalf("%s did not discover %s: %+v", a.name, b.name, res.NewInstallations)
	}
	if err := a.m.EnableInstallation(b.inst); err != nil {
		t.Fatal(err)
	}
	exchangeBundle(t, c, r, a, b)
	if err := b.m.EnableInstallation(a.inst); err != nil {
		t.Fatal(err)
	}
}

// isRejection reports whether err is how a replay or duplicate shows.
func isRejection(err error) bool {
	return errors.Is(err, encryption.ErrReplay) || errors.Is(err, encryption.ErrDecrypt)
}
