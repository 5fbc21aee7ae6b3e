package whisper

import (
	"crypto/rand"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// The Searcher's absorbed-prefix hashing gives the hashes of the plain
// formula (keccak256 of RLP-without-nonce ‖ nonce) for envelope sizes on
// both sides of keccak's 136-byte block boundaries, so Search picks the
// same nonce as a naive search.
func TestSearcherMatchesNaiveSearch(t *testing.T) {
	for _, payload := range []int{0, 1, 40, 100, 135, 136, 137, 271, 272, 1000, 5000} {
		e, err := Wrap(&MessageParams{TTL: 15, KeySym: &fuzzSymKey, Topic: TopicFromName("status"), Payload: make([]byte, payload)}, fuzzNow, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		w, err := NewWork(e, -1)
		if err != nil {
			t.Fatal(err)
		}
		s := w.NewSearcher()
		buf := append(e.RLPWithoutNonce(), make([]byte, 8)...)
		var want [32]byte
		bestNonce, bestBits := uint64(0), -1
		for n := uint64(1000); n < 1300; n++ {
			powHash(crypto.NewKeccakState(), buf, n, &want)
			s.hash(n)
			if s.out != want {
				t.Fatalf("payload %d nonce %d: hash %x, want %x", payload, n, s.out, want)
			}
			if z := leadingZeroBits(&want); z > bestBits {
				bestNonce, bestBits = n, z
			}
		}
		if n, z := w.NewSearcher().Search(1000, 300); n != bestNonce || z != bestBits {
			t.Fatalf("payload %d: Search = %d (%d bits), want %d (%d bits)", payload, n, z, bestNonce, bestBits)
		}
		e.Nonce = bestNonce
		if e.PoW(fuzzNow) <= 0 {
			t.Fatalf("payload %d: PoW of the found nonce is %v", payload, e.PoW(fuzzNow))
		}
	}
}
