package storage

import "bytes"

// Table is a view of a KV where every key is prefixed by a fixed name, so
// components sharing one database cannot collide. Keys seen by the caller
// never include the prefix.
type Table struct {
	kv     KV
	prefix []byte
}

// NewTable returns the view of kv under name + ":".
func NewTable(kv KV, name string) *Table {
	return &Table{kv: kv, prefix: []byte(name + ":")}
}

func (t *Table) key(k []byte) []byte {
	out := make([]byte, 0, len(t.prefix)+len(k))
	return append(append(out, t.prefix...), k...)
}

// Get implements KV.
func (t *Table) Get(key []byte) ([]byte, error) { return t.kv.Get(t.key(key)) }

// Has implements KV.
func (t *Table) Has(key []byte) (bool, error) { return t.kv.Has(t.key(key)) }

// Put implements KV.
func (t *Table) Put(key, value []byte) error { return t.kv.Put(t.key(key), value) }

// Delete implements KV.
func (t *Table) Delete(key []byte) error { return t.kv.Delete(t.key(key)) }

// prefixWriter is a KV that writes a batch with every key under a prefix
// without the caller building a prefixed copy of the batch first
// (LevelDB, and a Table over one).
type prefixWriter interface {
	writePrefixed(prefix []byte, b *Batch) error
}

// Write implements KV, prefixing every key of b.
func (t *Table) Write(b *Batch) error {
	if pw, ok := t.kv.(prefixWriter); ok {
		return pw.writePrefixed(t.prefix, b)
	}
	return t.kv.Write(t.prefixed(nil, b))
}

// writePrefixed implements prefixWriter: b's keys go under prefix, inside
// this table.
func (t *Table) writePrefixed(prefix []byte, b *Batch) error {
	full := append(append(make([]byte, 0, len(t.prefix)+len(prefix)), t.prefix...), prefix...)
	if pw, ok := t.kv.(prefixWriter); ok {
		return pw.writePrefixed(full, b)
	}
	return t.kv.Write(t.prefixed(prefix, b))
}

// prefixed returns a copy of b whose keys are under this table and prefix.
func (t *Table) prefixed(prefix []byte, b *Batch) *Batch {
	var pb Batch
	pb.ops = make([]op, len(b.ops))
	for i, o := range b.ops {
		pb.ops[i] = op{o.kind, t.key(append(append([]byte(nil), prefix...), o.key...)), o.value}
	}
	return &pb
}

// Iterate implements KV; fn sees keys without the table prefix.
func (t *Table) Iterate(prefix, start []byte, fn func(key, value []byte) error) error {
	var s []byte
	if start != nil {
		s = t.key(start)
	}
	return t.kv.Iterate(t.key(prefix), s, func(k, v []byte) error {
		return fn(bytes.TrimPrefix(k, t.prefix), v)
	})
}
