package encryption_test

import (
	"testing"

	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// Benchmarks of one 1 KiB direct message on an established session,
// including the bundle attached to it, on an in-memory store (the cost of
// the Manager alone; storage/sessions measures the same with its at-rest
// encryption and goleveldb). Anchor: the doubleratchet library alone does
// ~7.6 µs encrypt, ~51 µs decrypt in memory.

func BenchmarkEncrypt1KiB(b *testing.B) { et.BenchEncrypt1KiB(b, memStores) }

func BenchmarkDecrypt1KiB(b *testing.B) { et.BenchDecrypt1KiB(b, memStores) }
