package bip32

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/crypto"
)

// Spec constants (BIP-32, "Master key generation" and "Child key derivation").
const (
	// Hardened is added to an index to select hardened derivation.
	Hardened uint32 = 0x80000000

	masterHMACKey = "Bitcoin seed"
	MinSeedSize   = 16 // bytes
	MaxSeedSize   = 64 // bytes
	maxDepth      = 255
)

// Sentinel errors.
var (
	ErrSeedSize   = errors.New("bip32: seed must be 16 to 64 bytes")
	ErrInvalidKey = errors.New("bip32: derived key is invalid (try the next index)")
	ErrDepth      = errors.New("bip32: path deeper than 255")
	ErrPath       = errors.New("bip32: bad derivation path")
)

// Key is an extended private key: a secp256k1 scalar and its chain code.
// Keys are immutable; Child returns a new one.
type Key struct {
	key       [32]byte
	chainCode [32]byte
	depth     uint8
}

// NewMaster returns the master key of a seed (BIP-39 seeds are 64 bytes).
// The error is ErrSeedSize, or ErrInvalidKey for the one-in-2^127 seed whose
// HMAC is not a valid scalar.
func NewMaster(seed []byte) (*Key, error) {
	if len(seed) < MinSeedSize || len(seed) > MaxSeedSize {
		return nil, fmt.Errorf("%w, not %d", ErrSeedSize, len(seed))
	}
	il, ir := hmacSplit([]byte(masterHMACKey), seed)
	if !validScalar(il) {
		return nil, ErrInvalidKey
	}
	k := &Key{}
	copy(k.key[:], il)
	copy(k.chainCode[:], ir)
	return k, nil
}

// Child returns child i of k: hardened when i >= Hardened. The error is
// ErrInvalidKey in the one-in-2^127 case BIP-32 tells to skip, or ErrDepth.
func (k *Key) Child(i uint32) (*Key, error) {
	if k.depth == maxDepth {
		return nil, ErrDepth
	}
	var data [37]byte
	if i >= Hardened {
		copy(data[1:33], k.key[:]) // 0x00 || ser256(k)
	} else {
		pub, err := k.publicKey()
		if err != nil {
			return nil, err
		}
		copy(data[:33], crypto.CompressPubkey(pub)) // serP(point(k))
	}
	binary.BigEndian.PutUint32(data[33:], i)
	il, ir := hmacSplit(k.chainCode[:], data[:])
	if !validScalar(il) {
		return nil, ErrInvalidKey
	}
	n := crypto.S256().Params().N
	sum := new(big.Int).Add(new(big.Int).SetBytes(il), new(big.Int).SetBytes(k.key[:]))
	sum.Mod(sum, n)
	if sum.Sign() == 0 {
		return nil, ErrInvalidKey
	}
	child := &Key{depth: k.depth + 1}
	sum.FillBytes(child.key[:])
	copy(child.chainCode[:], ir)
	return child, nil
}

// Derive follows path from k, one Child per element.
func (k *Key) Derive(path Path) (*Key, error) {
	cur := k
	for _, i := range path {
		next, err := cur.Child(i)
		if err != nil {
			return nil, fmt.Errorf("bip32: derive %s: %w", path, err)
		}
		cur = next
	}
	return cur, nil
}

// PrivateKey returns k as a go-ethereum secp256k1 private key; the caller
// owns it.
func (k *Key) PrivateKey() (*ecdsa.PrivateKey, error) {
	priv, err := crypto.ToECDSA(k.key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return priv, nil
}

// Depth is the number of derivation steps from the master key.
func (k *Key) Depth() int { return int(k.depth) }

// ChainCode returns a copy of the chain code.
func (k *Key) ChainCode() [32]byte { return k.chainCode }

// String prints the depth only: a Key is a secret.
func (k *Key) String() string { return fmt.Sprintf("bip32.Key(depth %d)", k.depth) }

// GoString is String, for %#v.
func (k *Key) GoString() string { return k.String() }

func (k *Key) publicKey() (*ecdsa.PublicKey, error) {
	priv, err := k.PrivateKey()
	if err != nil {
		return nil, err
	}
	return &priv.PublicKey, nil
}

func hmacSplit(key, data []byte) (il, ir []byte) {
	mac := hmac.New(sha512.New, key)
	mac.Write(data)
	sum := mac.Sum(nil)
	return sum[:32], sum[32:]
}

// validScalar reports 0 < b < n.
func validScalar(b []byte) bool {
	v := new(big.Int).SetBytes(b)
	return v.Sign() > 0 && v.Cmp(crypto.S256().Params().N) < 0
}
