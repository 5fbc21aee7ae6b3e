package encryptiontest

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/statusnode/statusd/protocol/encryption"
)

// MemoryStore is an in-memory encryption.Store. It is safe for concurrent
// use; a Manager built on it survives being dropped and rebuilt on the same
// MemoryStore (a restart of the Manager, not of the process).
type MemoryStore struct {
	mu      sync.Mutex
	recs    map[encryption.Kind]map[string][]byte
	commits int
}

var _ encryption.Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{recs: make(map[encryption.Kind]map[string][]byte)}
}

// Get implements encryption.Store; the returned slice is a copy.
func (s *MemoryStore) Get(kind encryption.Kind, key []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.recs[kind][string(key)]
	if !ok {
		return nil, encryption.ErrNotFound
	}
	return bytes.Clone(v), nil
}

// Iterate implements encryption.Store. It calls fn on a copy of the
// matching records taken under the lock, so fn never runs with it held.
func (s *MemoryStore) Iterate(kind encryption.Kind, prefix []byte, fn func(key, value []byte) error) error {
	s.mu.Lock()
	var keys []string
	for k := range s.recs[kind] {
		if strings.HasPrefix(k, string(prefix)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	values := make([][]byte, len(keys))
	for i, k := range keys {
		values[i] = bytes.Clone(s.recs[kind][k])
	}
	s.mu.Unlock()
	for i, k := range keys {
		if err := fn([]byte(k), values[i]); err != nil {
			return err
		}
	}
	return nil
}

// Commit implements encryption.Store: ops apply in order, all at once.
func (s *MemoryStore) Commit(ops []encryption.Op) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits++
	for _, op := range ops {
		m := s.recs[op.Kind]
		if m == nil {
			m = make(map[string][]byte)
			s.recs[op.Kind] = m
		}
		if op.Delete {
			delete(m, string(op.Key))
		} else {
			m[string(op.Key)] = bytes.Clone(op.Value)
		}
	}
	return nil
}

// Snapshot returns a copy of every record, keyed by kind byte ‖ key, so a
// test can check that an operation left the store exactly as it was.
func (s *MemoryStore) Snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string)
	for kind, m := range s.recs {
		for k, v := range m {
			out[string([]byte{byte(kind)})+k] = string(v)
		}
	}
	return out
}

// Commits returns how many times Commit was called.
func (s *MemoryStore) Commits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits
}

// SameSnapshot reports whether two snapshots hold the same records.
func SameSnapshot(a, b map[string]string) bool { return maps.Equal(a, b) }
