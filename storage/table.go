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

// Write implements KV, prefixing every key of b.
func (t *Table) Write(b *Batch) error {
	var pb Batch
	pb.ops = make([]op, len(b.ops))
	for i, o := range b.ops {
		pb.ops[i] = op{o.kind, t.key(o.key), o.value}
	}
	return t.kv.Write(&pb)
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
