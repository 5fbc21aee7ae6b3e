package messenger

import (
	"crypto/ecdsa"
	"errors"
	"runtime"
	"sync"
	"time"

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
// MVDS deliveries, and public messages that are not ProtocolMessages
// (recovering first, for the bare ones, the Whisper signer the Transport
// left to Recover; msgs[i].msg.Signer is then set). It spreads them over
// GOMAXPROCS goroutines, which have all exited when it returns, and
// validates against one now. The results are indexed like msgs and dels
// (nil where nothing was computed, or where the Whisper signature did not
// recover: receive drops those); small batches get none.
func (d *dispatcher) precompute(msgs []inbound, dels []datasync.Delivery, now time.Time) ([]*precomputed, []*precomputed) {
	type job struct {
		data   []byte
		signer *ecdsa.PublicKey
		msg    *ReceivedMessage // whose Whisper signer to recover first; nil: signer is it
		out    **precomputed
	}
	var jobs []job
	preMsgs, preDels := make([]*precomputed, len(msgs)), make([]*precomputed, len(dels))
	for i, in := range msgs {
		if in.src.kind != srcPublic || !in.msg.signed() {
			continue
		}
		if _, err := encryption.DecodeProtocolMessage(in.msg.Payload); !errors.Is(err, encryption.ErrNotProtocolMessage) {
			continue
		}
		j := job{data: in.msg.Payload, out: &preMsgs[i]}
		if needsSigner(in) {
			j.msg = &msgs[i].msg
		}
		jobs = append(jobs, j)
	}
	for i, dl := range dels {
		signer, err := d.c.pubs.peer(dl.From)
		if err != nil {
			signer = nil
		}
		jobs = append(jobs, job{data: dl.Body, signer: signer, out: &preDels[i]})
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
				j := jobs[i]
				if j.msg != nil {
					if j.msg.recoverSigner() != nil {
						continue
					}
					j.signer = j.msg.Signer
				}
				r, err := message.Receive(j.data, j.signer, ctx)
				*j.out = &precomputed{r: r, err: err}
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
