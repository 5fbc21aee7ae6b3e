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
// confirmation, a peer's ACK) need no database look-up. A miss reads the
// database, which stays the authority.
//
// An entry is always a value the database holds. A write first takes its
// keys out and marks them in flight (begin); once it succeeded it puts its
// values back (end), but only for keys that no other write touched while
// it was in flight: of two overlapping writes of a key, the database keeps
// whichever it applied last, which the cache cannot tell, so it keeps
// neither. A failed write puts nothing back (what the database holds is
// then unknown), nor does a delete. At most max entries are kept.
//
// It is right only while every write of those kinds goes through its
// Store (Write, PutMVDS): the messenger is the table's one writer, and the
// migrations run before the first read (Migrate resets the cache).
type recordCache struct {
	mu       sync.Mutex
	max      int
	vals     map[string][]byte
	inFlight map[string]*flight // keys with writes begun and not ended
}

// flight is the writes of one key in flight.
type flight struct {
	n       int  // begun and not ended
	overlap bool // a write began while another was in flight
}

func newRecordCache(max int) *recordCache {
	return &recordCache{max: max, vals: make(map[string][]byte), inFlight: make(map[string]*flight)}
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

// beginBatch marks the cached keys of b in flight, before b is written.
func (c *recordCache) beginBatch(b *storage.Batch) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b.Each(func(key, _ []byte, _ bool) { c.beginLocked(key) })
}

// endBatch ends the write of b, which succeeded when ok.
func (c *recordCache) endBatch(b *storage.Batch, ok bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b.Each(func(key, value []byte, deleted bool) { c.endLocked(key, value, ok && !deleted) })
}

// begin and end are beginBatch and endBatch for a single put.
func (c *recordCache) begin(key []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.beginLocked(key)
}

func (c *recordCache) end(key, value []byte, ok bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLocked(key, value, ok)
}

func (c *recordCache) beginLocked(key []byte) {
	if !cached(key) {
		return
	}
	k := string(key)
	delete(c.vals, k)
	f := c.inFlight[k]
	if f == nil {
		f = &flight{}
		c.inFlight[k] = f
	}
	f.overlap = f.overlap || f.n > 0
	f.n++
}

// endLocked ends one write of key; keep puts value back when it was the
// key's only write in flight from its begin to its end.
func (c *recordCache) endLocked(key, value []byte, keep bool) {
	if !cached(key) {
		return
	}
	k := string(key)
	f := c.inFlight[k] // beginLocked made it; reset leaves writes in flight
	if f.n--; f.n > 0 {
		return // another write of k is in flight: leave k out
	}
	delete(c.inFlight, k)
	if keep && !f.overlap {
		c.putLocked(k, value)
	}
}

// reset forgets everything but the writes in flight.
func (c *recordCache) reset() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.vals)
}

// putLocked keeps value under key. Past max entries an arbitrary other
// entry goes (Go's map order is random): the records read back are those
// of the last second or so, a small part of max.
func (c *recordCache) putLocked(key string, value []byte) {
	if _, ok := c.vals[key]; !ok && len(c.vals) >= c.max {
		for k := range c.vals {
			delete(c.vals, k)
			break
		}
	}
	c.vals[key] = append([]byte(nil), value...)
}
