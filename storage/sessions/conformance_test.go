package sessions

import (
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
	"github.com/statusnode/statusd/storage"
)

// TestStoreConformance runs the encryption.Store conformance suite against
// Store on each key-value backend, across a reopen of the data.
func TestStoreConformance(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			dbs := map[encryption.Store]storage.Store{}
			et.StoreSuite(t, et.StoreBackend{
				Open: func(t *testing.T) encryption.Store {
					db := be.open(t, "conformance")
					st := openStore(t, db)
					dbs[st] = db
					return st
				},
				Reopen: func(t *testing.T, st encryption.Store) encryption.Store {
					db := be.reopen(t, "conformance", dbs[st])
					st = openStore(t, db)
					dbs[st] = db
					return st
				},
			})
		})
	}
}
