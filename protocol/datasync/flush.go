package datasync

// Flush sends the node's new records now instead of at the next tick: the
// send-on-append path. It is meant for a driver that calls it shortly after
// Append (after a debounce, so that a burst of appends leaves as one
// payload per peer); it runs on the driver goroutine like every other
// method, never blocks and does no I/O.
//
// Contract:
//
//   - It sends every never-sent record of the type Append creates —
//     MESSAGE in batch mode, OFFER in interactive mode — that is due at the
//     next tick: SendCount == 0 and SendEpoch == Epoch()+1, whoever created
//     it (Append, and in batch mode also a REQUEST answered before its
//     first send; in interactive mode also the OFFERs Step adds for other
//     group peers). Nothing else: a record sent at least once (in flight,
//     awaiting its ACK or its back-off) is never re-sent by Flush, and
//     REQUEST records wait for the tick as before.
//   - Each such record is handled as Tick handles a due record, without
//     advancing the epoch: it is put in its peer's payload (a MESSAGE record
//     of a non-member is dropped instead) and SendCount becomes 1. Its next
//     SendEpoch is the one the tick it was scheduled for would have set,
//     Epoch()+1 + InitialBackoff: the retransmission schedule in epochs is
//     exactly the one without Flush, only the first send is earlier. (Setting
//     it from the current epoch instead would make the first retransmission
//     come as soon as InitialBackoff-1 tick periods after the send, and
//     changed the packet pattern the interop/mvds lossy cases depend on.)
//   - The ACKs queued by Step for a peer that gets a payload ride along in
//     it (and are not sent again at the next tick). ACKs for other peers
//     stay queued for the tick.
//   - The payloads are queued for the next Ready, one per peer, split at
//     MaxPayloadBytes like Tick's; a peer with nothing to send gets none, so
//     no payload is ever empty. The records' new state is in that Ready's
//     Changes, so the driver persists it before sending (persist before
//     send), as for a tick.
//
// Flush with nothing new is a no-op and returns false; it returns true when
// it queued at least one payload. It is O(records appended since the last
// Tick or Flush).
func (n *Node) Flush() bool {
	keys := n.unsentKeys()
	if len(keys) == 0 {
		return false
	}
	batches := newBatches()
	for _, k := range keys {
		r := n.record(k)
		if r == nil || r.SendCount != 0 || r.SendEpoch != n.epoch+1 || r.Type != n.appendType() {
			continue
		}
		if !n.addToBatch(batches, k, r) {
			continue
		}
		r.SendCount++
		r.SendEpoch = n.cfg.nextEpoch(n.initialBackoff(k.Peer), r.SendCount, n.epoch+1)
		n.afterSend(k, r)
	}
	for p, b := range batches.m {
		if ids := n.acks[p]; len(ids) > 0 {
			b.Acks = ids
			delete(n.acks, p)
			for _, id := range ids {
				delete(n.ackSet, RecordKey{Message: id, Peer: p})
			}
		}
	}
	return n.queueBatches(batches)
}

// HasUnsent reports whether Flush may have something to send: a record of
// the type Append creates was scheduled for its first send since the last
// Tick or Flush. It is O(1); the driver uses it to decide whether to arm
// its flush timer.
func (n *Node) HasUnsent() bool { return len(n.unsent) > 0 }

// appendType is the record type Append creates in the node's mode.
func (n *Node) appendType() RecordType {
	if n.cfg.Mode == ModeInteractive {
		return RecordOffer
	}
	return RecordMessage
}

// noteUnsent remembers k for Flush when r is a first send of the append
// type due at the next tick. Called by setRecord and on restore.
func (n *Node) noteUnsent(k RecordKey, r Record) {
	if r.SendCount == 0 && r.SendEpoch == n.epoch+1 && r.Type == n.appendType() {
		n.unsent[k] = struct{}{}
	}
}

// unsentKeys returns the remembered keys in (peer, message) order and
// forgets them.
func (n *Node) unsentKeys() []RecordKey {
	if len(n.unsent) == 0 {
		return nil
	}
	keys := make([]RecordKey, 0, len(n.unsent))
	for k := range n.unsent {
		keys = append(keys, k)
	}
	clear(n.unsent)
	sortKeys(keys)
	return keys
}

// batches gathers one payload per peer for Tick and Flush.
type batches struct{ m map[PeerID]*Payload }

func newBatches() batches { return batches{m: make(map[PeerID]*Payload)} }

func (b batches) get(p PeerID) *Payload {
	pl := b.m[p]
	if pl == nil {
		pl = &Payload{}
		b.m[p] = pl
	}
	return pl
}

// addToBatch puts record k in its peer's payload. A MESSAGE record whose
// message is gone or whose peer left the group is deleted instead, and
// addToBatch returns false.
func (n *Node) addToBatch(b batches, k RecordKey, r *Record) bool {
	switch r.Type {
	case RecordMessage:
		m, ok := n.messages[k.Message]
		if !ok || !n.IsPeer(m.GroupID, k.Peer) || n.overLimit(k, r, r.SendCount) {
			n.deleteRecord(k)
			return false
		}
		pl := b.get(k.Peer)
		pl.Messages = append(pl.Messages, m)
	case RecordOffer:
		pl := b.get(k.Peer)
		pl.Offers = append(pl.Offers, k.Message)
	case RecordRequest:
		pl := b.get(k.Peer)
		pl.Requests = append(pl.Requests, k.Message)
	}
	return true
}

// queueBatches queues the payloads of b for Ready in peer order, split at
// MaxPayloadBytes, skipping empty ones. It reports whether it queued any.
func (n *Node) queueBatches(b batches) bool {
	peers := make([]PeerID, 0, len(b.m))
	for p := range b.m {
		peers = append(peers, p)
	}
	sortPeers(peers)
	queued := false
	for _, p := range peers {
		for _, pl := range splitPayload(*b.m[p], n.cfg.MaxPayloadBytes) {
			n.outgoing = append(n.outgoing, Outgoing{To: p, Payload: pl})
			queued = true
		}
	}
	return queued
}
