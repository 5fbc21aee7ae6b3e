package multikeccak

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"golang.org/x/crypto/sha3"
)

// BenchmarkSum hashes 128 messages of 306 bytes (an envelope's PoW input
// with 100 bytes of payload) per iteration, against one by one with
// go-ethereum's single-state assembly Keccak and with x/crypto's.
func BenchmarkSum(b *testing.B) {
	const n, size = 128, 306
	msg := make([]byte, size)
	for _, m := range modes() {
		b.Run(m.String(), func(b *testing.B) {
			bt := &Batch{impl: m}
			out := make([][32]byte, n)
			b.ReportAllocs()
			for b.Loop() {
				bt.Reset()
				for range n {
					bt.Write(msg)
					bt.End()
				}
				bt.Sum(out)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
		})
	}
	b.Run("geth-asm", func(b *testing.B) {
		h := crypto.NewKeccakState()
		var out [32]byte
		for b.Loop() {
			for range n {
				h.Reset()
				h.Write(msg)
				h.Read(out[:])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
	})
	b.Run("xcrypto", func(b *testing.B) {
		h := sha3.NewLegacyKeccak256()
		var out [32]byte
		for b.Loop() {
			for range n {
				h.Reset()
				h.Write(msg)
				h.Sum(out[:0])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
	})
}

// BenchmarkPermute is one eight-state permutation.
func BenchmarkPermute(b *testing.B) {
	for _, m := range modes() {
		b.Run(m.String(), func(b *testing.B) {
			var s state8
			var tmp [25][4]uint64
			for b.Loop() {
				permute8(&s, &tmp, m, 0xFF)
			}
		})
	}
}
