package encryption

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"fmt"
	"io"
	"math/big"

	"github.com/ethereum/go-ethereum/crypto"
)

// generateKey draws a secp256k1 private key from r. Reading the scalar
// ourselves (instead of ecdsa.GenerateKey) keeps keys reproducible from a
// seeded reader in tests; invalid scalars (zero, >= N) are redrawn.
func generateKey(r io.Reader) (*ecdsa.PrivateKey, error) {
	var buf [32]byte
	for i := 0; i < 16; i++ {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, fmt.Errorf("encryption: read randomness: %w", err)
		}
		if k, err := crypto.ToECDSA(buf[:]); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("encryption: randomness source yields no valid key")
}

// decompress parses a 33-byte compressed public key.
func decompress(b []byte) (*ecdsa.PublicKey, error) {
	if len(b) != compressedKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidKey, len(b), compressedKeyLen)
	}
	k, err := crypto.DecompressPubkey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return k, nil
}

// compress returns the 33-byte compressed form of k.
func compress(k *ecdsa.PublicKey) []byte { return crypto.CompressPubkey(k) }

// ecdh is the X coordinate of priv·pub, 32 bytes big-endian, left-padded
// (docs/PROTOCOL.md §0; equal to ecies.GenerateShared(pub, 16, 16)).
func ecdh(priv *ecdsa.PrivateKey, pub *ecdsa.PublicKey) []byte {
	x, _ := crypto.S256().ScalarMult(pub.X, pub.Y, priv.D.Bytes())
	out := make([]byte, secretLen)
	return x.FillBytes(out)
}

// privFromBytes parses a 32-byte private scalar.
func privFromBytes(b []byte) (*ecdsa.PrivateKey, error) {
	k, err := crypto.ToECDSA(b)
	if err != nil {
		return nil, fmt.Errorf("%w: private key: %v", ErrMalformed, err)
	}
	return k, nil
}

// PublicKeyX returns the X coordinate of k (used by the partitioned topic).
func PublicKeyX(k *ecdsa.PublicKey) *big.Int { return new(big.Int).Set(k.X) }

// sealGCM encrypts with AES-256-GCM and lays the result out as
// ciphertext‖tag‖nonce (docs/PROTOCOL.md §3.5, like Whisper symmetric).
func sealGCM(key, plaintext []byte, r io.Reader) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcmNonceLen)
	if _, err := io.ReadFull(r, nonce); err != nil {
		return nil, fmt.Errorf("encryption: read randomness: %w", err)
	}
	return append(aead.Seal(nil, nonce, plaintext, nil), nonce...), nil
}

// openGCM reverses sealGCM.
func openGCM(key, data []byte) ([]byte, error) {
	if len(data) < gcmNonceLen+gcmTagLen {
		return nil, fmt.Errorf("%w: DH payload of %d bytes", ErrMalformed, len(data))
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	n := len(data) - gcmNonceLen
	pt, err := aead.Open(nil, data[n:], data[:n], nil)
	if err != nil {
		return nil, fmt.Errorf("%w: DH payload: %v", ErrDecrypt, err)
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption: aes: %w", err)
	}
	return cipher.NewGCM(block)
}
