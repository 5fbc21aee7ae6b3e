package datasync

// SetSendLimit bounds the sends of each MESSAGE record to peer p: once a
// record has been sent limit times (first send included) it is dropped
// instead of being rescheduled, so a peer that never acknowledges — a
// client running with data sync off reads MVDS-wrapped messages without
// ever sending an ACK — is not retransmitted to for ever. Dropping a record
// is not an acknowledgement: no ACK is reported for it, and a later ACK
// from p is still reported as received. limit 0 removes the bound (the
// default). OFFER and REQUEST records are not bounded.
//
// The limit applies from the next send; records already sent limit times
// or more are dropped at their next due send without being sent again. The
// limits are not part of the persisted state: the application sets them
// again after RestartNode from its own knowledge of its peers.
func (n *Node) SetSendLimit(p PeerID, limit uint64) {
	if limit == 0 {
		delete(n.sendLimits, p)
		return
	}
	n.sendLimits[p] = limit
}

// SendLimit returns the bound set by SetSendLimit for p, 0 when none.
func (n *Node) SendLimit(p PeerID) uint64 { return n.sendLimits[p] }

// overLimit reports whether a MESSAGE record to k.Peer that has been sent
// count times must not be sent again.
func (n *Node) overLimit(k RecordKey, r *Record, count uint64) bool {
	limit, ok := n.sendLimits[k.Peer]
	return ok && r.Type == RecordMessage && count >= limit
}

// afterSend stores r, just sent to k.Peer, with its next send scheduled —
// or drops it when that send reached the peer's limit.
func (n *Node) afterSend(k RecordKey, r *Record) {
	if n.overLimit(k, r, r.SendCount) {
		n.deleteRecord(k)
		return
	}
	n.setRecord(k, *r)
}

// NotSent tells the node that the payload to p carrying the messages ids
// (as the driver's Packet names them) did not leave: its transport failed
// to send it. Under a SetSendLimit bound that send is given back — each
// MESSAGE record to p counts one send less, and one the bound dropped at
// that send is kept again, due after the usual back-off — so a peer that
// never acknowledges still gets limit copies that left, however many sends
// failed before. Without a bound the send count only sets the back-off,
// and nothing changes. Call it before the next Tick or Flush. A message the
// node no longer stores, or whose group p has left, is skipped.
func (n *Node) NotSent(p PeerID, ids []MessageID) {
	limit, ok := n.sendLimits[p]
	if !ok {
		return
	}
	for _, id := range ids {
		m, stored := n.messages[id]
		if !stored || !n.IsPeer(m.GroupID, p) {
			continue
		}
		k := RecordKey{Message: id, Peer: p}
		r := Record{Type: RecordMessage, SendCount: limit - 1}
		if old := n.record(k); old != nil {
			if old.Type != RecordMessage || old.SendCount == 0 {
				continue
			}
			r = *old
			r.SendCount--
		} else {
			// afterSend dropped it: that send was its limit-th.
			r.SendEpoch = n.cfg.nextEpoch(n.initialBackoff(p), r.SendCount+1, n.epoch)
		}
		n.setRecord(k, r)
	}
}

// SetInitialBackoff sets the gap in ticks between the first send of a
// record to p and its first retransmission, in place of
// Config.InitialBackoff; further gaps double from it up to MaxBackoff as
// usual. A driver sets it from the round trip it measured to p, so that a
// record is not re-sent before its ACK could have come back. ticks 0
// restores Config.InitialBackoff; a value above MaxBackoff is taken as
// MaxBackoff. It applies from the next send of each record; like the send
// limits it is not persisted.
func (n *Node) SetInitialBackoff(p PeerID, ticks uint64) {
	switch {
	case ticks == 0:
		delete(n.backoffs, p)
	case ticks > n.cfg.MaxBackoff:
		n.backoffs[p] = n.cfg.MaxBackoff
	default:
		n.backoffs[p] = ticks
	}
}

// initialBackoff returns the first retransmission gap to p in ticks.
func (n *Node) initialBackoff(p PeerID) uint64 {
	if b, ok := n.backoffs[p]; ok {
		return b
	}
	return n.cfg.InitialBackoff
}
