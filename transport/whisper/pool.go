package whisper

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// entry is an envelope with the facts the router needs again and again:
// its wire bytes (sent as they are), dedupe key and PoW. Its bloom is not
// kept: a peer's bloom filter tests the topic's bits in place
// (wproto.Bloom.Contains), which saves 64 bytes a pooled envelope
// (BenchmarkPoolMemory). Entries are immutable once shared by the pool
// and the peer queues, except for the envelope hash, which is computed
// when first asked for (hash): most envelopes a node relays are never
// opened, archived or reported, and the pool dedupes by wire bytes, which
// is exact without it.
type entry struct {
	env    *wproto.Envelope
	raw    []byte  // full RLP, as forwarded
	key    uint64  // pool.keyOf(raw)
	pow    float64 // as of ingest; 0 for P2P envelopes, which skip §5.8
	powSet bool    // pow was computed (not a P2P envelope)
	local  bool    // posted with Send; set before the entry is shared
	// from is the session of the peer that sent the envelope first (see
	// peer.session; 0 for local and P2P envelopes), set before the entry
	// is shared. That peer has it: claim never offers it back, without a
	// per-envelope entry in the peer's known set.
	from uint64

	hashed atomic.Pointer[common.Hash] // set by hash
}

// hash returns the envelope hash (§5.3): keccak256 of the wire bytes, which
// are the envelope's canonical RLP. Safe for concurrent use; concurrent
// first calls compute the same value.
func (e *entry) hash() common.Hash {
	if h := e.hashed.Load(); h != nil {
		return *h
	}
	h := wproto.KeccakHash(e.raw)
	e.hashed.Store(&h)
	return h
}

// newEntry encodes an envelope that did not come in a Messages packet (a
// local post, a P2P message) once.
func (w *Whisper) newEntry(e *wproto.Envelope) *entry {
	raw := e.AppendRLP(nil)
	return &entry{env: e, raw: raw, key: w.pool.keyOf(raw)}
}

// pool holds the envelopes that have not expired yet (§5.8): dedupe by wire
// bytes, expiry buckets by second for the sweeper. All methods are safe
// for concurrent use; the mutex guards every field but seed.
type pool struct {
	seed     maphash.Seed // random per pool: peers cannot aim at key collisions
	mu       sync.RWMutex
	index    poolIndex // by wire bytes
	byExpiry map[uint32][]*entry
	count    int
	bytes    int
}

func newPool() *pool {
	return &pool{seed: maphash.MakeSeed(), byExpiry: make(map[uint32][]*entry)}
}

// keyOf is the dedupe key of an envelope's wire bytes.
func (p *pool) keyOf(raw []byte) uint64 { return maphash.Bytes(p.seed, raw) }

// find returns the pooled entry with the same envelope as e (e.key set),
// or nil.
func (p *pool) find(e *entry) *entry {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.index.find(e.key, e.raw)
}

// findAll sets found[i] to the pooled entry with the same envelope as
// es[i] (key set), or nil, under one read lock for all of them.
func (p *pool) findAll(es, found []*entry) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for i, e := range es {
		found[i] = p.index.find(e.key, e.raw)
	}
}

// add stores e unless the same envelope is already there; it returns the
// pooled entry and whether that is e.
func (p *pool) add(e *entry) (*entry, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if x := p.index.find(e.key, e.raw); x != nil {
		return x, false
	}
	p.index.insert(e)
	p.byExpiry[e.env.Expiry] = append(p.byExpiry[e.env.Expiry], e)
	p.count++
	p.bytes += len(e.raw)
	return e, true
}

// removeLocked removes e from the index.
func (p *pool) removeLocked(e *entry) {
	p.index.remove(e)
	p.count--
	p.bytes -= len(e.raw)
}

// sweep removes every envelope whose Expiry is before now and returns how
// many it removed and the hashes of the local ones among them (the caller
// owns the slice). Called by the sweeper goroutine.
func (p *pool) sweep(now time.Time) (int, []common.Hash) {
	n := now.Unix()
	p.mu.Lock()
	defer p.mu.Unlock()
	removed := 0
	var local []common.Hash
	for exp, entries := range p.byExpiry {
		if int64(exp) >= n {
			continue
		}
		for _, e := range entries {
			p.removeLocked(e)
			removed++
			if e.local {
				local = append(local, e.hash())
			}
		}
		delete(p.byExpiry, exp)
	}
	return removed, local
}

// snapshot returns the pooled entries in no particular order. The slice
// belongs to the caller; the entries are shared and must not be modified.
func (p *pool) snapshot() []*entry {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]*entry, 0, p.count)
	for _, entries := range p.byExpiry {
		out = append(out, entries...)
	}
	return out
}

// stats returns the number of envelopes and their total RLP size.
func (p *pool) stats() (count, bytes int) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.count, p.bytes
}
