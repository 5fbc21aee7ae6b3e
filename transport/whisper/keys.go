package whisper

import (
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"github.com/ethereum/go-ethereum/crypto"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// KeyStore holds key pairs and symmetric keys by ID (§5.9). Key-pair IDs
// are deterministic (the Status fork's PBKDF2 of the public key), and every
// method taking a key-pair ID also accepts the 0x04… public key; symmetric
// key IDs are random. All methods are safe for concurrent use. Returned
// keys are copies the caller owns.
type KeyStore struct {
	rand io.Reader
	max  int // key pairs and symmetric keys together; 0: unlimited

	mu   sync.RWMutex
	priv map[string]*ecdsa.PrivateKey
	sym  map[string]wproto.SymKey
}

// NewKeyStore returns an empty store reading randomness from rand that
// holds at most max keys (0: unlimited); past it adding a key is an error
// wrapping ErrTooManyKeys.
func NewKeyStore(rand io.Reader, max int) *KeyStore {
	return &KeyStore{rand: rand, max: max, priv: make(map[string]*ecdsa.PrivateKey), sym: make(map[string]wproto.SymKey)}
}

// fullLocked reports, as an error, that no new key fits.
func (ks *KeyStore) fullLocked() error {
	if ks.max > 0 && len(ks.priv)+len(ks.sym) >= ks.max {
		return fmt.Errorf("%w: the node holds at most %d keys (--shh.maxkeys); delete some first", ErrTooManyKeys, ks.max)
	}
	return nil
}

// NewKeyPair generates a key pair and returns its ID (shh_newKeyPair).
func (ks *KeyStore) NewKeyPair() (string, error) {
	key, err := ecdsa.GenerateKey(crypto.S256(), ks.rand)
	if err != nil {
		return "", fmt.Errorf("%w: %w", wproto.ErrRandom, err)
	}
	return ks.AddKeyPair(key)
}

// AddKeyPair stores key and returns its deterministic ID (shh_addPrivateKey).
func (ks *KeyStore) AddKeyPair(key *ecdsa.PrivateKey) (string, error) {
	if !wproto.ValidatePrivateKey(key) {
		return "", wproto.ErrInvalidPrivateKey
	}
	id, err := wproto.KeyPairID(&key.PublicKey)
	if err != nil {
		return "", err
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if _, ok := ks.priv[id]; !ok {
		if err := ks.fullLocked(); err != nil {
			return "", err
		}
	}
	ks.priv[id] = key
	return id, nil
}

// DeleteKeyPair removes a key pair; it reports whether it existed.
func (ks *KeyStore) DeleteKeyPair(id string) bool {
	id, err := wproto.ToDeterministicID(id)
	if err != nil {
		return false
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	_, ok := ks.priv[id]
	delete(ks.priv, id)
	return ok
}

// HasKeyPair reports whether a key pair with id is stored.
func (ks *KeyStore) HasKeyPair(id string) bool {
	_, err := ks.PrivateKey(id)
	return err == nil
}

// PrivateKey returns the key pair with id, or an error wrapping ErrKeyNotFound.
func (ks *KeyStore) PrivateKey(id string) (*ecdsa.PrivateKey, error) {
	did, err := wproto.ToDeterministicID(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyNotFound, err)
	}
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	key, ok := ks.priv[did]
	if !ok {
		return nil, fmt.Errorf("%w: key pair %s", ErrKeyNotFound, did)
	}
	return key, nil
}

// GenerateSymKey stores a fresh random key and returns its ID (shh_newSymKey).
func (ks *KeyStore) GenerateSymKey() (string, error) {
	key, err := wproto.GenerateSymKey(ks.rand)
	if err != nil {
		return "", err
	}
	return ks.addSym(key)
}

// AddSymKey stores a 32-byte key and returns its ID (shh_addSymKey).
func (ks *KeyStore) AddSymKey(raw []byte) (string, error) {
	key, err := wproto.SymKeyFromBytes(raw)
	if err != nil {
		return "", err
	}
	return ks.addSym(key)
}

// AddSymKeyFromPassword derives a key with PBKDF2 (§4.2) and returns its ID
// (shh_generateSymKeyFromPassword). It takes tens of milliseconds.
func (ks *KeyStore) AddSymKeyFromPassword(password string) (string, error) {
	key, err := wproto.SymKeyFromPassword(password)
	if err != nil {
		return "", err
	}
	return ks.addSym(key)
}

func (ks *KeyStore) addSym(key wproto.SymKey) (string, error) {
	var raw [wproto.KeyIDSize]byte
	if _, err := io.ReadFull(ks.rand, raw[:]); err != nil {
		return "", fmt.Errorf("%w: %w", wproto.ErrRandom, err)
	}
	id := hex.EncodeToString(raw[:])
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if err := ks.fullLocked(); err != nil {
		return "", err
	}
	ks.sym[id] = key
	return id, nil
}

// SymKey returns the key with id, or an error wrapping ErrKeyNotFound.
func (ks *KeyStore) SymKey(id string) (wproto.SymKey, error) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	key, ok := ks.sym[id]
	if !ok {
		return wproto.SymKey{}, fmt.Errorf("%w: symmetric key %s", ErrKeyNotFound, id)
	}
	return key, nil
}

// HasSymKey reports whether a symmetric key with id is stored.
func (ks *KeyStore) HasSymKey(id string) bool {
	_, err := ks.SymKey(id)
	return err == nil
}

// DeleteSymKey removes a symmetric key; it reports whether it existed.
func (ks *KeyStore) DeleteSymKey(id string) bool {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	_, ok := ks.sym[id]
	delete(ks.sym, id)
	return ok
}
