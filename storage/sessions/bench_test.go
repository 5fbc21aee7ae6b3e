package sessions

import (
	"testing"

	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// Benchmarks of one 1 KiB direct message on an established session,
// including the bundle attached to it and the commit to this store (its
// at-rest encryption over goleveldb or the in-memory key-value store).
// protocol/encryption's benchmarks of the same names measure the Manager
// alone; the difference is the cost of this store.

func BenchmarkEncrypt1KiB(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) { et.BenchEncrypt1KiB(b, newStores(b, be).open) })
	}
}

func BenchmarkDecrypt1KiB(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) { et.BenchDecrypt1KiB(b, newStores(b, be).open) })
	}
}
