package message

import (
	"math/bits"
	"slices"
	"unicode/utf16"

	"github.com/statusnode/statusd/protocol/transit"
)

// ClojureScript map order, for writing content maps in the order
// status-react's Transit writer iterated them.
//
// A ClojureScript map literal or an assoc chain of at most
// cljsArrayMapMax entries is a PersistentArrayMap: it iterates in
// insertion order. One more entry turns it into a PersistentHashMap, a hash
// array mapped trie that iterates by the key's hash, five bits at a time
// from the least significant (a BitmapIndexedNode or ArrayNode orders its
// slots by (hash >>> shift) & 31; colliding slots nest one level deeper).
// Keys with equal hashes keep insertion order (HashCollisionNode).
// Keyword hashes follow cljs.core: hash-keyword = hash-symbol + 0x9e3779b9,
// hash-symbol = hash-combine(murmur3(name), hash(ns)) with hash(nil) = 0,
// murmur3 = m3-hash-unencoded-chars over UTF-16 code units (seed 0).

// cljsArrayMapMax is cljs.core's PersistentArrayMap.HASHMAP-THRESHOLD.
const cljsArrayMapMax = 8

// cljsHashOrder returns keys (transit.Keyword values; other keys keep
// their relative place after them) in PersistentHashMap iteration order.
func cljsHashOrder(keys []any) []any {
	type hk struct {
		key any
		rev uint32 // hash with its 5-bit groups in iteration-significance order
		i   int
	}
	hs := make([]hk, 0, len(keys))
	var rest []any
	for i, k := range keys {
		kw, ok := k.(transit.Keyword)
		if !ok {
			rest = append(rest, k)
			continue
		}
		hs = append(hs, hk{key: k, rev: trieKey(cljsKeywordHash(string(kw))), i: i})
	}
	slices.SortStableFunc(hs, func(a, b hk) int {
		switch {
		case a.rev < b.rev:
			return -1
		case a.rev > b.rev:
			return 1
		}
		return a.i - b.i
	})
	out := make([]any, 0, len(keys))
	for _, h := range hs {
		out = append(out, h.key)
	}
	return append(out, rest...)
}

// trieKey reorders a 32-bit hash so that comparing the results as
// integers compares the trie paths: the lowest 5 bits become the most
// significant group, and so on (the last group has 2 bits).
func trieKey(h uint32) uint32 {
	var out uint32
	width := 32
	for shift := 0; shift < 32; shift += 5 {
		n := min(5, 32-shift)
		width -= n
		out |= ((h >> shift) & (1<<n - 1)) << width
	}
	return out
}

// cljsKeywordHash is cljs.core/hash of the keyword :name (no namespace).
func cljsKeywordHash(name string) uint32 {
	sym := hashCombine(m3HashUnencodedChars(name), 0)
	return sym + 0x9e3779b9
}

// hashCombine is cljs.core/hash-combine (boost's), in 32-bit arithmetic.
func hashCombine(seed, hash uint32) uint32 {
	return seed ^ (hash + 0x9e3779b9 + seed<<6 + uint32(int32(seed)>>2))
}

const (
	m3C1 = 0xcc9e2d51
	m3C2 = 0x1b873593
)

func m3MixK1(k1 uint32) uint32 { return bits.RotateLeft32(k1*m3C1, 15) * m3C2 }

func m3MixH1(h1, k1 uint32) uint32 { return bits.RotateLeft32(h1^k1, 13)*5 + 0xe6546b64 }

func m3Fmix(h1, n uint32) uint32 {
	h1 ^= n
	h1 ^= h1 >> 16
	h1 *= 0x85ebca6b
	h1 ^= h1 >> 13
	h1 *= 0xc2b2ae35
	h1 ^= h1 >> 16
	return h1
}

// m3HashUnencodedChars is cljs.core/m3-hash-unencoded-chars: murmur3 over
// the UTF-16 code units of s, two per block.
func m3HashUnencodedChars(s string) uint32 {
	u := utf16.Encode([]rune(s))
	var h1 uint32
	i := 1
	for ; i < len(u); i += 2 {
		h1 = m3MixH1(h1, m3MixK1(uint32(u[i-1])|uint32(u[i])<<16))
	}
	if len(u)&1 == 1 {
		h1 ^= m3MixK1(uint32(u[len(u)-1]))
	}
	return m3Fmix(h1, uint32(2*len(u)))
}
