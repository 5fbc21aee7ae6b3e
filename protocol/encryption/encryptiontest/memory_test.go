package encryptiontest

import (
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
)

func TestMemoryStore(t *testing.T) {
	StoreSuite(t, StoreBackend{
		Open:   func(*testing.T) encryption.Store { return NewMemoryStore() },
		Reopen: func(_ *testing.T, st encryption.Store) encryption.Store { return st },
	})
}
