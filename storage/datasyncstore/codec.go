package datasyncstore

import (
	"encoding/binary"
	"fmt"

	"github.com/statusnode/statusd/protocol/datasync"
)

// Key prefixes (see doc.go).
const (
	prefixEpoch   = 'e'
	prefixRecord  = 'r'
	prefixMessage = 'm'
	prefixMember  = 'g'
	prefixPending = 'p'
)

const (
	recordKeyLen   = 1 + datasync.PeerIDLength + datasync.IDLength
	recordValueLen = 1 + 8 + 8
	messageKeyLen  = 1 + datasync.IDLength
	messageHdrLen  = datasync.IDLength + 8
	memberKeyLen   = 1 + datasync.IDLength + datasync.PeerIDLength
	pendingKeyLen  = 1 + datasync.IDLength
)

var epochKey = []byte{prefixEpoch}

func recordKey(k datasync.RecordKey) []byte {
	b := make([]byte, 0, recordKeyLen)
	b = append(b, prefixRecord)
	b = append(b, k.Peer[:]...)
	return append(b, k.Message[:]...)
}

func encodeRecord(r datasync.Record) []byte {
	b := make([]byte, recordValueLen)
	b[0] = byte(r.Type)
	binary.BigEndian.PutUint64(b[1:9], r.SendCount)
	binary.BigEndian.PutUint64(b[9:17], r.SendEpoch)
	return b
}

func decodeRecord(key, val []byte) (datasync.RecordEntry, error) {
	var e datasync.RecordEntry
	if len(key) != recordKeyLen || len(val) != recordValueLen {
		return e, fmt.Errorf("%w: record of %d/%d bytes", ErrCorrupt, len(key), len(val))
	}
	copy(e.Key.Peer[:], key[1:1+datasync.PeerIDLength])
	copy(e.Key.Message[:], key[1+datasync.PeerIDLength:])
	e.Record = datasync.Record{
		Type:      datasync.RecordType(val[0]),
		SendCount: binary.BigEndian.Uint64(val[1:9]),
		SendEpoch: binary.BigEndian.Uint64(val[9:17]),
	}
	return e, nil
}

func messageKey(id datasync.MessageID) []byte {
	return append([]byte{prefixMessage}, id[:]...)
}

func encodeMessage(m datasync.Message) []byte {
	b := make([]byte, messageHdrLen, messageHdrLen+len(m.Body))
	copy(b, m.GroupID[:])
	binary.BigEndian.PutUint64(b[datasync.IDLength:], uint64(m.Timestamp))
	return append(b, m.Body...)
}

// decodeMessage parses a message row and checks that its key is its ID.
// The body is copied: val belongs to the iterator.
func decodeMessage(key, val []byte) (datasync.Message, error) {
	var m datasync.Message
	if len(key) != messageKeyLen || len(val) < messageHdrLen {
		return m, fmt.Errorf("%w: message of %d/%d bytes", ErrCorrupt, len(key), len(val))
	}
	copy(m.GroupID[:], val)
	m.Timestamp = int64(binary.BigEndian.Uint64(val[datasync.IDLength:]))
	m.Body = append([]byte{}, val[messageHdrLen:]...)
	if id := m.ID(); string(id[:]) != string(key[1:]) {
		return m, fmt.Errorf("%w: message %x… does not hash to its key", ErrCorrupt, key[1:5])
	}
	return m, nil
}

// releasedValueLen is the size of a released message's row: its release
// time. A message row with a body is at least messageHdrLen long.
const releasedValueLen = 8

// isReleased reports whether a message row's value is that of a released
// message.
func isReleased(val []byte) bool { return len(val) == releasedValueLen }

// encodeReleased is the value of a released message's row: the release
// time, Unix seconds (8 BE, two's complement).
func encodeReleased(at int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(at))
}

// decodeReleased reads a released message's row.
func decodeReleased(key, val []byte) (datasync.Released, error) {
	var r datasync.Released
	if len(key) != messageKeyLen || !isReleased(val) {
		return r, fmt.Errorf("%w: released message of %d/%d bytes", ErrCorrupt, len(key), len(val))
	}
	copy(r.ID[:], key[1:])
	r.At = int64(binary.BigEndian.Uint64(val))
	return r, nil
}

func memberKey(mb datasync.Membership) []byte {
	b := make([]byte, 0, memberKeyLen)
	b = append(b, prefixMember)
	b = append(b, mb.Group[:]...)
	return append(b, mb.Peer[:]...)
}

func decodeMember(key []byte) (datasync.Membership, error) {
	var mb datasync.Membership
	if len(key) != memberKeyLen {
		return mb, fmt.Errorf("%w: membership key of %d bytes", ErrCorrupt, len(key))
	}
	copy(mb.Group[:], key[1:1+datasync.IDLength])
	copy(mb.Peer[:], key[1+datasync.IDLength:])
	return mb, nil
}

func pendingKey(id datasync.MessageID) []byte {
	return append([]byte{prefixPending}, id[:]...)
}

// encodePending is the value of a pending mark: the sender's peer ID.
func encodePending(from datasync.PeerID) []byte { return from[:] }

// decodePending reads a pending mark. An empty value (format 1 before
// senders were recorded) gives the zero PeerID.
func decodePending(key, value []byte) (datasync.MessageID, datasync.PeerID, error) {
	var id datasync.MessageID
	var from datasync.PeerID
	if len(key) != pendingKeyLen {
		return id, from, fmt.Errorf("%w: pending key of %d bytes", ErrCorrupt, len(key))
	}
	if len(value) != 0 && len(value) != datasync.PeerIDLength {
		return id, from, fmt.Errorf("%w: pending value of %d bytes", ErrCorrupt, len(value))
	}
	copy(id[:], key[1:])
	copy(from[:], value)
	return id, from, nil
}
