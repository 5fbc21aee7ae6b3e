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
// Batch Acknowledged, as the Status fork sends them (§4.6). They are owed
// to the peer (ackQueue), not queued as control packets: a burst of
// batches while our writer waits on the peer would fill that bounded queue,
// and a dropped acknowledgement leaves the peer's envelopes unconfirmed.
func (w *Whisper) confirm(p *peer, body []byte, refused []wproto.EnvelopeError) {
	if p.acks.push(owedAck{batch: wproto.BatchHash(body), refused: refused}) {
		w.m.controlDropped.Inc(wproto.BatchAcknowledgedCode.String())
	}
}

// maxOwedAcks bounds the confirmations owed to one peer and not written
// yet. It matches maxPendingBatches: a peer of ours forgets the batches it
// awaits beyond that many, so older acknowledgements would not be read.
const maxOwedAcks = maxPendingBatches

// owedAck is the confirmation of one batch a peer sent us.
type owedAck struct {
	batch   common.Hash
	refused []wproto.EnvelopeError
}

// ackQueue holds the confirmations owed to a peer until its writer writes
// them: the read loop adds one per Messages packet and never waits; past
// maxOwedAcks (a peer that sends and does not read) the oldest is dropped.
type ackQueue struct {
	mu   sync.Mutex
	owed []owedAck     // guarded by mu
	wake chan struct{} // capacity 1: "owed is not empty"
}

func newAckQueue() *ackQueue { return &ackQueue{wake: make(chan struct{}, 1)} }

// push adds a; it reports whether the oldest owed confirmation was dropped
// to make room.
func (q *ackQueue) push(a owedAck) (dropped bool) {
	q.mu.Lock()
	if len(q.owed) >= maxOwedAcks {
		q.owed = append(q.owed[:0], q.owed[1:]...)
		dropped = true
	}
	q.owed = append(q.owed, a)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return dropped
}

// take returns and forgets every owed confirmation, oldest first.
func (q *ackQueue) take() []owedAck {
	q.mu.Lock()
	defer q.mu.Unlock()
	owed := q.owed
	q.owed = nil
	return owed
}

// writeAcks writes every confirmation owed to the peer.
func (p *peer) writeAcks() error {
	for _, a := range p.acks.take() {
		if err := p.write(wproto.MessageResponseCode, wproto.EncodeMessageResponse(wproto.MessageResponse{Batch: a.batch, Errors: a.refused})); err != nil {
			return err
		}
		if err := p.write(wproto.BatchAcknowledgedCode, wproto.EncodeBatchAck(a.batch)); err != nil {
			return err
		}
	}
	return nil
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
