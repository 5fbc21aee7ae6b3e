package storage

import (
	"bytes"
	"errors"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("storage: not found")

// ErrClosed is returned by every operation on a closed store.
var ErrClosed = errors.New("storage: closed")

// KV is an ordered key-value store. Implementations are safe for concurrent
// use. Returned slices belong to the caller; slices passed in may be reused
// by the caller after the call returns.
type KV interface {
	// Get returns the value of key or ErrNotFound.
	Get(key []byte) ([]byte, error)
	// Has reports whether key exists.
	Has(key []byte) (bool, error)
	// Put sets key to value.
	Put(key, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(key []byte) error
	// Write applies every operation of b atomically.
	Write(b *Batch) error
	// Iterate calls fn for each key with the given prefix in ascending
	// order, starting at the first key >= start (start nil means the
	// prefix itself). fn must not modify the store; the slices it gets are
	// valid only during the call. Iteration stops at the first error fn
	// returns, and Iterate returns it.
	Iterate(prefix, start []byte, fn func(key, value []byte) error) error
}

// Store is a KV that owns resources.
type Store interface {
	KV
	// Close releases the store; later calls fail with ErrClosed. Calling
	// Close twice is not an error.
	Close() error
}

type opKind uint8

const (
	opPut opKind = iota
	opDelete
)

type op struct {
	kind       opKind
	key, value []byte
}

// Batch collects writes applied atomically by KV.Write. The zero value is
// an empty batch. Keys and values are copied.
type Batch struct {
	ops []op
}

// Put records a write of key.
func (b *Batch) Put(key, value []byte) {
	b.ops = append(b.ops, op{opPut, bytes.Clone(key), bytes.Clone(value)})
}

// Delete records a removal of key.
func (b *Batch) Delete(key []byte) {
	b.ops = append(b.ops, op{kind: opDelete, key: bytes.Clone(key)})
}

// Keys returns the keys of the recorded operations, in order. The slices
// are the batch's: the caller must not modify them.
func (b *Batch) Keys() [][]byte {
	out := make([][]byte, len(b.ops))
	for i, o := range b.ops {
		out[i] = o.key
	}
	return out
}

// Len is the number of recorded operations.
func (b *Batch) Len() int { return len(b.ops) }

// Reset empties the batch for reuse.
func (b *Batch) Reset() { b.ops = b.ops[:0] }

// Each calls fn for every recorded operation, in order: a put with its
// value, a removal with deleted true and a nil value. fn must not keep or
// change key or value (they are the batch's own).
func (b *Batch) Each(fn func(key, value []byte, deleted bool)) {
	for _, o := range b.ops {
		fn(o.key, o.value, o.kind == opDelete)
	}
}
