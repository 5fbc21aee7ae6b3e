package whisper

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/crypto/ecies"
)

// SymKey is an AES-256-GCM key for symmetric envelopes (docs/PROTOCOL.md §5.6).
// An all-zero key is invalid.
type SymKey [AESKeyLength]byte

// SymKeyFromPassword derives the key of shh_generateSymKeyFromPassword (§4.2):
// PBKDF2-HMAC-SHA256(password, salt = nil, 65356 iterations, 32 bytes). Public
// chats use their channel name as password, negotiated 1:1 chats the hex of
// the shared secret (§3.8), mailservers "status-offline-inbox". It costs a
// few tens of milliseconds; callers should cache the result.
func SymKeyFromPassword(password string) (SymKey, error) {
	var k SymKey
	raw, err := pbkdf2.Key(sha256.New, password, nil, SymKeyPBKDF2Iterations, AESKeyLength)
	if err != nil {
		return k, fmt.Errorf("%w: %w", ErrKeyDerivation, err)
	}
	copy(k[:], raw)
	return k, nil
}

// GenerateSymKey reads a fresh random key from rand (shh_newSymKey).
func GenerateSymKey(rand io.Reader) (SymKey, error) {
	var k SymKey
	if _, err := io.ReadFull(rand, k[:]); err != nil {
		return k, fmt.Errorf("%w: %w", ErrRandom, err)
	}
	if !k.Valid() {
		return k, fmt.Errorf("%w: all-zero key", ErrRandom)
	}
	return k, nil
}

// SymKeyFromBytes copies a 32-byte key (shh_addSymKey), rejecting other
// lengths and the all-zero key.
func SymKeyFromBytes(b []byte) (SymKey, error) {
	var k SymKey
	if len(b) != AESKeyLength {
		return k, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidSymKey, len(b), AESKeyLength)
	}
	copy(k[:], b)
	if !k.Valid() {
		return k, fmt.Errorf("%w: all zero", ErrInvalidSymKey)
	}
	return k, nil
}

// Valid reports whether k is not all zero (checked in constant time).
func (k *SymKey) Valid() bool {
	var zero SymKey
	return subtle.ConstantTimeCompare(k[:], zero[:]) == 0
}

// Equal compares two keys in constant time.
func (k *SymKey) Equal(o *SymKey) bool {
	return subtle.ConstantTimeCompare(k[:], o[:]) == 1
}

// String prints a short fingerprint, never the key: the first 4 bytes of
// keccak256(key), as logs may show it (logs never print secrets).
func (k SymKey) String() string {
	return "symkey:" + hex.EncodeToString(crypto.Keccak256(k[:])[:4])
}

// DeterministicID maps any string to a key ID as the Status fork does
// (§5.9): hex(PBKDF2-HMAC-SHA256(input, salt = nil, 4096, 32 bytes)), 64
// lowercase hex characters.
func DeterministicID(input string) (string, error) {
	raw, err := pbkdf2.Key(sha256.New, input, nil, KeyIDPBKDF2Iterations, KeyIDSize)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrKeyDerivation, err)
	}
	return hex.EncodeToString(raw), nil
}

// ToDeterministicID returns id unchanged when it is 64 characters long
// (already an ID) and DeterministicID(id) otherwise, which is how every
// key-pair API of the Status fork also accepts a "0x04…" public key (§5.9).
func ToDeterministicID(id string) (string, error) {
	if len(id) == 2*KeyIDSize {
		return id, nil
	}
	return DeterministicID(id)
}

// KeyPairID is the deterministic ID of a key pair (§5.9):
// DeterministicID("0x" + hex(uncompressed 65-byte public key)).
func KeyPairID(pub *ecdsa.PublicKey) (string, error) {
	if !ValidatePublicKey(pub) {
		return "", ErrInvalidPublicKey
	}
	return DeterministicID("0x" + hex.EncodeToString(crypto.FromECDSAPub(pub)))
}

// ValidatePublicKey reports whether pub is a usable secp256k1 point: not
// nil, non-zero coordinates, on the curve.
func ValidatePublicKey(pub *ecdsa.PublicKey) bool {
	if pub == nil || pub.X == nil || pub.Y == nil || pub.X.Sign() == 0 || pub.Y.Sign() == 0 {
		return false
	}
	return crypto.S256().IsOnCurve(pub.X, pub.Y)
}

// ValidatePrivateKey reports whether priv is a usable secp256k1 key.
func ValidatePrivateKey(priv *ecdsa.PrivateKey) bool {
	if priv == nil || priv.D == nil || priv.D.Sign() == 0 {
		return false
	}
	return priv.D.Cmp(crypto.S256().Params().N) < 0 && ValidatePublicKey(&priv.PublicKey)
}

// EncryptSymmetric seals plaintext with AES-256-GCM under key (docs/PROTOCOL.md
// §5.6): a random 12-byte nonce is read from rand, there is no additional
// data, and the result is ciphertext ‖ tag(16) ‖ nonce(12). An all-zero nonce
// is refused as a sign of a broken random source, as the reference does.
func EncryptSymmetric(key *SymKey, plaintext []byte, rand io.Reader) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	var nonce [AESNonceLength]byte
	if _, err := io.ReadFull(rand, nonce[:]); err != nil {
		return nil, fmt.Errorf("%w: nonce: %w", ErrRandom, err)
	}
	if nonce == [AESNonceLength]byte{} {
		return nil, fmt.Errorf("%w: all-zero nonce", ErrRandom)
	}
	out := make([]byte, 0, len(plaintext)+AESTagLength+AESNonceLength)
	out = aead.Seal(out, nonce[:], plaintext, nil)
	return append(out, nonce[:]...), nil
}

// DecryptSymmetric opens Data sealed by EncryptSymmetric. It returns a fresh
// slice; failures (short input, wrong key, tampering) wrap ErrDecrypt.
func DecryptSymmetric(key *SymKey, data []byte) ([]byte, error) {
	if len(data) < AESNonceLength+AESTagLength {
		return nil, fmt.Errorf("%w: %d bytes too short", ErrDecrypt, len(data))
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return openGCM(aead, data, nil)
}

// openGCM opens data (ciphertext ‖ tag ‖ nonce). With scratch, small
// ciphertexts are opened into a pooled buffer and only a plaintext that
// verifies gets memory of its own: most attempts of a filter fail.
func openGCM(aead cipher.AEAD, data []byte, scratch *sync.Pool) ([]byte, error) {
	if len(data) < AESNonceLength+AESTagLength {
		return nil, fmt.Errorf("%w: %d bytes too short", ErrDecrypt, len(data))
	}
	split := len(data) - AESNonceLength
	var buf *[]byte
	var dst []byte
	if scratch != nil && split <= maxScratchOpen {
		buf = scratch.Get().(*[]byte)
		dst = (*buf)[:0]
	}
	plain, err := aead.Open(dst, data[split:], data[:split], nil)
	if buf != nil {
		if err == nil {
			plain = bytes.Clone(plain)
		}
		scratch.Put(buf)
	}
	if err != nil {
		if err.Error() == errAuthText {
			// The usual failure (wrong key: a filter trying an envelope
			// that is not for it) gets a prebuilt error instead of a
			// fmt.Errorf per attempt; it reads and matches the same.
			return nil, errDecryptAuth
		}
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	return plain, nil
}

// maxScratchOpen is the largest ciphertext opened into a pooled buffer.
const maxScratchOpen = 4 << 10

func newScratchPool() *sync.Pool {
	return &sync.Pool{New: func() any { b := make([]byte, 0, maxScratchOpen); return &b }}
}

// errAuthText is what crypto/cipher's GCM returns when a tag does not
// verify; errDecryptAuth is ErrDecrypt wrapping that error.
const errAuthText = "cipher: message authentication failed"

var errDecryptAuth = fmt.Errorf("%w: %w", ErrDecrypt, errors.New(errAuthText))

// SymCipher is the AES-256-GCM instance of one SymKey and the key's hash,
// built once so that trying the key on many envelopes (a filter) costs no
// key schedule. It is immutable and safe for concurrent use.
type SymCipher struct {
	aead    cipher.AEAD
	keyHash common.Hash
	scratch *sync.Pool // buffers for failed attempts (openGCM)
}

// NewSymCipher prepares key for decryption; it fails as DecryptSymmetric
// would for an invalid key.
func NewSymCipher(key *SymKey) (*SymCipher, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &SymCipher{aead: aead, keyHash: crypto.Keccak256Hash(key[:]), scratch: newScratchPool()}, nil
}

// Decrypt is DecryptSymmetric with the prepared key.
func (c *SymCipher) Decrypt(data []byte) ([]byte, error) {
	return openGCM(c.aead, data, c.scratch)
}

func newGCM(key *SymKey) (cipher.AEAD, error) {
	if key == nil || !key.Valid() {
		return nil, ErrInvalidSymKey
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSymKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSymKey, err)
	}
	return aead, nil
}

// EncryptAsymmetric seals plaintext to pub with go-ethereum ECIES
// (ECIES_AES128_SHA256 on secp256k1, no shared info s1/s2; §5.6). The result
// is R(65, uncompressed) ‖ IV(16) ‖ AES-128-CTR ciphertext ‖ HMAC-SHA256 tag(32).
func EncryptAsymmetric(pub *ecdsa.PublicKey, plaintext []byte, rand io.Reader) ([]byte, error) {
	if !ValidatePublicKey(pub) {
		return nil, ErrInvalidPublicKey
	}
	out, err := ecies.Encrypt(rand, ecies.ImportECDSAPublic(pub), plaintext, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: ecies: %w", ErrEncrypt, err)
	}
	return out, nil
}

// DecryptAsymmetric opens Data sealed by EncryptAsymmetric with priv. It
// returns a fresh slice; failures wrap ErrDecrypt.
func DecryptAsymmetric(priv *ecdsa.PrivateKey, data []byte) ([]byte, error) {
	if !ValidatePrivateKey(priv) {
		return nil, ErrInvalidPrivateKey
	}
	if len(data) < ECIESOverhead {
		return nil, fmt.Errorf("%w: %d bytes too short", ErrDecrypt, len(data))
	}
	plain, err := ecies.ImportECDSA(priv).Decrypt(data, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	return plain, nil
}
