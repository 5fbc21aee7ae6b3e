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
// tells them apart. Released messages (Release) are not returned. It scans
// every stored message.
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

// Resend sends each stored message of ids to peer p again, now: the
// messages are put in p's payload for the next Ready (as Flush does, with
// the ACKs queued for p), and each keeps a MESSAGE record retransmitted
// with the usual back-off until p acknowledges it again (a record that
// existed keeps its send count, so SetSendLimit still bounds it). It is for
// a peer whose earlier ACK did not cover all of it — an identity that
// gained a device the message was not encrypted for. Sending at once
// matters: an ACK still in flight for an earlier send would delete a
// record that only waited for the next tick. An ID the node does not
// store with its body (unknown or released), or whose group p is not a
// member of, is skipped. It returns how
// many messages it queued.
func (n *Node) Resend(p PeerID, ids []MessageID) int {
	b := newBatches()
	count := 0
	for _, id := range ids {
		m, ok := n.messages[id]
		if !ok || !n.IsPeer(m.GroupID, p) {
			continue
		}
		k := RecordKey{Message: id, Peer: p}
		r := Record{Type: RecordMessage}
		if old := n.record(k); old != nil && old.Type == RecordMessage {
			r.SendCount = old.SendCount
		}
		if !n.addToBatch(b, k, &r) {
			continue // over p's send limit
		}
		r.SendCount++
		r.SendEpoch = n.cfg.nextEpoch(n.initialBackoff(p), r.SendCount, n.epoch)
		n.afterSend(k, &r)
		count++
	}
	if pl := b.m[p]; pl != nil && len(n.acks[p]) > 0 {
		pl.Acks = n.acks[p]
		delete(n.acks, p)
		for _, id := range pl.Acks {
			delete(n.ackSet, RecordKey{Message: id, Peer: p})
		}
	}
	n.queueBatches(b)
	return count
}
