package alias

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"crypto/ecdsa"
	_ "embed"
	"strings"
	"sync"
)

// lfsrTaps is the feedback polynomial of the shift register: bits 3, 4, 5
// and 7 of the state are XORed into the new low bit.
const lfsrTaps uint64 = 0xB8

var (
	//go:embed adjectives.txt
	adjectivesText string
	//go:embed animals.txt
	animalsText string
)

// wordLists holds the two lists, split from the embedded files on first use
// and read-only afterwards.
type wordLists struct {
	adjectives []string
	animals    []string
}

var lists = sync.OnceValue(func() wordLists {
	return wordLists{
		adjectives: strings.Fields(adjectivesText),
		animals:    strings.Fields(animalsText),
	}
})

// Alias returns the three-word name of pub, words capitalised and separated
// by single spaces, e.g. "Darkorange Blue Bubblefish". pub must be a point on
// secp256k1 (its X coordinate is read); Alias never fails and is safe for
// concurrent use.
func Alias(pub *ecdsa.PublicKey) string {
	// big.Int.Int64 of a non-negative number is its low 64 bits.
	return FromSeed(uint64(pub.X.Int64()))
}

// FromSeed returns the three-word name for a raw 64-bit register seed. Alias
// uses the low 64 bits of the key's X coordinate; FromSeed exists so the
// register itself can be checked against known seeds.
func FromSeed(seed uint64) string {
	w := lists()
	r := lfsr(seed)
	a1 := w.adjectives[r.next()%uint64(len(w.adjectives))]
	a2 := w.adjectives[r.next()%uint64(len(w.adjectives))]
	an := w.animals[r.next()%uint64(len(w.animals))]
	return a1 + " " + a2 + " " + an
}

// lfsr is a 64-bit Fibonacci linear-feedback shift register whose state
// shifts left, the feedback bit entering at bit 0 and bit 63 falling off.
type lfsr uint64

func (r *lfsr) next() uint64 {
	var fb uint64
	for i := uint(0); i < 64; i++ {
		if lfsrTaps&(1<<i) != 0 {
			fb ^= uint64(*r) >> i
		}
	}
	*r = lfsr(uint64(*r)<<1 | fb&1)
	return uint64(*r)
}
