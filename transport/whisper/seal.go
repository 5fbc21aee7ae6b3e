package whisper

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// Seal finds a proof-of-work nonce for e (docs/PROTOCOL.md §5.4) on every
// core and stores it in e.Nonce. It is the clocked counterpart of
// protocol/whisper.SealNonces and follows the reference sealer's contract:
//
//   - target == 0: nothing to do; e is left as it is.
//   - target > 0: search until a nonce reaches e.TargetBits(target) leading
//     zero bits; if workTime runs out first, e gets the best nonce found and
//     the error wraps wproto.ErrPoWTargetMissed.
//   - target < 0: search for the whole workTime and keep the best nonce.
//     Wrap has already added WorkTime to Expiry for this case.
//
// Seal blocks the calling goroutine. It searches the first chunk of nonces
// itself, which meets a low target (a status message's) without starting
// anything; past it, it starts runtime.NumCPU() workers, each taking chunks
// of nonces from a shared counter, and waits for all of them to exit before
// it returns, whatever the outcome. When ctx is cancelled first
// it returns ctx.Err() and leaves e unchanged. e must not be modified by
// anyone else while Seal runs.
func Seal(ctx context.Context, e *wproto.Envelope, target float64, workTime time.Duration) error {
	return sealWith(ctx, e, target, workTime, runtime.NumCPU())
}

// sealWith is Seal with a given number of workers (benchmarks compare 1
// with all cores).
func sealWith(ctx context.Context, e *wproto.Envelope, target float64, workTime time.Duration, workers int) error {
	if target == 0 {
		return nil
	}
	w, err := wproto.NewWork(e, target)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(workTime)
	if err := ctx.Err(); err != nil {
		return err
	}
	// A status message's target takes a few nonces: the caller's goroutine
	// searches the first chunk, and workers start only when it falls short.
	chunk := sealChunk(e.Size())
	nonce, bits := w.NewSearcher().Search(0, chunk)
	if w.Reached(bits) {
		e.Nonce = nonce
		return nil
	}
	first := sealResult{nonce: nonce, bits: bits}

	searchCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	results := make([]sealResult, workers)
	var next atomic.Uint64
	next.Store(chunk)
	var wg sync.WaitGroup
	wg.Add(workers)
	for i := range workers {
		go func() {
			defer wg.Done()
			results[i] = sealWorker(searchCtx, cancel, w, &next, chunk)
		}()
	}
	wg.Wait()

	best := first
	for _, r := range results {
		if r.bits > best.bits {
			best = r
		}
	}
	if w.Reached(best.bits) {
		e.Nonce = best.nonce
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if best.bits >= 0 {
		e.Nonce = best.nonce
	}
	if target > 0 {
		return fmt.Errorf("%w: best %d of %d bits in %v", wproto.ErrPoWTargetMissed, best.bits, w.TargetBits(), workTime)
	}
	return nil
}

type sealResult struct {
	nonce uint64
	bits  int
}

// sealWorker searches chunks until ctx ends or the target is reached; then
// it cancels the others through cancel.
func sealWorker(ctx context.Context, cancel context.CancelFunc, w *wproto.Work, next *atomic.Uint64, chunk uint64) sealResult {
	s := w.NewSearcher()
	best := sealResult{bits: -1}
	for ctx.Err() == nil {
		start := next.Add(chunk) - chunk
		nonce, bits := s.Search(start, chunk)
		if bits > best.bits {
			best = sealResult{nonce: nonce, bits: bits}
		}
		if w.Reached(bits) {
			cancel()
			break
		}
	}
	return best
}

// sealChunk sizes a chunk to hash about 1 MiB, so that a worker looks at
// the clock roughly every millisecond whatever the envelope size.
func sealChunk(size int) uint64 {
	n := (1 << 20) / (size + 40)
	return uint64(min(max(n, 1), 4096))
}
