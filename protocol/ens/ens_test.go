package ens

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestNamehash checks the examples of EIP-137 and a name under
// stateofus.eth, the domain of Status usernames.
func TestNamehash(t *testing.T) {
	for _, v := range []struct{ name, want string }{
		{"", "0000000000000000000000000000000000000000000000000000000000000000"},
		{"eth", "93cdeb708b7545dc668eb9280176169d1c33cfd8ed6f04690a0bcc88a93fc4ae"},
		{"foo.eth", "de9b09fd7c5f901e23a3f19fecc54828e9c848539801e86591bd9801b019f84f"},
		{"FOO.eth", "de9b09fd7c5f901e23a3f19fecc54828e9c848539801e86591bd9801b019f84f"},
	} {
		got, err := Namehash(v.name)
		if err != nil || hex.EncodeToString(got[:]) != v.want {
			t.Errorf("Namehash(%q) = %x, %v; want %s", v.name, got, err, v.want)
		}
	}
	for _, bad := range []string{".eth", "a..eth", "eth."} {
		if _, err := Namehash(bad); !errors.Is(err, ErrEmptyName) {
			t.Errorf("Namehash(%q): %v", bad, err)
		}
	}
}

// TestSelectors: the selectors are keccak256 of the signatures.
func TestSelectors(t *testing.T) {
	for sig, sel := range map[string][4]byte{"resolver(bytes32)": selectorResolver, "pubkey(bytes32)": selectorPubkey} {
		if !bytes.Equal(crypto.Keccak256([]byte(sig))[:4], sel[:]) {
			t.Errorf("%s: selector %x", sig, sel)
		}
	}
	var node [32]byte
	node[31] = 9
	if c := PubkeyCall(node); len(c) != 36 || c[35] != 9 || !bytes.Equal(c[:4], selectorPubkey[:]) {
		t.Errorf("PubkeyCall: %x", c)
	}
}

func TestDecode(t *testing.T) {
	word := make([]byte, 32)
	if _, err := DecodeResolver(word); !errors.Is(err, ErrNoResolver) {
		t.Errorf("zero resolver: %v", err)
	}
	word[31] = 0xaa
	if a, err := DecodeResolver(word); err != nil || a[19] != 0xaa {
		t.Errorf("resolver: %x, %v", a, err)
	}
	if _, err := DecodeResolver(word[:31]); !errors.Is(err, ErrShort) {
		t.Errorf("short: %v", err)
	}
	if _, err := DecodePubkey(make([]byte, 64)); !errors.Is(err, ErrNoPubkey) {
		t.Errorf("zero key: %v", err)
	}
	key, _ := crypto.GenerateKey()
	raw := crypto.FromECDSAPub(&key.PublicKey)
	if got, err := DecodePubkey(raw[1:]); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("pubkey: %x, %v", got, err)
	}
	if _, err := DecodePubkey(raw[1:40]); !errors.Is(err, ErrShort) {
		t.Errorf("short key: %v", err)
	}
}

// FuzzDecode: the decoders never panic, and a key they return is 65
// bytes starting with 0x04.
func FuzzDecode(f *testing.F) {
	f.Add(make([]byte, 64))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeResolver(b)
		if k, err := DecodePubkey(b); err == nil && (len(k) != 65 || k[0] != 4) {
			t.Fatalf("key %x", k)
		}
	})
}

// FuzzNamehash: any name hashes or is refused as ErrEmptyName, and the
// case of an ASCII name does not matter.
func FuzzNamehash(f *testing.F) {
	f.Add("alice.stateofus.eth")
	f.Add("a..b")
	f.Fuzz(func(t *testing.T, name string) {
		h, err := Namehash(name)
		if err != nil && !errors.Is(err, ErrEmptyName) {
			t.Fatal(err)
		}
		if !isASCII(name) {
			return
		}
		if h2, err2 := Namehash(strings.ToUpper(name)); err == nil && (err2 != nil || h2 != h) {
			t.Fatalf("case changes the hash of %q", name)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
