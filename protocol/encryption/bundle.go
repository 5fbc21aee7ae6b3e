package encryption

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"sort"
	"strconv"

	"github.com/ethereum/go-ethereum/crypto"
)

// BundleMaterial is the byte string a bundle signature covers (spec §3.2):
// for each installation id in lexicographic order, id ‖ SPK (33 raw bytes) ‖
// decimal version; then, if the timestamp is non-zero, its decimal string.
func BundleMaterial(b *Bundle) []byte {
	ids := make([]string, 0, len(b.SignedPreKeys))
	for id := range b.SignedPreKeys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var m []byte
	for _, id := range ids {
		k := b.SignedPreKeys[id]
		m = append(m, id...)
		m = append(m, k.Key...)
		m = strconv.AppendUint(m, uint64(k.Version), 10)
	}
	if b.Timestamp != 0 {
		m = strconv.AppendInt(m, b.Timestamp, 10)
	}
	return m
}

// SignBundle sets b.Identity and b.Signature from identity. The signature is
// RFC 6979 deterministic, so signing needs no randomness.
func SignBundle(b *Bundle, identity *ecdsa.PrivateKey) error {
	b.Identity = compress(&identity.PublicKey)
	sig, err := crypto.Sign(crypto.Keccak256(BundleMaterial(b)), identity)
	if err != nil {
		return fmt.Errorf("encryption: sign bundle: %w", err)
	}
	b.Signature = sig
	return nil
}

// VerifyBundle checks that b's signature recovers to b.Identity and that
// every signed prekey is a valid point. It returns the identity key.
func VerifyBundle(b *Bundle) (*ecdsa.PublicKey, error) {
	id, err := decompress(b.Identity)
	if err != nil {
		return nil, fmt.Errorf("%w: identity: %w", ErrInvalidBundleSignature, err)
	}
	if len(b.Signature) != signatureLen {
		return nil, fmt.Errorf("%w: %d-byte signature", ErrInvalidBundleSignature, len(b.Signature))
	}
	signer, err := crypto.SigToPub(crypto.Keccak256(BundleMaterial(b)), b.Signature)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidBundleSignature, err)
	}
	if !bytes.Equal(compress(signer), b.Identity) {
		return nil, ErrInvalidBundleSignature
	}
	for inst, k := range b.SignedPreKeys {
		if _, err := decompress(k.Key); err != nil {
			return nil, fmt.Errorf("%w: installation %q: %w", ErrInvalidBundleSignature, inst, err)
		}
	}
	return id, nil
}

// clone returns a copy of b that shares no map or slice with it.
func (b *Bundle) clone() *Bundle {
	c := &Bundle{Identity: bytes.Clone(b.Identity), Signature: bytes.Clone(b.Signature), Timestamp: b.Timestamp,
		SignedPreKeys: make(map[string]SignedPreKey, len(b.SignedPreKeys))}
	for id, k := range b.SignedPreKeys {
		k.Key = bytes.Clone(k.Key)
		c.SignedPreKeys[id] = k
	}
	return c
}
