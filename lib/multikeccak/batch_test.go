package multikeccak

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/sha3"
)

func reference(p []byte) (out [32]byte) {
	h := sha3.NewLegacyKeccak256()
	h.Write(p)
	h.Sum(out[:0])
	return out
}

// modes are the permutations this machine can run.
func modes() []impl {
	var out []impl
	for i := implGeneric; i <= best; i++ {
		if i != implAVX2 || cpuHasAVX2() {
			out = append(out, i)
		}
	}
	return out
}

// check hashes msgs in one batch and compares every result to x/crypto.
func check(t testing.TB, b *Batch, msgs [][]byte) {
	t.Helper()
	b.Reset()
	for _, m := range msgs {
		b.Write(m)
		b.End()
	}
	out := make([][32]byte, len(msgs))
	b.Sum(out)
	for i, m := range msgs {
		if want := reference(m); out[i] != want {
			t.Fatalf("%s: message %d of %d (%d bytes): %x, want %x", b.impl, i, len(msgs), len(m), out[i], want)
		}
	}
}

// TestEveryLength hashes random messages of every length 0…1000, in
// batches of every size 1…2·lanes+1 (so every number of lanes in use, and
// lanes refilled at different times), and compares with x/crypto.
func TestEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range modes() {
		b := &Batch{impl: m}
		for n := 1; n <= 2*lanes+1; n++ {
			for l := 0; l <= 1000; l += n {
				msgs := make([][]byte, n)
				for i := range msgs {
					// lengths l, l+1, …: neighbours straddle block borders.
					msgs[i] = make([]byte, min(l+i, 1000))
					for k := range msgs[i] {
						msgs[i][k] = byte(rng.Uint32())
					}
				}
				check(t, b, msgs)
			}
		}
	}
}

// TestMixedLengths: lanes with very different block counts, shuffled.
func TestMixedLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, m := range modes() {
		b := &Batch{impl: m}
		for range 50 {
			msgs := make([][]byte, 1+rng.IntN(40))
			for i := range msgs {
				msgs[i] = make([]byte, rng.IntN(3000))
				for k := range msgs[i] {
					msgs[i][k] = byte(rng.Uint32())
				}
			}
			check(t, b, msgs)
		}
	}
}

// TestPieces: a message written in several pieces is the concatenation.
func TestPieces(t *testing.T) {
	b := New()
	b.Write([]byte("abc"))
	b.Write(nil)
	b.Write([]byte("def"))
	if i := b.End(); i != 0 {
		t.Fatalf("End = %d", i)
	}
	b.End() // empty message
	out := make([][32]byte, b.Len())
	b.Sum(out)
	if out[0] != reference([]byte("abcdef")) || out[1] != reference(nil) {
		t.Fatalf("got %x", out)
	}
	// Known answer: keccak256("") (the Ethereum empty hash).
	if fmt.Sprintf("%x", out[1]) != "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" {
		t.Fatalf("keccak256(\"\") = %x", out[1])
	}
}

// TestPermutationsAgree: the assembly permutations equal the portable one
// on random states.
func TestPermutationsAgree(t *testing.T) {
	if len(modes()) == 1 {
		t.Skip("no AVX2 or AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var tmp [25][4]uint64
	for _, m := range modes()[1:] {
		for range 100 {
			var a, g state8
			for i := range a {
				for j := range a[i] {
					a[i][j] = rng.Uint64()
				}
			}
			g = a
			permute8(&a, &tmp, m, 0xFF)
			permute8(&g, &tmp, implGeneric, 0xFF)
			if a != g {
				t.Fatalf("%s and portable permutations differ", m)
			}
		}
	}
}

// FuzzBatch splits the fuzz input into messages at every 0xFF byte and
// compares both permutations with x/crypto.
func FuzzBatch(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{1}, 300))
	f.Add(append(bytes.Repeat([]byte{2, 0xFF}, 9), bytes.Repeat([]byte{3}, 137)...))
	f.Fuzz(func(t *testing.T, in []byte) {
		msgs := bytes.Split(in, []byte{0xFF})
		for _, m := range modes() {
			check(t, &Batch{impl: m}, msgs)
		}
	})
}
