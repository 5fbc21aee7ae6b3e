package messengerstore

import (
	"sync"

	"github.com/statusnode/statusd/storage"
)

// DefaultCacheEntries is how many delivery-path records a Store keeps in
// memory (see Store): about the messages of the last few seconds a busy
// sender sent, ~300 bytes each.
const DefaultCacheEntries = 4096

// recordCache keeps the latest value of the delivery-path records this
// Store wrote — delivery records (KindDelivery) and MVDS ID mappings
// (KindMVDS) — so that the reads that follow soon after (an envelope's
// confirmation, a peer's ACK) need no database look-up. It is written
// through: an entry is the value the database holds, set only after the
// write that stored it succeeded, and dropped when a write touching its
// key fails (what the database then holds is unknown) or deletes it. At
// most max entries are kept; the oldest written goes first. A miss reads
// the database, which stays the authority.
//
// It is correct only while every write of those kinds goes through its
// Store (Write, PutMVDS): the messenger is the table's one writer, and the
// migrations run before the first read.
type recordCache struct {
	mu    sync.Mutex
	max   int
	vals  map[string][]byte
	order []string // insertion order, oldest first; may name keys since dropped
	head  int      // order[head:] is live
}

func newRecordCache(max int) *recordCache {
	return &recordCache{max: max, vals: make(map[string][]byte)}
}

// cached reports whether values under key are kept here.
func cached(key []byte) bool {
	return len(key) > 0 && (key[0] == byte(KindDelivery) || key[0] == byte(KindMVDS))
}

// get returns the kept value of key. The slice is the cache's: callers
// must not change or keep it (the decoders copy what they keep).
func (c *recordCache) get(key []byte) ([]byte, bool) {
	if c == nil || !cached(key) {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.vals[string(key)]
	return v, ok
}

// wrote applies a successful write of b.
func (c *recordCache) wrote(b *storage.Batch) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b.Each(func(key, value []byte, deleted bool) {
		if !cached(key) {
			return
		}
		if deleted {
			delete(c.vals, string(key))
			return
		}
		c.putLocked(string(key), value)
	})
}

// put applies a successful single put.
func (c *recordCache) put(key, value []byte) {
	if c == nil || !cached(key) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(string(key), value)
}

// failed drops the keys of b, whose write failed.
func (c *recordCache) failed(b *storage.Batch) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b.Each(func(key, _ []byte, _ bool) { delete(c.vals, string(key)) })
}

// drop forgets key.
func (c *recordCache) drop(key []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.vals, string(key))
}

// reset forgets everything.
func (c *recordCache) reset() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.vals)
	c.order, c.head = nil, 0
}

func (c *recordCache) putLocked(key string, value []byte) {
	if _, ok := c.vals[key]; !ok {
		c.order = append(c.order, key)
	}
	c.vals[key] = append([]byte(nil), value...)
	for len(c.vals) > c.max && c.head < len(c.order) {
		delete(c.vals, c.order[c.head])
		c.order[c.head] = ""
		c.head++
	}
	// Compact once the dead prefix is at least as long as what is live, so
	// order stays within twice what it must hold (keys dropped by deletes
	// linger in it until then).
	if c.head > 0 && c.head >= len(c.order)-c.head {
		c.order = append(c.order[:0], c.order[c.head:]...)
		c.head = 0
	}
	if len(c.order) > 2*c.max+64 {
		live := c.order[:0]
		for _, k := range c.order[c.head:] {
			if _, ok := c.vals[k]; ok {
				live = append(live, k)
			}
		}
		clear(c.order[len(live):])
		c.order, c.head = live, 0
	}
}
