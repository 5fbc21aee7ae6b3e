package storage

import (
	"bytes"
	"sort"
	"sync"
)

// Memory is an in-memory Store for tests and for nodes that keep nothing.
type Memory struct {
	mu     sync.RWMutex
	data   map[string][]byte
	closed bool
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{data: make(map[string][]byte)} }

// Get implements KV.
func (m *Memory) Get(key []byte) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	v, ok := m.data[string(key)]
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(v), nil
}

// Has implements KV.
func (m *Memory) Has(key []byte) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return false, ErrClosed
	}
	_, ok := m.data[string(key)]
	return ok, nil
}

// Put implements KV.
func (m *Memory) Put(key, value []byte) error {
	var b Batch
	b.Put(key, value)
	return m.Write(&b)
}

// Delete implements KV.
func (m *Memory) Delete(key []byte) error {
	var b Batch
	b.Delete(key)
	return m.Write(&b)
}

// Write implements KV.
func (m *Memory) Write(b *Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for _, o := range b.ops {
		if o.kind == opPut {
			m.data[string(o.key)] = bytes.Clone(o.value)
		} else {
			delete(m.data, string(o.key))
		}
	}
	return nil
}

// Iterate implements KV. It works on a snapshot of the matching keys, so fn
// runs without the lock held.
func (m *Memory) Iterate(prefix, start []byte, fn func(key, value []byte) error) error {
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return ErrClosed
	}
	type kv struct{ k, v []byte }
	var rows []kv
	for k, v := range m.data {
		kb := []byte(k)
		if bytes.HasPrefix(kb, prefix) && (start == nil || bytes.Compare(kb, start) >= 0) {
			rows = append(rows, kv{kb, v})
		}
	}
	m.mu.RUnlock()
	sort.Slice(rows, func(i, j int) bool { return bytes.Compare(rows[i].k, rows[j].k) < 0 })
	for _, r := range rows {
		if err := fn(r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}

// Close implements Store.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
