package mailserver

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/storage"
)

// seenWriter takes the client's record of live envelopes off the ingest
// path: Seen (called on a peer's read goroutine for every accepted
// envelope) only adds the hash to an in-memory set, and one goroutine
// writes the set to the store in batches, each once ClientConfig.Settle
// returned for it. Lookups consult the sets first, so a hash is "seen"
// from the moment Seen returns.
type seenWriter struct {
	mu sync.Mutex
	// pending holds the hashes not yet taken by a flush, writing those of
	// the flush under way (settling, then being written): hash → first-seen
	// second. Both guarded by mu.
	pending, writing map[common.Hash]uint32
	wake             chan struct{} // capacity 1: "pending is not empty"
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
	if _, ok := w.pending[h]; ok {
		return true
	}
	_, ok := w.writing[h]
	return ok
}

// flush takes every pending hash, waits on settle — hashes added meanwhile
// wait for the next flush — and then writes them in one batch. Hashes
// already stored are overwritten with the later second, which only delays
// their pruning. When settle or the write fails, nothing is written and the
// hashes go back to pending (still seen in memory) for the next flush. One
// goroutine flushes at a time (seenLoop).
func (w *seenWriter) flush(ctx context.Context, g *gapStore, settle func(context.Context) error) error {
	w.mu.Lock()
	if len(w.pending) == 0 {
		w.mu.Unlock()
		return nil
	}
	taken := w.pending
	w.pending, w.writing = make(map[common.Hash]uint32), taken
	w.mu.Unlock()
	err := settle(ctx)
	if err == nil {
		var b storage.Batch
		for h, sec := range taken {
			b.Put(append([]byte{prefixSeen}, h[:]...), binary.BigEndian.AppendUint32(nil, sec))
		}
		err = g.kv.Write(&b)
	}
	w.mu.Lock()
	w.writing = nil
	if err != nil {
		for h, sec := range taken {
			if _, ok := w.pending[h]; !ok {
				w.pending[h] = sec
			}
		}
	}
	w.mu.Unlock()
	return err
}

// finalSettleTimeout bounds the wait on Settle of the flush at Stop.
const finalSettleTimeout = 5 * time.Second

// seenLoop stores pending hashes until quit closes, then flushes the rest.
// It runs on the client's WaitGroup. A flush whose Settle fails leaves its
// hashes for the next one, which the next Seen (or Stop) starts.
//
// It writes at most one batch per ClientConfig.SeenFlushEvery: each batch
// waits on Settle and syncs the database, and under a flood of live
// envelopes a batch per wake-up cost the ingest path an fsync every few
// packets. The hashes of the interval are seen in memory at once; a crash
// loses only their record, so a later fetch may deliver those envelopes
// again, and the consumer drops them as doubles.
func (c *Client) seenLoop() {
	defer c.wg.Done()
	final := func() {
		ctx, cancel := context.WithTimeout(context.Background(), finalSettleTimeout)
		c.logSeenFlush(c.seen.flush(ctx, c.gaps, c.settle))
		cancel()
	}
	for {
		select {
		case <-c.seen.wake:
		case <-c.quit:
			final()
			return
		}
		c.logSeenFlush(c.seen.flush(c.ctx, c.gaps, c.settle))
		pause := time.NewTimer(c.cfg.SeenFlushEvery)
		select {
		case <-pause.C:
		case <-c.quit:
			pause.Stop()
			final()
			return
		}
	}
}

// logSeenFlush logs a failed flush: at Info when Settle failed (the
// consumer stopped, the client stops: the hashes are fetched again at
// worst), at Warn when the store did.
func (c *Client) logSeenFlush(err error) {
	switch {
	case err == nil:
	case errors.Is(err, ErrNotSettled):
		c.log.Info("seen envelopes not recorded", zap.Error(err))
	default:
		c.log.Warn("recording seen envelopes failed", zap.Error(err))
	}
}
