package messenger

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
)

// The key cache parses as parsePubKey does, returns the same key again
// without parsing, never keeps a key that failed, and starts over when
// full.
func TestPubKeyCache(t *testing.T) {
	var p pubKeyCache
	key := genKey(t)
	hex := message.PubKeyHex(&key.PublicKey)
	a, err := p.hex(hex)
	if err != nil || !bytes.Equal(crypto.FromECDSAPub(a), crypto.FromECDSAPub(&key.PublicKey)) {
		t.Fatalf("hex: %v", err)
	}
	var id mvds.PeerID
	copy(id[:], crypto.FromECDSAPub(&key.PublicKey))
	if b, err := p.peer(id); err != nil || b != a {
		t.Fatalf("peer: %p, %v; want the cached %p", b, err, a)
	}

	for _, bad := range []string{"0x04" + strings.Repeat("00", 64), "0x05" + hex[4:], hex[:20], "xyz"} {
		_, want := parsePubKey(bad)
		if _, err := p.hex(bad); !errors.Is(err, ErrInvalidPublicKey) || want == nil {
			t.Errorf("%.12q: %v (parsePubKey: %v), want ErrInvalidPublicKey", bad, err, want)
		}
	}
	if len(p.keys) != 1 {
		t.Fatalf("%d keys cached, want 1", len(p.keys))
	}

	for range maxCachedKeys {
		var k mvds.PeerID
		copy(k[:], crypto.FromECDSAPub(&genKey(t).PublicKey))
		if _, err := p.peer(k); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.keys); n > maxCachedKeys {
		t.Fatalf("%d keys cached, bound %d", n, maxCachedKeys)
	}
}
