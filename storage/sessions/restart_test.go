package sessions

import (
	"errors"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
	"github.com/statusnode/statusd/storage"
)

// TestRestart kills every session manager mid-conversation (envelopes in
// flight, skipped keys outstanding), reopens the stores (goleveldb: closes
// and reopens the database) and continues: nothing is lost and nothing
// decrypts twice.
func TestRestart(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			s := newStores(t, be)
			w, a1, a2, b1 := et.Setup(t, 2, s.open)
			talk := func(n int) {
				for i := 0; i < n; i++ {
					switch w.Rng.IntN(3) {
					case 0:
						w.Send(a1, b1)
					case 1:
						w.Send(a2, b1)
					default:
						w.Send(b1, a1)
					}
					for len(w.Pool) > 8 {
						w.Step(0, 10)
					}
				}
			}
			talk(40)
			if len(w.Pool) == 0 {
				t.Fatal("nothing in flight at the restart")
			}
			for _, d := range []*et.Device{a1, a2, b1} {
				s.restart(d)
			}
			talk(40)
			w.Drain()
			for _, d := range []*et.Device{a1, a2, b1} {
				s.restart(d)
			}
			w.Send(b1, a1)
			w.Send(a1, b1)
			w.Drain()
			w.Check()
			w.ReplayAll()
		})
	}
}

func TestWrongPassword(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t, "pw")
			if _, err := Open(db, []byte("one"), testOpts); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(db, []byte("two"), testOpts); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("err = %v, want ErrWrongPassword", err)
			}
			if _, err := Open(db, []byte("one"), Options{KDFIterations: 99}); err != nil {
				t.Fatalf("reopen with the stored iteration count: %v", err)
			}
		})
	}
}

// TestSecretsEncryptedAtRest: no raw value of a secret kind contains the
// plaintext the Manager wrote, and a sealed value cannot be moved to
// another key.
func TestSecretsEncryptedAtRest(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t, "rest")
			st, err := Open(db, []byte(testPassword), testOpts)
			if err != nil {
				t.Fatal(err)
			}
			secret := []byte(`{"priv":"super secret key material"}`)
			err = st.Commit([]encryption.Op{
				{Kind: encryption.KindPrivateSPK, Key: []byte("k1"), Value: secret},
				{Kind: encryption.KindInstallation, Key: []byte("k2"), Value: []byte("public")},
			})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := storage.NewTable(db, TableName).Get(append([]byte{byte(encryption.KindPrivateSPK)}, "k1"...))
			if err != nil || len(raw) == 0 || string(raw) == string(secret) {
				t.Fatalf("raw = %q, %v", raw, err)
			}
			if got, err := st.Get(encryption.KindPrivateSPK, []byte("k1")); err != nil || string(got) != string(secret) {
				t.Fatalf("Get = %q, %v", got, err)
			}
			if got, _ := st.Get(encryption.KindInstallation, []byte("k2")); string(got) != "public" {
				t.Fatalf("public value = %q", got)
			}
			// Move the sealed value under another key: it must not open.
			storage.NewTable(db, TableName).Put(append([]byte{byte(encryption.KindPrivateSPK)}, "k3"...), raw)
			if _, err := st.Get(encryption.KindPrivateSPK, []byte("k3")); !errors.Is(err, ErrCorrupt) || !errors.Is(err, encryption.ErrCorrupt) {
				t.Fatalf("moved value: err = %v, want ErrCorrupt of both packages", err)
			}
			err = st.Iterate(encryption.KindPrivateSPK, nil, func(_, _ []byte) error { return nil })
			if !errors.Is(err, encryption.ErrCorrupt) {
				t.Fatalf("iterating over the moved value: err = %v, want encryption.ErrCorrupt", err)
			}
			if _, err := st.Get(encryption.KindSession, []byte("none")); !errors.Is(err, encryption.ErrNotFound) {
				t.Fatalf("missing: err = %v", err)
			}
		})
	}
}
