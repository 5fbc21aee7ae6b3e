package statusd

import "sync"

// namesCap bounds the keys a names cache remembers. A node shows messages
// from a few people at a time; past the bound an arbitrary entry makes room.
const namesCap = 256

// names caches the alias and identicon derived from each chat key (§2):
// both are pure functions of the key, and every message event would
// otherwise parse the key and recompute them. It holds at most namesCap
// keys. A nil *names computes without caching. It is safe for concurrent
// use.
type names struct {
	mu   sync.Mutex
	keys map[string]*nameEntry
}

// nameEntry is one key's derived names; identicon is computed on first use.
type nameEntry struct {
	alias        string
	identicon    string
	hasIdenticon bool
}

func newNames() *names { return &names{keys: make(map[string]*nameEntry)} }

// alias is aliasOf(chatKey), cached.
func (n *names) alias(chatKey string) string {
	if n == nil {
		return aliasOf(chatKey)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.entryLocked(chatKey).alias
}

// identicon is identiconOf(chatKey), cached.
func (n *names) identicon(chatKey string) string {
	if n == nil {
		return identiconOf(chatKey)
	}
	n.mu.Lock()
	e := n.entryLocked(chatKey)
	if e.hasIdenticon {
		n.mu.Unlock()
		return e.identicon
	}
	n.mu.Unlock()
	// Rendered outside the lock; two callers racing compute the same value.
	uri := identiconOf(chatKey)
	n.mu.Lock()
	e.identicon, e.hasIdenticon = uri, true
	n.mu.Unlock()
	return uri
}

func (n *names) entryLocked(chatKey string) *nameEntry {
	if e, ok := n.keys[chatKey]; ok {
		return e
	}
	if len(n.keys) >= namesCap {
		for k := range n.keys {
			delete(n.keys, k)
			break
		}
	}
	e := &nameEntry{alias: aliasOf(chatKey)}
	n.keys[chatKey] = e
	return e
}
