package datasync

import (
	"bytes"
	"fmt"
	"sort"
)

// RecordType is what a send record sends (docs/PROTOCOL.md §6.3). The values
// are those of vacp2p/mvds; append-only.
type RecordType uint8

const (
	RecordOffer   RecordType = 0 // send the ID in offers
	RecordRequest RecordType = 1 // send the ID in requests
	RecordMessage RecordType = 2 // send the stored message in messages
)

// String returns the type's name.
func (t RecordType) String() string {
	switch t {
	case RecordOffer:
		return "OFFER"
	case RecordRequest:
		return "REQUEST"
	case RecordMessage:
		return "MESSAGE"
	}
	return fmt.Sprintf("RecordType(%d)", uint8(t))
}

// RecordKey names a send record: one per (message, peer).
type RecordKey struct {
	Message MessageID
	Peer    PeerID
}

// Record is the send state of one (message, peer) pair (§6.3). A record
// exists until the peer acknowledges the message (or shows it has it); it is
// sent whenever SendEpoch ≤ the node's epoch.
type Record struct {
	Type      RecordType
	SendCount uint64 // sends so far
	SendEpoch uint64 // epoch of the next send
}

// RecordEntry is a record with its key, as persisted.
type RecordEntry struct {
	Key    RecordKey
	Record Record
}

// Membership states that Peer is a member of Group.
type Membership struct {
	Group GroupID
	Peer  PeerID
}

// Snapshot is the whole persistent state of a node. RestartNode rebuilds a
// node from it; Store.Load returns it.
type Snapshot struct {
	Epoch    uint64
	Records  []RecordEntry
	Messages []Message // every message the node has stored with its body, appended or received
	// Released are the messages whose body the node dropped
	// (Node.Release), with their release time: known, for dedupe, but no
	// longer sendable, until Node.ForgetReleased. Listed by ID.
	Released []Released
	Members  []Membership
}

// Changes is the delta to persist from one Ready. Applying every Changes in
// Ready order to an empty Snapshot yields the node's current Snapshot. A
// store applies one Changes atomically.
type Changes struct {
	// Epoch is the node's epoch; it is meaningful when EpochChanged.
	Epoch        uint64
	EpochChanged bool

	PutRecords    []RecordEntry // insert or replace, by key
	DeleteRecords []RecordKey   // delete if present
	// PutMessages are new messages, never changed once stored. A
	// message the node forgot (Node.ForgetReleased) and then received
	// again is put again: the store replaces its released row with it
	// (the node then leaves the ID out of this Changes' ForgetMessages).
	PutMessages []Message
	// ReleaseMessages drops the bodies of these stored messages and keeps
	// their IDs with their release time (Node.Release). A store applies it
	// after PutMessages: a message put and released in one Changes ends up
	// released.
	ReleaseMessages []Released
	// ForgetMessages deletes these released IDs (Node.ForgetReleased). A
	// store applies it last: an ID released and forgotten in one Changes
	// ends up unknown. An ID the node forgot and then stored again before
	// this Changes was collected is left out (PutMessages replaces its
	// row).
	ForgetMessages []MessageID
	AddMembers     []Membership
	RemoveMembers  []Membership
}

// IsEmpty reports whether c changes nothing.
func (c *Changes) IsEmpty() bool {
	return !c.EpochChanged && len(c.PutRecords) == 0 && len(c.DeleteRecords) == 0 &&
		len(c.PutMessages) == 0 && len(c.ReleaseMessages) == 0 && len(c.ForgetMessages) == 0 && len(c.AddMembers) == 0 && len(c.RemoveMembers) == 0
}

// compareKeys orders record keys by peer, then message ID.
func compareKeys(a, b RecordKey) int {
	if c := bytes.Compare(a.Peer[:], b.Peer[:]); c != 0 {
		return c
	}
	return bytes.Compare(a.Message[:], b.Message[:])
}

func compareMembership(a, b Membership) int {
	if c := bytes.Compare(a.Group[:], b.Group[:]); c != 0 {
		return c
	}
	return bytes.Compare(a.Peer[:], b.Peer[:])
}

func sortKeys(keys []RecordKey) {
	sort.Slice(keys, func(i, j int) bool { return compareKeys(keys[i], keys[j]) < 0 })
}

func sortPeers(peers []PeerID) {
	sort.Slice(peers, func(i, j int) bool { return bytes.Compare(peers[i][:], peers[j][:]) < 0 })
}

func sortMemberships(ms []Membership) {
	sort.Slice(ms, func(i, j int) bool { return compareMembership(ms[i], ms[j]) < 0 })
}
