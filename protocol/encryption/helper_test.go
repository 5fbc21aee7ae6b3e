package encryption_test

import (
	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// memStores gives each device its own in-memory store.
func memStores(string) encryption.Store { return et.NewMemoryStore() }

// memStore is d's store; every device here runs on a MemoryStore.
func memStore(d *et.Device) *et.MemoryStore { return d.Store.(*et.MemoryStore) }
