package whisper

import (
	"errors"
	"sync"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// maxPendingBatches bounds the batches per peer that wait for the peer's
// acknowledgement; the oldest are forgotten first, and their local
// envelopes are then reported as written (add).
const maxPendingBatches = 1024

// pendingBatches are our batches to one peer that carried local
// envelopes, by batch hash, waiting for its Batch Acknowledged (§4.6).
// Written by the peer's writer, read by its read loop.
type pendingBatches struct {
	mu    sync.Mutex
	byKey map[common.Hash]*pendingBatch
	order []common.Hash
}

type pendingBatch struct {
	local   []common.Hash
	refused map[common.Hash]bool
}

// add records a batch written with local envelopes. When that makes more
// than maxPendingBatches wait, it forgets the oldest and returns its local
// envelopes that the peer did not refuse: written long ago, their
// acknowledgement is no longer awaited, and the caller reports them as
// written without confirmation, so that they are not left unsent.
func (pb *pendingBatches) add(batch common.Hash, local []common.Hash) (forgotten []common.Hash) {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if pb.byKey == nil {
		pb.byKey = make(map[common.Hash]*pendingBatch)
	}
	if len(pb.order) >= maxPendingBatches {
		if old := pb.byKey[pb.order[0]]; old != nil {
			for _, h := range old.local {
				if !old.refused[h] {
					forgotten = append(forgotten, h)
				}
			}
		}
		delete(pb.byKey, pb.order[0])
		pb.order = pb.order[1:]
	}
	pb.byKey[batch] = &pendingBatch{local: local}
	pb.order = append(pb.order, batch)
	return forgotten
}

// refuse records the peer's refusals for a pending batch and returns those
// that are our envelopes.
func (pb *pendingBatches) refuse(r wproto.MessageResponse) []wproto.EnvelopeError {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	b := pb.byKey[r.Batch]
	if b == nil {
		return nil
	}
	ours := make(map[common.Hash]bool, len(b.local))
	for _, h := range b.local {
		ours[h] = true
	}
	var out []wproto.EnvelopeError
	for _, e := range r.Errors {
		if ours[e.Hash] {
			if b.refused == nil {
				b.refused = make(map[common.Hash]bool)
			}
			b.refused[e.Hash] = true
			out = append(out, e)
		}
	}
	return out
}

// ack forgets an acknowledged batch and returns its local envelopes that
// were not refused.
func (pb *pendingBatches) ack(batch common.Hash) []common.Hash {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	b := pb.byKey[batch]
	if b == nil {
		return nil
	}
	delete(pb.byKey, batch)
	for i, h := range pb.order {
		if h == batch {
			pb.order = append(pb.order[:i], pb.order[i+1:]...)
			break
		}
	}
	var out []common.Hash
	for _, h := range b.local {
		if !b.refused[h] {
			out = append(out, h)
		}
	}
	return out
}

// handleBatchAck reports the local envelopes of an acknowledged batch. A
// malformed acknowledgement is counted and ignored.
func (w *Whisper) handleBatchAck(p *peer, body []byte) {
	batch, err := wproto.DecodeBatchAck(body)
	if err != nil {
		w.m.dropped.Inc(dropMalformed)
		return
	}
	for _, h := range p.pending.ack(batch) {
		w.events.Publish(Event{Kind: EventEnvelopeAcknowledged, Hash: h, Peer: p.id})
	}
}

// handleMessageResponse reports the local envelopes a peer refused. Other
// versions and malformed responses are counted and ignored.
func (w *Whisper) handleMessageResponse(p *peer, body []byte) {
	r, ok, err := wproto.DecodeMessageResponse(body)
	if err != nil {
		w.m.dropped.Inc(dropMalformed)
		return
	}
	if !ok {
		return
	}
	for _, e := range p.pending.refuse(r) {
		w.events.Publish(Event{Kind: EventEnvelopeRefused, Hash: e.Hash, Peer: p.id, Reason: e.Description})
	}
}

// confirm answers a Messages packet from a peer that asked for
// confirmations: a Message Response with the envelopes refused, then the
// Batch Acknowledged, as the Status fork sends them (§4.6).
func (w *Whisper) confirm(p *peer, body []byte, refused []wproto.EnvelopeError) {
	batch := wproto.BatchHash(body)
	p.sendControl(wproto.MessageResponseCode, wproto.EncodeMessageResponse(wproto.MessageResponse{Batch: batch, Errors: refused}))
	p.sendControl(wproto.BatchAcknowledgedCode, wproto.EncodeBatchAck(batch))
}

// envelopeError turns an acceptance error into a Message Response entry:
// code 1 for time-sync errors, 2 for the others.
func envelopeError(h common.Hash, err error) wproto.EnvelopeError {
	code := wproto.EnvelopeOtherError
	if errors.Is(err, wproto.ErrEnvelopeExpired) || errors.Is(err, wproto.ErrEnvelopeFromFuture) || errors.Is(err, wproto.ErrEnvelopeVeryOld) {
		code = wproto.EnvelopeTimeNotSynced
	}
	return wproto.EnvelopeError{Hash: h, Code: code, Description: err.Error()}
}
