package datasync

import "fmt"

// Step processes a payload received from peer from (docs/PROTOCOL.md §6.3).
// The driver has authenticated from (the encryption layer did) and decoded
// the payload with DecodePayload. Entries are handled in the order acks,
// messages, offers, requests, so that a payload carrying a message and its
// offer does not request it.
//
//   - ACK: deletes the record (id, from).
//   - MESSAGE: deletes (id, from) and every REQUEST for id; queues an ACK to
//     from for the next tick; if the ID is new (neither stored nor
//     released, see Release; a forgotten one is new again, see
//     ForgetReleased), stores the message, puts it
//     in Ready.Deliver and adds OFFER records for the other peers of its
//     group. Messages are accepted from any peer; membership is the driver's
//     decision (AddPeer).
//   - OFFER: deletes (id, from) (the peer has it); if the message is stored
//     or released,
//     queues an ACK so that from stops offering; otherwise, if from shares a
//     group with the node, adds a REQUEST record.
//   - REQUEST: if the message is stored with its body (not released) and
//     from is a member of its group,
//     schedules a MESSAGE record for the next tick.
//
// Step never panics on hostile input. Errors (the payload is then ignored
// entirely): ErrSelf, ErrInvalidKey for a malformed sender, ErrTooLarge for
// a payload over the decoder limits.
func (n *Node) Step(from PeerID, p Payload) error {
	if from == n.cfg.ID {
		return ErrSelf
	}
	if from[0] != 0x04 {
		return fmt.Errorf("%w: sender %x…", ErrInvalidKey, from[:4])
	}
	if err := n.checkLimits(&p); err != nil {
		return err
	}
	for _, id := range p.Acks {
		n.deleteRecord(RecordKey{Message: id, Peer: from})
	}
	for i := range p.Messages {
		n.onMessage(from, p.Messages[i])
	}
	for _, id := range p.Offers {
		n.onOffer(from, id)
	}
	for _, id := range p.Requests {
		n.onRequest(from, id)
	}
	return nil
}

func (n *Node) checkLimits(p *Payload) error {
	l := n.cfg.Limits
	if len(p.Acks) > l.MaxIDs || len(p.Offers) > l.MaxIDs || len(p.Requests) > l.MaxIDs || len(p.Messages) > l.MaxMessages {
		return fmt.Errorf("%w: payload entry counts", ErrTooLarge)
	}
	for i := range p.Messages {
		if len(p.Messages[i].Body) > l.MaxPayloadBytes {
			return fmt.Errorf("%w: message body of %d bytes", ErrTooLarge, len(p.Messages[i].Body))
		}
	}
	return nil
}

func (n *Node) onMessage(from PeerID, m Message) {
	id := m.ID()
	n.deleteRecord(RecordKey{Message: id, Peer: from})
	n.queueAck(from, id)
	if n.HasMessage(id) {
		return
	}
	m.Body = append([]byte(nil), m.Body...)
	n.storeMessage(id, m)
	n.deliver = append(n.deliver, m)
	for p, r := range n.records[id] {
		if r.Type == RecordRequest {
			n.deleteRecord(RecordKey{Message: id, Peer: p})
		}
	}
	for p := range n.groups[m.GroupID] {
		k := RecordKey{Message: id, Peer: p}
		if p == from || n.record(k) != nil {
			continue
		}
		n.setRecord(k, Record{Type: RecordOffer, SendEpoch: n.epoch + 1})
	}
}

func (n *Node) onOffer(from PeerID, id MessageID) {
	k := RecordKey{Message: id, Peer: from}
	if n.HasMessage(id) {
		n.deleteRecord(k)
		n.queueAck(from, id)
		return
	}
	if n.record(k) != nil || !n.sharesGroup(from) {
		return
	}
	n.setRecord(k, Record{Type: RecordRequest, SendEpoch: n.epoch + 1})
}

func (n *Node) onRequest(from PeerID, id MessageID) {
	m, ok := n.messages[id]
	if !ok || !n.IsPeer(m.GroupID, from) {
		return
	}
	k := RecordKey{Message: id, Peer: from}
	r := Record{Type: RecordMessage, SendEpoch: n.epoch + 1}
	if old := n.record(k); old != nil && old.Type == RecordMessage {
		if old.SendEpoch <= r.SendEpoch {
			return // already due
		}
		r.SendCount = old.SendCount
	}
	n.setRecord(k, r)
}
