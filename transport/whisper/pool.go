package whisper

import (
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// entry is an accepted envelope with the facts the router needs again and
// again: its wire bytes (sent as they are), hash, PoW and bloom. Entries are
// immutable once built and shared by the pool and the peer queues.
type entry struct {
	env    *wproto.Envelope
	raw    []byte // full RLP, as forwarded
	hash   common.Hash
	pow    float64 // as of ingest; 0 for P2P envelopes, which skip §5.8
	powSet bool    // pow was computed (not a P2P envelope)
	bloom  wproto.Bloom
	local  bool // posted with Send; set before the entry is shared
	// from is the session of the peer that sent the envelope first (see
	// peer.session; 0 for local and P2P envelopes), set before the entry
	// is shared. That peer has it: claim never offers it back, without a
	// per-envelope entry in the peer's known set.
	from uint64
}

// newEntry encodes e once and hashes the encoding (§5.3).
func newEntry(e *wproto.Envelope) *entry {
	raw := e.AppendRLP(nil)
	return &entry{env: e, raw: raw, hash: wproto.KeccakHash(raw), bloom: e.Bloom()}
}

// pool holds the envelopes that have not expired yet (§5.8): dedupe by
// hash, expiry buckets by second for the sweeper. All methods are safe for
// concurrent use; the mutex guards every field.
type pool struct {
	mu       sync.RWMutex
	byHash   map[common.Hash]*entry
	byExpiry map[uint32][]common.Hash
	bytes    int
}

func newPool() *pool {
	return &pool{byHash: make(map[common.Hash]*entry), byExpiry: make(map[uint32][]common.Hash)}
}

// has reports whether an envelope with hash h is in the pool.
func (p *pool) has(h common.Hash) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.byHash[h]
	return ok
}

// add stores e unless an envelope with the same hash is already there; it
// reports whether e was new.
func (p *pool) add(e *entry) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.byHash[e.hash]; ok {
		return false
	}
	p.byHash[e.hash] = e
	p.byExpiry[e.env.Expiry] = append(p.byExpiry[e.env.Expiry], e.hash)
	p.bytes += len(e.raw)
	return true
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
	for exp, hashes := range p.byExpiry {
		if int64(exp) >= n {
			continue
		}
		for _, h := range hashes {
			if e, ok := p.byHash[h]; ok {
				p.bytes -= len(e.raw)
				delete(p.byHash, h)
				removed++
				if e.local {
					local = append(local, h)
				}
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
	out := make([]*entry, 0, len(p.byHash))
	for _, e := range p.byHash {
		out = append(out, e)
	}
	return out
}

// stats returns the number of envelopes and their total RLP size.
func (p *pool) stats() (count, bytes int) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.byHash), p.bytes
}
