package topickeys

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// TableName is the table statusd keeps derived topic keys in.
const TableName = "topickeys"

// Store keeps derived keys in a storage.KV.
type Store struct{ kv storage.KV }

// New returns a store over kv (a table of its own).
func New(kv storage.KV) *Store { return &Store{kv: kv} }

func key(name string) []byte {
	h := sha256.Sum256([]byte(name))
	return append([]byte{'k'}, h[:]...)
}

// Get returns the key stored for name; ok is false when there is none or
// the stored value is not a valid key.
func (s *Store) Get(name string) (k whisper.SymKey, ok bool, err error) {
	v, err := s.kv.Get(key(name))
	if errors.Is(err, storage.ErrNotFound) {
		return k, false, nil
	}
	if err != nil {
		return k, false, fmt.Errorf("topickeys: get: %w", err)
	}
	k, err = whisper.SymKeyFromBytes(v)
	if err != nil {
		return k, false, nil
	}
	return k, true, nil
}

// Put stores k as the key derived from name.
func (s *Store) Put(name string, k whisper.SymKey) error {
	if err := s.kv.Put(key(name), k[:]); err != nil {
		return fmt.Errorf("topickeys: put: %w", err)
	}
	return nil
}
