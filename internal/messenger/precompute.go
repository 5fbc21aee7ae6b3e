package messenger

import (
	"crypto/ecdsa"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// precomputed is message.Receive's result for one payload of a drained
// batch, computed ahead of the receive goroutine's serial pass.
type precomputed struct {
	r   *message.Received
	err error
}

// minPrecompute is the smallest batch worth spreading over goroutines.
const minPrecompute = 4

// precompute runs message.Receive — wrapper signature recovery, Transit
// decoding, validation: pure work, the bulk of a message's receive cost
// — for the payloads of a batch whose path to process involves no state:
// MVDS deliveries, and public messages that are not ProtocolMessages. It
// spreads them over GOMAXPROCS goroutines, which have all exited when it
// returns, and validates against one now. The results are indexed like
// msgs and dels (nil where nothing was computed); small batches get none.
func (d *dispatcher) precompute(msgs []inbound, dels []datasync.Delivery, now time.Time) ([]*precomputed, []*precomputed) {
	type job struct {
		data   []byte
		signer *ecdsa.PublicKey
		out    **precomputed
	}
	var jobs []job
	preMsgs, preDels := make([]*precomputed, len(msgs)), make([]*precomputed, len(dels))
	for i, in := range msgs {
		if in.src.kind != srcPublic || in.msg.Signer == nil {
			continue
		}
		if _, err := encryption.DecodeProtocolMessage(in.msg.Payload); !errors.Is(err, encryption.ErrNotProtocolMessage) {
			continue
		}
		jobs = append(jobs, job{in.msg.Payload, in.msg.Signer, &preMsgs[i]})
	}
	for i, dl := range dels {
		signer, err := crypto.UnmarshalPubkey(dl.From[:])
		if err != nil {
			signer = nil
		}
		jobs = append(jobs, job{dl.Body, signer, &preDels[i]})
	}
	if len(jobs) < minPrecompute {
		return nil, nil
	}
	ctx := message.Context{Now: now, Self: d.c.self}
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(jobs); i += workers {
				r, err := message.Receive(jobs[i].data, jobs[i].signer, ctx)
				*jobs[i].out = &precomputed{r: r, err: err}
			}
		}()
	}
	wg.Wait()
	return preMsgs, preDels
}

// at returns pre[i], or nil when pre is nil.
func at(pre []*precomputed, i int) *precomputed {
	if pre == nil {
		return nil
	}
	return pre[i]
}
