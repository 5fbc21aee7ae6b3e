package bip32

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"
)

// specVector is a BIP-32 test vector (vectors 1 to 3 of the specification,
// as status-go's extkeys tests carried them): the key at path from seed, as
// an xprv string.
type specVector struct {
	Name string `json:"name"`
	Seed string `json:"seed"`
	Path string `json:"path"`
	Xprv string `json:"xprv"`
}

func TestSpecVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/bip32-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []specVector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 14 {
		t.Fatalf("%d vectors", len(vs))
	}
	for _, v := range vs {
		seed, _ := hex.DecodeString(v.Seed)
		master, err := NewMaster(seed)
		if err != nil {
			t.Fatal(err)
		}
		path, err := ParsePath(v.Path)
		if err != nil {
			t.Fatal(err)
		}
		k, err := master.Derive(path)
		if err != nil {
			t.Fatal(err)
		}
		chain, key := decodeXprv(t, v.Xprv)
		if k.chainCode != chain || k.key != key || k.Depth() != len(path) {
			t.Errorf("%s: key or chain code differs", v.Name)
		}
	}
}

// decodeXprv returns the chain code and private key of a serialized
// extended private key (BIP-32 "Serialization format"), checking its
// checksum.
func decodeXprv(t *testing.T, s string) (chain, key [32]byte) {
	t.Helper()
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int)
	for _, c := range s {
		n.Mul(n, big.NewInt(58))
		n.Add(n, big.NewInt(int64(strings.IndexRune(alphabet, c))))
	}
	raw := n.FillBytes(make([]byte, 82))
	sum := sha256.Sum256(raw[:78])
	sum = sha256.Sum256(sum[:])
	if !bytes.Equal(sum[:4], raw[78:]) || raw[45] != 0 {
		t.Fatalf("bad xprv %s", s)
	}
	copy(chain[:], raw[13:45])
	copy(key[:], raw[46:78])
	return chain, key
}

func TestSeedSize(t *testing.T) {
	for _, n := range []int{0, 15, 65} {
		if _, err := NewMaster(make([]byte, n)); !errors.Is(err, ErrSeedSize) {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}

func TestParsePath(t *testing.T) {
	good := map[string]Path{
		"m":                     {},
		"m/44'/60'/0'/0/0":      {Hardened + 44, Hardened + 60, Hardened, 0, 0},
		"m/43'/60'/1581'/0'/0":  {Hardened + 43, Hardened + 60, Hardened + 1581, Hardened, 0},
		"m/0h/1H/2147483647'/7": {Hardened, Hardened + 1, Hardened + 2147483647, 7},
	}
	for s, want := range good {
		p, err := ParsePath(s)
		if err != nil || !slices.Equal(p, want) {
			t.Errorf("ParsePath(%q) = %v, %v", s, p, err)
		}
	}
	if got := (Path{Hardened + 44, 0}).String(); got != "m/44'/0" {
		t.Errorf("String = %q", got)
	}
	for _, s := range []string{"", "M/0", "m/", "m//0", "m/x", "m/-1", "m/+1", "m/2147483648", "m/1''", "n/0", "m/0'/a'", "m/4294967296"} {
		if _, err := ParsePath(s); !errors.Is(err, ErrPath) {
			t.Errorf("ParsePath(%q) = %v, want ErrPath", s, err)
		}
	}
	if _, err := ParsePath("m" + strings.Repeat("/0", 256)); !errors.Is(err, ErrPath) {
		t.Error("overlong path accepted")
	}
}

func TestDepthLimit(t *testing.T) {
	k, _ := NewMaster(make([]byte, 32))
	k.depth = maxDepth
	if _, err := k.Child(0); !errors.Is(err, ErrDepth) {
		t.Fatal(err)
	}
}

func TestKeyNotPrinted(t *testing.T) {
	k, _ := NewMaster(bytes.Repeat([]byte{7}, 32))
	s := fmt.Sprintf("%v|%+v|%#v|%s", k, k, k, k)
	if s != strings.Repeat("bip32.Key(depth 0)|", 3)+"bip32.Key(depth 0)" {
		t.Fatalf("printed more than the depth: %s", s)
	}
}

// FuzzParsePath: ParsePath never panics, and an accepted path prints as text
// that parses back to the same path.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"m", "m/44'/60'/0'/0/0", "m/43'/60'/1581'/0'/0", "m/0h/1H", "m/2147483648", "m//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		again, err := ParsePath(p.String())
		if err != nil || !slices.Equal(p, again) {
			t.Fatalf("%q -> %s does not round-trip: %v", s, p, err)
		}
	})
}

func BenchmarkDeriveChatPath(b *testing.B) {
	k, _ := NewMaster(bytes.Repeat([]byte{7}, 64))
	p, _ := ParsePath("m/43'/60'/1581'/0'/0")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Derive(p); err != nil {
			b.Fatal(err)
		}
	}
}
