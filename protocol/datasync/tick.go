package datasync

// Tick advances the epoch by one and sends what is due (docs/PROTOCOL.md
// §6.3): every record with SendEpoch ≤ the new epoch goes into its peer's
// payload (OFFER → offers, REQUEST → requests, MESSAGE → messages, the
// latter only while the peer is a member of the message's group; a MESSAGE
// record for a non-member is dropped), its SendCount grows by one and its
// SendEpoch is set to epoch + back-off(SendCount). The ACKs queued by Step
// since the previous tick are added, and one payload per peer is queued for
// Ready — several when they exceed MaxPayloadBytes. A peer with nothing to
// send gets no payload.
//
// The driver calls Tick at a fixed period (Status: 300 ms). Tick is O(number
// of records) when something is due and O(1) otherwise.
func (n *Node) Tick() {
	n.epoch++
	clear(n.unsent) // every one of them is due now
	b := newBatches()
	for _, k := range n.collectDue() {
		r := n.record(k)
		if !n.addToBatch(b, k, r) {
			continue
		}
		r.SendCount++
		r.SendEpoch = n.cfg.nextEpoch(n.initialBackoff(k.Peer), r.SendCount, n.epoch)
		n.afterSend(k, r)
	}
	for p, ids := range n.acks {
		b.get(p).Acks = ids
	}
	clear(n.acks)
	clear(n.ackSet)
	n.queueBatches(b)
}

// collectDue returns the keys of the records due at the current epoch in
// (peer, message) order, and recomputes the lower bound of SendEpoch over
// the records that are not due. The due records are rescheduled by the
// caller, which lowers the bound again through setRecord.
func (n *Node) collectDue() []RecordKey {
	if n.epoch < n.nextDue {
		return nil
	}
	var due []RecordKey
	next := ^uint64(0)
	for id, peers := range n.records {
		for p, r := range peers {
			if r.SendEpoch <= n.epoch {
				due = append(due, RecordKey{Message: id, Peer: p})
			} else if r.SendEpoch < next {
				next = r.SendEpoch
			}
		}
	}
	n.nextDue = next
	sortKeys(due)
	return due
}

// splitPayload cuts p into payloads of at most limit encoded bytes, keeping
// the entry order acks, offers, requests, messages. An entry larger than
// limit on its own travels alone. Empty input yields nothing.
func splitPayload(p Payload, limit int) []Payload {
	if p.IsEmpty() {
		return nil
	}
	if p.Size() <= limit {
		return []Payload{p}
	}
	var out []Payload
	var cur Payload
	size := 0
	flush := func(add int) {
		if size > 0 && size+add > limit {
			out = append(out, cur)
			cur, size = Payload{}, 0
		}
		size += add
	}
	for _, id := range p.Acks {
		flush(idFieldSize)
		cur.Acks = append(cur.Acks, id)
	}
	for _, id := range p.Offers {
		flush(idFieldSize)
		cur.Offers = append(cur.Offers, id)
	}
	for _, id := range p.Requests {
		flush(idFieldSize)
		cur.Requests = append(cur.Requests, id)
	}
	for i := range p.Messages {
		flush(messageFieldSize(&p.Messages[i]))
		cur.Messages = append(cur.Messages, p.Messages[i])
	}
	if size > 0 {
		out = append(out, cur)
	}
	return out
}
