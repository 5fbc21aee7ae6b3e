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
// an empty batch. Keys and values are copied, into chunks of memory the
// batch allocates as it grows (a message's writes then cost a few
// allocations, not two per operation); a full chunk is left to the slices
// already cut from it and a larger one is started, so no copy moves.
type Batch struct {
	ops []op
	buf []byte // the current chunk: its free capacity takes the next copies
}

// A batch's first chunk has minBatchChunk bytes and each later one twice
// the last, up to maxBatchChunk. A key or value of more than a quarter of
// maxBatchChunk is copied on its own instead, so that a large value does
// not make the chunks after it as large.
const (
	minBatchChunk = 512
	maxBatchChunk = 32 << 10
)

// Put records a write of key.
func (b *Batch) Put(key, value []byte) {
	b.ops = append(b.ops, op{opPut, b.copyOf(key), b.copyOf(value)})
}

// Delete records a removal of key.
func (b *Batch) Delete(key []byte) {
	b.ops = append(b.ops, op{kind: opDelete, key: b.copyOf(key)})
}

// copyOf returns a copy of p in the batch's memory, capped so that an
// append to it cannot reach the next copy. A nil p stays nil, and an empty
// one is empty, as bytes.Clone has them.
func (b *Batch) copyOf(p []byte) []byte {
	if p == nil {
		return nil
	}
	if len(p) > maxBatchChunk/4 {
		return bytes.Clone(p)
	}
	if cap(b.buf)-len(b.buf) < len(p) {
		b.buf = make([]byte, 0, max(min(2*cap(b.buf), maxBatchChunk), minBatchChunk, len(p)))
	}
	start := len(b.buf)
	b.buf = append(b.buf, p...)
	return b.buf[start:len(b.buf):len(b.buf)]
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

// Reset empties the batch for reuse. Its current chunk of memory is
// reused too: slices the batch gave out (Keys, Each) before the Reset must
// no longer be used.
func (b *Batch) Reset() {
	clear(b.ops)
	b.ops = b.ops[:0]
	b.buf = b.buf[:0]
}

// Each calls fn for every recorded operation, in order: a put with its
// value, a removal with deleted true and a nil value. fn must not keep or
// change key or value (they are the batch's own).
func (b *Batch) Each(fn func(key, value []byte, deleted bool)) {
	for _, o := range b.ops {
		fn(o.key, o.value, o.kind == opDelete)
	}
}
