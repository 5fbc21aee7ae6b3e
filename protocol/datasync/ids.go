package datasync

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/sha3"
)

// MessageID identifies an MVDS message: SHA-256 over "MESSAGE_ID" ‖ group ‖
// LE64(timestamp) ‖ body (docs/PROTOCOL.md §6.2).
type MessageID [IDLength]byte

// GroupID identifies a synchronisation group (§6.2). For a Status 1:1 chat
// it is OneToOneGroupID of the two keys.
type GroupID [IDLength]byte

// PeerID is a peer's uncompressed secp256k1 public key, 0x04‖X‖Y (§6.2).
type PeerID [PeerIDLength]byte

// String returns the ID in lower-case hex.
func (id MessageID) String() string { return hex.EncodeToString(id[:]) }

// String returns the ID in lower-case hex.
func (g GroupID) String() string { return hex.EncodeToString(g[:]) }

// String returns a short fingerprint (the first 8 bytes of X in hex), enough
// for logs; public keys are not secret but full keys make logs unreadable.
func (p PeerID) String() string { return hex.EncodeToString(p[1:9]) }

// Message is one synchronised message (§6.1). Body is owned by the Message;
// the node never modifies it after Append or Step.
type Message struct {
	GroupID   GroupID
	Timestamp int64 // Unix seconds at append time (§6.1)
	Body      []byte
}

// Delivery is a message handed to the application together with the peer
// it was received from. The node does not produce it (Ready.Deliver holds
// bare messages); the driver attaches the sender and the store keeps it with
// the pending mark, so a redelivery after a crash still names the sender.
// From is the zero PeerID when the sender is unknown (a pending mark
// written before senders were recorded).
type Delivery struct {
	From PeerID
	Message
}

// ID computes the message's ID (§6.2).
func (m Message) ID() MessageID {
	return ComputeMessageID(m.GroupID, m.Timestamp, m.Body)
}

// ComputeMessageID returns SHA-256("MESSAGE_ID" ‖ group ‖ LE64(timestamp) ‖
// body) (§6.2; the integer encoding is that of vacp2p/mvds).
func ComputeMessageID(group GroupID, timestamp int64, body []byte) MessageID {
	h := sha256.New()
	h.Write([]byte(messageIDPrefix))
	h.Write(group[:])
	var ts [8]byte
	binary.LittleEndian.PutUint64(ts[:], uint64(timestamp))
	h.Write(ts[:])
	h.Write(body)
	var id MessageID
	h.Sum(id[:0])
	return id
}

// Compress returns the 33-byte compressed form of p (0x02/0x03 by the parity
// of Y, then X). It fails with ErrInvalidKey if p does not start with 0x04.
// It does not check that p is on the curve: the transport layer that
// authenticated the peer has done so.
func (p PeerID) Compress() ([CompressedKeyLength]byte, error) {
	var c [CompressedKeyLength]byte
	if p[0] != 0x04 {
		return c, fmt.Errorf("%w: prefix %#x, want 0x04", ErrInvalidKey, p[0])
	}
	c[0] = 0x02 | (p[PeerIDLength-1] & 1)
	copy(c[1:], p[1:33])
	return c, nil
}

// OneToOneGroupID returns the group ID Status uses for the 1:1 chat between
// a and b: keccak256(compressed(first) ‖ compressed(second)), where first is
// the key with the smaller X coordinate; on equal X, b goes first, as in
// status-protocol-go (§6.2). Keccak is the legacy Ethereum one (§0). The
// result does not depend on the argument order for distinct keys.
func OneToOneGroupID(a, b PeerID) (GroupID, error) {
	ca, err := a.Compress()
	if err != nil {
		return GroupID{}, err
	}
	cb, err := b.Compress()
	if err != nil {
		return GroupID{}, err
	}
	first, second := cb, ca
	if bytes.Compare(ca[1:], cb[1:]) < 0 {
		first, second = ca, cb
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(first[:])
	h.Write(second[:])
	var g GroupID
	h.Sum(g[:0])
	return g, nil
}

// ParsePeerID converts a 65-byte uncompressed public key to a PeerID.
func ParsePeerID(b []byte) (PeerID, error) {
	var p PeerID
	if len(b) != PeerIDLength || b[0] != 0x04 {
		return p, fmt.Errorf("%w: %d bytes", ErrInvalidKey, len(b))
	}
	copy(p[:], b)
	return p, nil
}
