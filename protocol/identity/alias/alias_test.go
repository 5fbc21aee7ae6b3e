package alias

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// vector is one entry of testdata/vectors.json: a public key (uncompressed,
// 0x-prefixed hex) and the alias status-go v0.35.1 gave it. The first entry
// is the vector in status-go's own test, the last one comes from status-go's
// api/backend_test.go (December 2019), the rest were computed by status-go's
// implementation for keys keccak256("statusd identity vector N").
type vector struct {
	PublicKey string `json:"publicKey"`
	Alias     string `json:"alias"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 10 {
		t.Fatalf("only %d vectors", len(vs))
	}
	return vs
}

func TestAliasVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		raw, err := hex.DecodeString(strings.TrimPrefix(v.PublicKey, "0x"))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := crypto.UnmarshalPubkey(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := Alias(pub); got != v.Alias {
			t.Errorf("Alias(%s…) = %q, want %q", v.PublicKey[:12], got, v.Alias)
		}
	}
}

// TestFromSeed is status-go's own register vector (seed 42).
func TestFromSeed(t *testing.T) {
	if got := FromSeed(42); got != "Hard Tame Brownbutterfly" {
		t.Fatalf("FromSeed(42) = %q", got)
	}
}

// TestWordLists pins the embedded lists: their lengths are moduli of the
// algorithm, so a lost or added line changes every alias.
func TestWordLists(t *testing.T) {
	w := lists()
	if len(w.adjectives) != 1389 || len(w.animals) != 1704 {
		t.Fatalf("lists: %d adjectives, %d animals", len(w.adjectives), len(w.animals))
	}
	if w.adjectives[0] != "Able" || w.animals[0] != "Aardvark" || w.animals[len(w.animals)-1] != "Zorilla" {
		t.Fatalf("list ends: %q %q %q", w.adjectives[0], w.animals[0], w.animals[len(w.animals)-1])
	}
}

// TestLFSRModel checks the register against a bit-by-bit model: the new low
// bit is the XOR of bits 3, 4, 5 and 7 of the previous state.
func TestLFSRModel(t *testing.T) {
	for _, seed := range []uint64{1, 42, 0xdeadbeefcafebabe, 1 << 63} {
		r := lfsr(seed)
		s := seed
		for i := 0; i < 200; i++ {
			bit := (s>>3 ^ s>>4 ^ s>>5 ^ s>>7) & 1
			s = s<<1 | bit
			if got := r.next(); got != s {
				t.Fatalf("seed %#x step %d: %#x, want %#x", seed, i, got, s)
			}
		}
	}
}

func BenchmarkAlias(b *testing.B) {
	k, _ := crypto.GenerateKey()
	b.ReportAllocs()
	for b.Loop() {
		Alias(&k.PublicKey)
	}
}
