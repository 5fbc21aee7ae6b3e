package transit

// Transit cache (docs/PROTOCOL.md §1.3). Codes are "^" followed by one or two
// base-44 digits offset by 48 ('0'); index i is written chr(48+i) for i < 44,
// else chr(48+i/44) chr(48+i%44). After maxCacheEntries (44·44 = 1936) writes
// the writer clears its cache and the reader wraps to index 0, as transit-js,
// transit-java and russolsen/transit do.
const (
	cacheDigits     = 44
	cacheBase       = 48
	maxCacheEntries = cacheDigits * cacheDigits
	minCacheable    = 4 // strings longer than 3 bytes are cacheable
	mapMarker       = "^ "
)

// cacheable reports whether the encoded string s enters the cache: any
// string longer than 3 in map-key position, and keywords, symbols and tags
// longer than 3 anywhere.
func cacheable(s string, asKey bool) bool {
	if len(s) < minCacheable {
		return false
	}
	if asKey {
		return true
	}
	return s[0] == '~' && (s[1] == ':' || s[1] == '$' || s[1] == '#')
}

// isCacheRef reports whether s (not cacheable) is a cache reference.
func isCacheRef(s string) bool {
	return len(s) > 0 && s[0] == '^' && s != mapMarker
}

// appendCacheCode appends the cache code of index i (0 ≤ i < 1936).
func appendCacheCode(dst []byte, i int) []byte {
	dst = append(dst, '^')
	if i < cacheDigits {
		return append(dst, byte(cacheBase+i))
	}
	return append(dst, byte(cacheBase+i/cacheDigits), byte(cacheBase+i%cacheDigits))
}

// cacheIndex parses a cache reference; ok is false for a malformed code.
func cacheIndex(s string) (int, bool) {
	digit := func(c byte) (int, bool) {
		d := int(c) - cacheBase
		return d, d >= 0 && d < cacheDigits
	}
	switch len(s) {
	case 2:
		return digit(s[1])
	case 3:
		hi, ok1 := digit(s[1])
		lo, ok2 := digit(s[2])
		return hi*cacheDigits + lo, ok1 && ok2 && hi > 0
	}
	return 0, false
}

// readCache is the decoder side: parsed values in write order.
type readCache struct {
	vals []any
	next int
}

func (c *readCache) add(v any) {
	if c.next == maxCacheEntries {
		c.next = 0
	}
	if c.next < len(c.vals) {
		c.vals[c.next] = v
	} else {
		c.vals = append(c.vals, v)
	}
	c.next++
}

func (c *readCache) get(s string) (any, bool) {
	i, ok := cacheIndex(s)
	if !ok || i >= len(c.vals) {
		return nil, false
	}
	return c.vals[i], true
}

// writeCache is the encoder side: encoded string → index.
type writeCache struct {
	idx  map[string]int
	next int
}

// lookup returns the cache index of s if it is already cached; otherwise it
// records s and returns -1, in which case s must be written in full.
func (c *writeCache) lookup(s string) int {
	if c.next == maxCacheEntries {
		clear(c.idx)
		c.next = 0
	}
	if c.idx == nil {
		c.idx = make(map[string]int, 8)
	}
	if i, ok := c.idx[s]; ok {
		return i
	}
	c.idx[s] = c.next
	c.next++
	return -1
}

// lookupBytes is lookup for a byte slice; it allocates only on insertion.
func (c *writeCache) lookupBytes(b []byte) int {
	if c.next == maxCacheEntries {
		clear(c.idx)
		c.next = 0
	}
	if c.idx == nil {
		c.idx = make(map[string]int, 8)
	}
	if i, ok := c.idx[string(b)]; ok {
		return i
	}
	c.idx[string(b)] = c.next
	c.next++
	return -1
}
