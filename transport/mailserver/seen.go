package mailserver

import (
	"encoding/binary"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/storage"
)

// seenWriter takes the client's record of live envelopes off the ingest
// path: Seen (called on a peer's read goroutine for every accepted
// envelope) only adds the hash to an in-memory set, and one goroutine
// writes the set to the store in batches. Lookups consult the set first,
// so a hash is "seen" from the moment Seen returns.
type seenWriter struct {
	mu      sync.Mutex
	pending map[common.Hash]uint32 // hash → first-seen second, not yet stored
	wake    chan struct{}          // capacity 1: "pending is not empty"
}

func newSeenWriter() *seenWriter {
	return &seenWriter{pending: make(map[common.Hash]uint32), wake: make(chan struct{}, 1)}
}

// add records h; it never blocks.
func (w *seenWriter) add(h common.Hash, sec uint32) {
	w.mu.Lock()
	if _, ok := w.pending[h]; !ok {
		w.pending[h] = sec
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// has reports whether h waits to be stored.
func (w *seenWriter) has(h common.Hash) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.pending[h]
	return ok
}

// flush writes every pending hash in one batch. Hashes already stored are
// overwritten with the later second, which only delays their pruning.
func (w *seenWriter) flush(g *gapStore) error {
	w.mu.Lock()
	if len(w.pending) == 0 {
		w.mu.Unlock()
		return nil
	}
	var b storage.Batch
	for h, sec := range w.pending {
		b.Put(append([]byte{prefixSeen}, h[:]...), binary.BigEndian.AppendUint32(nil, sec))
	}
	// Keep them visible until the batch is in the store.
	written := w.pending
	w.pending = make(map[common.Hash]uint32, len(written))
	for h, sec := range written {
		w.pending[h] = sec
	}
	w.mu.Unlock()
	err := g.kv.Write(&b)
	w.mu.Lock()
	for h := range written {
		delete(w.pending, h)
	}
	w.mu.Unlock()
	return err
}

// seenLoop stores pending hashes until quit closes, then flushes the rest.
// It runs on the client's WaitGroup.
func (c *Client) seenLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.seen.wake:
			if err := c.seen.flush(c.gaps); err != nil {
				c.log.Warn("recording seen envelopes failed", zap.Error(err))
			}
		case <-c.quit:
			if err := c.seen.flush(c.gaps); err != nil {
				c.log.Warn("recording seen envelopes failed", zap.Error(err))
			}
			return
		}
	}
}
