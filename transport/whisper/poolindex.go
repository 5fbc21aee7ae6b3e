package whisper

import "bytes"

// poolIndex finds pooled entries by wire bytes: an open-addressing hash
// table with linear probing over (key, entry) slots, keyed by entry.key.
// Keys are random (pool.keyOf), so their low bits pick the home slot
// without hashing them again, and a lookup of a new envelope, ingest's
// common case, mostly reads one cache line of slots. Entries with the same
// key sit in the probe sequence side by side and are told apart by their
// bytes. It is at most half full. Not safe for concurrent use: pool.mu
// guards it.
type poolIndex struct {
	slots []poolSlot // len is a power of two, or 0
	n     int
}

// poolSlot is one slot of a poolIndex; e == nil when empty.
type poolSlot struct {
	key uint64
	e   *entry
}

// minIndexSlots is the smallest table, and the size below which it never
// shrinks.
const minIndexSlots = 1024

// find returns the entry with raw's bytes and the dedupe key key, or nil.
func (x *poolIndex) find(key uint64, raw []byte) *entry {
	if x.n == 0 {
		return nil
	}
	mask := uint64(len(x.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.e == nil {
			return nil
		}
		if s.key == key && bytes.Equal(s.e.raw, raw) {
			return s.e
		}
	}
}

// insert adds e, which the caller found missing.
func (x *poolIndex) insert(e *entry) {
	if 2*(x.n+1) > len(x.slots) {
		x.resize(max(minIndexSlots, 2*len(x.slots)))
	}
	x.place(e.key, e)
	x.n++
}

// place puts e into the first empty slot of key's probe sequence.
func (x *poolIndex) place(key uint64, e *entry) {
	mask := uint64(len(x.slots) - 1)
	i := key & mask
	for x.slots[i].e != nil {
		i = (i + 1) & mask
	}
	x.slots[i] = poolSlot{key: key, e: e}
}

// remove deletes e, which must be in the index, and shifts back the
// entries after it in its run of occupied slots that may be, so that every
// entry stays reachable from its home slot without tombstones.
func (x *poolIndex) remove(e *entry) {
	mask := uint64(len(x.slots) - 1)
	i := e.key & mask
	for x.slots[i].e != e {
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; x.slots[j].e != nil; j = (j + 1) & mask {
		// The entry at j may move to the hole at i unless its home slot
		// lies cyclically after i, up to j.
		home := x.slots[j].key & mask
		if (j > i && home > i && home <= j) || (j < i && (home > i || home <= j)) {
			continue
		}
		x.slots[i] = x.slots[j]
		i = j
	}
	x.slots[i] = poolSlot{}
	x.n--
	if len(x.slots) > minIndexSlots && 8*x.n < len(x.slots) {
		x.resize(len(x.slots) / 2)
	}
}

// resize rebuilds the table with size slots (a power of two, more than
// twice n).
func (x *poolIndex) resize(size int) {
	old := x.slots
	x.slots = make([]poolSlot, size)
	for _, s := range old {
		if s.e != nil {
			x.place(s.key, s.e)
		}
	}
}
