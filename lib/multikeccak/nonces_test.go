package multikeccak

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// checkNonces compares Sum8 of prefix from first with x/crypto.
func checkNonces(t testing.TB, h *NonceHasher, prefix []byte, first uint64) {
	t.Helper()
	p := NewPrefix(prefix)
	var out [lanes][32]byte
	h.Sum8(p, first, &out)
	in := append(append([]byte(nil), prefix...), make([]byte, 8)...)
	for j := range lanes {
		binary.BigEndian.PutUint64(in[len(prefix):], first+uint64(j))
		if want := reference(in); out[j] != want {
			t.Fatalf("%s: prefix of %d bytes, nonce %d: %x, want %x", h.impl, len(prefix), first+uint64(j), out[j], want)
		}
	}
}

// TestNoncesEveryLength hashes prefixes of every length 0…700 (so the
// nonce and the padding fall everywhere in a block, and overflow it) with
// several runs of nonces, on every permutation this machine has, and
// compares with x/crypto. The runs include one that wraps at 2^64.
func TestNoncesEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, m := range modes() {
		h := &NonceHasher{impl: m}
		for l := 0; l <= 700; l++ {
			prefix := make([]byte, l)
			for i := range prefix {
				prefix[i] = byte(rng.Uint32())
			}
			for _, first := range []uint64{0, uint64(l) * 977, math.MaxUint64 - 3, rng.Uint64()} {
				checkNonces(t, h, prefix, first)
			}
		}
	}
}

// A Prefix serves several NonceHashers and many calls alike: the second
// call of one hasher does not see the first's states.
func TestNoncesReuse(t *testing.T) {
	prefix := make([]byte, 300)
	for i := range prefix {
		prefix[i] = byte(i)
	}
	p := NewPrefix(prefix)
	var a, b [lanes][32]byte
	h1, h2 := NewNonceHasher(), NewNonceHasher()
	h1.Sum8(p, 100, &a)
	h1.Sum8(p, 108, &a)
	h2.Sum8(p, 108, &b)
	if a != b {
		t.Fatal("a reused hasher differs from a fresh one")
	}
	checkNonces(t, h1, prefix, 108)
}

func FuzzNonces(f *testing.F) {
	f.Add([]byte("prefix"), uint64(0))
	f.Add(make([]byte, rate-8), uint64(1)<<56)
	f.Add(make([]byte, rate-9), uint64(math.MaxUint64))
	f.Fuzz(func(t *testing.T, prefix []byte, first uint64) {
		if len(prefix) > 4096 {
			return
		}
		checkNonces(t, NewNonceHasher(), prefix, first)
	})
}

// BenchmarkNonces: eight nonces of a 300-byte envelope prefix, the unit of
// a proof-of-work search, against go-ethereum's single-state Keccak
// resuming a marshalled midstate per nonce (what the search did before).
func BenchmarkNonces(b *testing.B) {
	prefix := make([]byte, 300)
	p := NewPrefix(prefix)
	for _, m := range modes() {
		b.Run(m.String(), func(b *testing.B) {
			h := &NonceHasher{impl: m}
			var out [lanes][32]byte
			var n uint64
			b.ReportAllocs()
			for b.Loop() {
				h.Sum8(p, n, &out)
				n += lanes
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lanes), "ns/nonce")
		})
	}
	b.Run("geth-asm", func(b *testing.B) {
		h := crypto.NewKeccakState()
		h.Write(prefix)
		mid, err := h.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
		if err != nil {
			b.Skip("no marshalable state")
		}
		u := h.(interface{ UnmarshalBinary([]byte) error })
		var nonce [8]byte
		var out [32]byte
		var n uint64
		for b.Loop() {
			for range lanes {
				u.UnmarshalBinary(mid)
				binary.BigEndian.PutUint64(nonce[:], n)
				h.Write(nonce[:])
				h.Read(out[:])
				n++
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lanes), "ns/nonce")
	})
}
