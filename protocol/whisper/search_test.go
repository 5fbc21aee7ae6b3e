package whisper

import (
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// searchModes returns w as built (eight nonces at a time where the CPU has
// vector Keccak) and a copy that takes the single-state path.
func searchModes(w *Work) map[string]*Work {
	single := *w
	single.lanes = nil
	return map[string]*Work{"as built": w, "single state": &single}
}

// The Searcher's absorbed-prefix hashing gives the hashes of the plain
// formula (keccak256 of RLP-without-nonce ‖ nonce) for envelope sizes on
// both sides of keccak's 136-byte block boundaries, so Search picks the
// same nonce as a naive search, one nonce or eight at a time.
func TestSearcherMatchesNaiveSearch(t *testing.T) {
	for _, payload := range []int{0, 1, 40, 100, 135, 136, 137, 271, 272, 1000, 5000} {
		e, err := Wrap(&MessageParams{TTL: 15, KeySym: &fuzzSymKey, Topic: TopicFromName("status"), Payload: make([]byte, payload)}, fuzzNow, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		built, err := NewWork(e, -1)
		if err != nil {
			t.Fatal(err)
		}
		for mode, w := range searchModes(built) {
			t.Run(fmt.Sprintf("%d bytes, %s", payload, mode), func(t *testing.T) { checkSearch(t, e, w, payload) })
		}
	}
}

func checkSearch(t *testing.T, e *Envelope, w *Work, payload int) {
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

// With a target, Search stops at the first nonce that reaches it, and
// reports the same nonce one nonce or eight at a time, whatever the start
// and count (runs that end inside a group of eight included).
func TestSearchStopsAtFirstTarget(t *testing.T) {
	e, err := Wrap(&MessageParams{TTL: 15, KeySym: &fuzzSymKey, Topic: TopicFromName("status"), Payload: make([]byte, 200)}, fuzzNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	built, err := NewWork(e, -1)
	if err != nil {
		t.Fatal(err)
	}
	built.target = 6 // one nonce in 64 on average
	buf := append(e.RLPWithoutNonce(), make([]byte, 8)...)
	for _, run := range [][2]uint64{{0, 1}, {5, 3}, {7, 500}, {1 << 40, 777}, {^uint64(0) - 20, 400}} {
		start, count := run[0], run[1]
		wantNonce, wantBits := start, -1
		var h [32]byte
		for i := uint64(0); i < count; i++ {
			powHash(crypto.NewKeccakState(), buf, start+i, &h)
			if z := leadingZeroBits(&h); z > wantBits {
				wantNonce, wantBits = start+i, z
				if z >= built.target {
					break
				}
			}
		}
		for mode, w := range searchModes(built) {
			if n, z := w.NewSearcher().Search(start, count); n != wantNonce || z != wantBits {
				t.Errorf("%s: Search(%d, %d) = %d (%d bits), want %d (%d bits)", mode, start, count, n, z, wantNonce, wantBits)
			}
		}
	}
}
