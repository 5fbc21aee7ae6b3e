package statusd

import (
	"encoding/hex"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestNamesCacheMatchesAndStaysBounded(t *testing.T) {
	n := newNames()
	for i := range namesCap + 10 {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		key := "0x" + hex.EncodeToString(crypto.FromECDSAPub(&k.PublicKey))
		if got, want := n.alias(key), aliasOf(key); got != want || want == "" {
			t.Fatalf("key %d: alias %q, want %q", i, got, want)
		}
		if i%50 == 0 {
			if got, want := n.identicon(key), identiconOf(key); got != want || want == "" {
				t.Fatalf("key %d: identicon differs", i)
			}
			if got := n.identicon(key); got != identiconOf(key) {
				t.Fatalf("key %d: cached identicon differs", i)
			}
		}
		if got := n.alias(key); got != aliasOf(key) {
			t.Fatalf("key %d: cached alias differs", i)
		}
	}
	if len(n.keys) > namesCap {
		t.Fatalf("cache holds %d keys, cap %d", len(n.keys), namesCap)
	}
	if got := n.alias("0xnot-a-key"); got != "" {
		t.Fatalf("alias of a bad key: %q", got)
	}
	var none *names
	if got := none.alias("0xnot-a-key"); got != "" {
		t.Fatalf("nil cache: %q", got)
	}
}
