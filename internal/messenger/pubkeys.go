package messenger

import (
	"crypto/ecdsa"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/crypto"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
)

// maxCachedKeys bounds a pubKeyCache; a full cache starts over.
const maxCachedKeys = 1024

// pubKeyCache memoises the peer keys parsed on the per-message paths (a
// recipient's 0x04… chat ID, an MVDS peer ID): parsing checks the point is
// on the curve with big-integer arithmetic, a few µs that every message
// paid again for the same few peers. The zero value is ready and safe for
// concurrent use. Only keys that parsed are kept; the returned keys are
// shared and must not be modified.
type pubKeyCache struct {
	mu   sync.Mutex
	keys map[[65]byte]*ecdsa.PublicKey // guarded by mu
}

// peer returns the key of an MVDS peer ID (65 bytes, uncompressed).
func (p *pubKeyCache) peer(id mvds.PeerID) (*ecdsa.PublicKey, error) {
	p.mu.Lock()
	pub := p.keys[id]
	p.mu.Unlock()
	if pub != nil {
		return pub, nil
	}
	pub, err := crypto.UnmarshalPubkey(id[:])
	if err != nil {
		return nil, err
	}
	p.put(id, pub)
	return pub, nil
}

// hex is parsePubKey, through the cache.
func (p *pubKeyCache) hex(s string) (*ecdsa.PublicKey, error) {
	if !message.IsPubKeyHex(s) {
		return nil, fmt.Errorf("%w: %.20q", ErrInvalidPublicKey, s)
	}
	var id [65]byte
	for i := range id {
		id[i] = unhex(s[2+2*i])<<4 | unhex(s[3+2*i])
	}
	pub, err := p.peer(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	return pub, nil
}

func (p *pubKeyCache) put(id [65]byte, pub *ecdsa.PublicKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil || len(p.keys) >= maxCachedKeys {
		p.keys = make(map[[65]byte]*ecdsa.PublicKey)
	}
	p.keys[id] = pub
}
