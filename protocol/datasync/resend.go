package datasync

import (
	"bytes"
	"cmp"
	"slices"
)

// Recent returns copies of the stored messages of group g whose timestamp
// is at or after since (Unix seconds, §6.1), oldest first (ties in ID
// order); when more than limit match, the newest limit of them. Both the
// messages the node appended and those it received are stored; the caller
// tells them apart. It scans every stored message.
func (n *Node) Recent(g GroupID, since int64, limit int) []Message {
	var out []Message
	for _, m := range n.messages {
		if m.GroupID == g && m.Timestamp >= since {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Message) int {
		if c := cmp.Compare(a.Timestamp, b.Timestamp); c != 0 {
			return c
		}
		ia, ib := a.ID(), b.ID()
		return bytes.Compare(ia[:], ib[:])
	})
	if limit >= 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	for i := range out {
		out[i].Body = append([]byte(nil), out[i].Body...)
	}
	return out
}

// Resend sends each stored message of ids to peer p again, as if p had
// requested it (§6.3): a MESSAGE record due at the next tick, then
// retransmitted with the usual back-off until p acknowledges it again. It
// is for a peer whose earlier ACK did not cover all of it — an identity
// that gained a device the message was not encrypted for. An ID the node
// does not store, or whose group p is not a member of, is skipped; a
// MESSAGE record already due for p is left as it is. It returns how many
// records it scheduled.
func (n *Node) Resend(p PeerID, ids []MessageID) int {
	count := 0
	for _, id := range ids {
		if n.scheduleMessage(p, id) {
			count++
		}
	}
	return count
}

// scheduleMessage makes a MESSAGE record of stored message id to member p
// due at the next tick, keeping the send count of one that exists. It
// reports whether it changed a record.
func (n *Node) scheduleMessage(p PeerID, id MessageID) bool {
	m, ok := n.messages[id]
	if !ok || !n.IsPeer(m.GroupID, p) {
		return false
	}
	k := RecordKey{Message: id, Peer: p}
	r := Record{Type: RecordMessage, SendEpoch: n.epoch + 1}
	if old := n.record(k); old != nil && old.Type == RecordMessage {
		if old.SendEpoch <= r.SendEpoch {
			return false // already due
		}
		r.SendCount = old.SendCount
	}
	n.setRecord(k, r)
	return true
}
