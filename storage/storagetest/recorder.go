// Package storagetest has test doubles for storage: Recorder, a KV that
// records the order of its writes and syncs, so that a test can show that
// a write was made durable before something left the process.
package storagetest

import (
	"bytes"
	"sync"

	"github.com/statusnode/statusd/storage"
)

// Op is one recorded operation: a sync, or a write (Put, Delete or Write)
// of Keys.
type Op struct {
	Sync bool
	Keys [][]byte
}

// Recorder is a KV over another KV (for example storage.Memory) that
// records every successful write and every Sync, in order. It implements
// storage.Syncer: Sync is recorded, then passed on. Safe for concurrent
// use.
type Recorder struct {
	storage.KV
	mu  sync.Mutex
	ops []Op // guarded by mu
}

// New returns a Recorder over kv.
func New(kv storage.KV) *Recorder { return &Recorder{KV: kv} }

func (r *Recorder) record(op Op) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

// Put implements storage.KV.
func (r *Recorder) Put(key, value []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.KV.Put(key, value); err != nil {
		return err
	}
	r.ops = append(r.ops, Op{Keys: [][]byte{bytes.Clone(key)}})
	return nil
}

// Delete implements storage.KV.
func (r *Recorder) Delete(key []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.KV.Delete(key); err != nil {
		return err
	}
	r.ops = append(r.ops, Op{Keys: [][]byte{bytes.Clone(key)}})
	return nil
}

// Write implements storage.KV.
func (r *Recorder) Write(b *storage.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.KV.Write(b); err != nil {
		return err
	}
	keys := b.Keys()
	for i := range keys {
		keys[i] = bytes.Clone(keys[i])
	}
	r.ops = append(r.ops, Op{Keys: keys})
	return nil
}

// Sync implements storage.Syncer: it records a sync, then syncs the KV
// below if that is a Syncer.
func (r *Recorder) Sync() error {
	r.record(Op{Sync: true})
	return storage.Sync(r.KV)
}

// Ops returns a copy of the operations so far.
func (r *Recorder) Ops() []Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Op(nil), r.ops...)
}

// Len is the number of operations so far: a mark to compare with Ops
// indexes and Synced.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ops)
}

// Syncs counts the syncs so far.
func (r *Recorder) Syncs() int {
	n := 0
	for _, op := range r.Ops() {
		if op.Sync {
			n++
		}
	}
	return n
}

// Synced reports whether every write so far of a key with prefix is
// followed by a sync: whether a power loss now would keep them all.
func (r *Recorder) Synced(prefix []byte) bool {
	ops := r.Ops()
	for i := len(ops) - 1; i >= 0; i-- {
		if ops[i].Sync {
			return true
		}
		if ops[i].has(prefix) {
			return false
		}
	}
	return true
}

// LastWrite is the index in Ops of the latest write of a key with prefix,
// -1 if none.
func (r *Recorder) LastWrite(prefix []byte) int {
	ops := r.Ops()
	for i := len(ops) - 1; i >= 0; i-- {
		if !ops[i].Sync && ops[i].has(prefix) {
			return i
		}
	}
	return -1
}

// SyncAfter reports whether a sync was recorded at an index after i.
func (r *Recorder) SyncAfter(i int) bool {
	ops := r.Ops()
	for j := i + 1; j < len(ops); j++ {
		if ops[j].Sync {
			return true
		}
	}
	return false
}

func (op Op) has(prefix []byte) bool {
	for _, k := range op.Keys {
		if bytes.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
