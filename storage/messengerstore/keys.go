package messengerstore

import (
	"encoding/binary"
	"fmt"
)

// TableName is the storage table the messenger's records live in.
const TableName = "messenger"

// Kind is a record kind: the first byte of its keys (see doc.go). Values
// are persisted; never reuse one.
type Kind byte

// Record kinds.
const (
	KindChat       Kind = 'c'
	KindMessage    Kind = 'm'
	KindIndex      Kind = 'i'
	KindProcessed  Kind = 't'
	KindDelivery   Kind = 'd'
	KindMVDS       Kind = 'x'
	KindContact    Kind = 'k'
	KindGroup      Kind = 'g'
	KindNegotiated Kind = 'n'
	KindOutbox     Kind = 'o'
	KindMeta       Kind = 'v'
)

// Kinds lists every record kind.
var Kinds = []Kind{KindChat, KindMessage, KindIndex, KindProcessed, KindDelivery, KindMVDS,
	KindContact, KindGroup, KindNegotiated, KindOutbox, KindMeta}

func (k Kind) String() string {
	switch k {
	case KindChat:
		return "chat"
	case KindMessage:
		return "message"
	case KindIndex:
		return "index"
	case KindProcessed:
		return "processed"
	case KindDelivery:
		return "delivery"
	case KindMVDS:
		return "mvds"
	case KindContact:
		return "contact"
	case KindGroup:
		return "group"
	case KindNegotiated:
		return "negotiated"
	case KindOutbox:
		return "outbox"
	case KindMeta:
		return "meta"
	}
	return fmt.Sprintf("Kind(%#x)", byte(k))
}

// MetaInstallation is the meta name of this node's installation ID.
const MetaInstallation = "installation-id"

// OutgoingStatusMeta is the meta name of the outgoing status a frontend
// set on message id (status-go v0.35's shhext_updateMessageOutgoingStatus
// and shhext_saveMessages): "outgoing-status/" ‖ id; the value is the
// status string exactly as given. It is kept apart from the message record
// (and from the messenger's own delivery state) and removed with the
// message by DeleteMessage.
func OutgoingStatusMeta(id string) string { return "outgoing-status/" + id }

// Key returns kind ‖ id, the key of every kind but KindIndex and KindMVDS
// (which have their own functions). The result is a new slice.
func Key(kind Kind, id string) []byte {
	k := make([]byte, 0, 1+len(id))
	return append(append(k, byte(kind)), id...)
}

// MVDSKey is "x" ‖ the 32-byte MVDS message ID.
func MVDSKey(mvdsID [32]byte) []byte { return append([]byte{byte(KindMVDS)}, mvdsID[:]...) }

// IndexPrefix is "i" ‖ BE16 len(chatID) ‖ chatID: the prefix of one chat's
// index entries. Chat IDs longer than 65535 bytes are not supported.
func IndexPrefix(chatID string) []byte {
	k := make([]byte, 0, 3+len(chatID))
	k = append(k, byte(KindIndex))
	k = binary.BigEndian.AppendUint16(k, uint16(len(chatID)))
	return append(k, chatID...)
}

// IndexPosition is BE64(^clock) ‖ message ID, the part of an index key
// after IndexPrefix: ascending positions give the newest message (highest
// clock) first; equal clocks order by ID.
func IndexPosition(clock int64, id string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, ^uint64(clock)), id...)
}

// IndexKey is IndexPrefix(chatID) ‖ IndexPosition(clock, id).
func IndexKey(chatID string, clock int64, id string) []byte {
	return append(IndexPrefix(chatID), IndexPosition(clock, id)...)
}

// positionLen is the length of the clock part of an index position.
const positionLen = 8
