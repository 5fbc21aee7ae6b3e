package datasync

import (
	"bytes"
	"fmt"
	"sort"
)

// This file holds the node's record and group bookkeeping. Every mutation
// goes through these helpers so that the change is also queued for
// persistence.

func (n *Node) record(k RecordKey) *Record {
	return n.records[k.Message][k.Peer]
}

// putRecord inserts or replaces a record without marking it for
// persistence (used when restoring).
func (n *Node) putRecord(k RecordKey, r Record) {
	peers := n.records[k.Message]
	if peers == nil {
		peers = make(map[PeerID]*Record)
		n.records[k.Message] = peers
	}
	if old, ok := peers[k.Peer]; ok {
		*old = r
	} else {
		peers[k.Peer] = &r
		n.nrecords++
	}
	if r.SendEpoch < n.nextDue {
		n.nextDue = r.SendEpoch
	}
}

// setRecord inserts or replaces a record and queues it for persistence.
func (n *Node) setRecord(k RecordKey, r Record) {
	n.putRecord(k, r)
	n.dirtyRecords[k] = struct{}{}
	n.noteUnsent(k, r)
}

// deleteRecord removes a record if present and queues the deletion.
func (n *Node) deleteRecord(k RecordKey) {
	peers := n.records[k.Message]
	if _, ok := peers[k.Peer]; !ok {
		return
	}
	delete(peers, k.Peer)
	delete(n.unsent, k)
	if len(peers) == 0 {
		delete(n.records, k.Message)
	}
	n.nrecords--
	n.dirtyRecords[k] = struct{}{}
}

// recordKeys returns every record key in (peer, message) order.
func (n *Node) recordKeys() []RecordKey {
	keys := make([]RecordKey, 0, n.nrecords)
	for id, peers := range n.records {
		for p := range peers {
			keys = append(keys, RecordKey{Message: id, Peer: p})
		}
	}
	sortKeys(keys)
	return keys
}

func sortMessages(ms []Message) {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Timestamp != ms[j].Timestamp {
			return ms[i].Timestamp < ms[j].Timestamp
		}
		a, b := ms[i].ID(), ms[j].ID()
		return bytes.Compare(a[:], b[:]) < 0
	})
}

// AddPeer makes p a member of group g. Messages appended to g from now on
// are sent to p; messages appended before are not (§6.3 has no history
// transfer). Adding an existing member is a no-op.
//
// Errors: ErrSelf when p is the local node, ErrInvalidKey when p is not an
// uncompressed key.
func (n *Node) AddPeer(g GroupID, p PeerID) error {
	if p == n.cfg.ID {
		return ErrSelf
	}
	if p[0] != 0x04 {
		return fmt.Errorf("%w: peer %x…", ErrInvalidKey, p[:4])
	}
	if n.IsPeer(g, p) {
		return nil
	}
	n.addMember(g, p)
	n.dirtyMembers[Membership{Group: g, Peer: p}] = struct{}{}
	return nil
}

func (n *Node) addMember(g GroupID, p PeerID) {
	peers := n.groups[g]
	if peers == nil {
		peers = make(map[PeerID]struct{})
		n.groups[g] = peers
	}
	peers[p] = struct{}{}
}

// RemovePeer removes p from group g and drops every record that would send
// p a message of g (§6.3: messages go only to current members). Removing a
// non-member is a no-op.
func (n *Node) RemovePeer(g GroupID, p PeerID) {
	if !n.IsPeer(g, p) {
		return
	}
	delete(n.groups[g], p)
	if len(n.groups[g]) == 0 {
		delete(n.groups, g)
	}
	n.dirtyMembers[Membership{Group: g, Peer: p}] = struct{}{}
	for id, peers := range n.records {
		if _, ok := peers[p]; !ok {
			continue
		}
		if m, ok := n.messages[id]; ok && m.GroupID == g {
			n.deleteRecord(RecordKey{Message: id, Peer: p})
		}
	}
}

// IsPeer reports whether p is a member of group g.
func (n *Node) IsPeer(g GroupID, p PeerID) bool {
	_, ok := n.groups[g][p]
	return ok
}

// Peers returns the members of g in a deterministic order. The caller owns
// the slice.
func (n *Node) Peers(g GroupID) []PeerID {
	peers := make([]PeerID, 0, len(n.groups[g]))
	for p := range n.groups[g] {
		peers = append(peers, p)
	}
	sortPeers(peers)
	return peers
}

// sharesGroup reports whether p is a member of any group of the node.
func (n *Node) sharesGroup(p PeerID) bool {
	for _, peers := range n.groups {
		if _, ok := peers[p]; ok {
			return true
		}
	}
	return false
}

func sortIDs(ids []MessageID) {
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(ids[i][:], ids[j][:]) < 0 })
}
