package datasync

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/statusnode/statusd/protocol/datasync/pb"
)

// Payload is one MVDS packet to or from one peer (docs/PROTOCOL.md §6.1),
// as a validated domain value: every ID is exactly 32 bytes by type.
type Payload struct {
	Acks     []MessageID
	Offers   []MessageID
	Requests []MessageID
	Messages []Message
}

// IsEmpty reports whether p carries nothing. The node never emits an empty
// payload, and Marshal refuses one.
func (p Payload) IsEmpty() bool {
	return len(p.Acks) == 0 && len(p.Offers) == 0 && len(p.Requests) == 0 && len(p.Messages) == 0
}

// Marshal encodes p in the 2019 numbering. The encoding is deterministic:
// fields in number order, repeated entries in slice order. It fails with
// ErrEmptyPayload for an empty payload.
func (p Payload) Marshal() ([]byte, error) {
	if p.IsEmpty() {
		return nil, ErrEmptyPayload
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(p.toWire())
}

// Size returns len(p.Marshal()) without encoding.
func (p Payload) Size() int {
	n := (len(p.Acks) + len(p.Offers) + len(p.Requests)) * idFieldSize
	for i := range p.Messages {
		n += messageFieldSize(&p.Messages[i])
	}
	return n
}

// idFieldSize is the encoded size of one ID entry: 3-byte tag, 1-byte
// length, 32 bytes.
const idFieldSize = 3 + 1 + IDLength

// messageFieldSize is the encoded size of m as one entry of field 5004.
func messageFieldSize(m *Message) int {
	inner := 3 + 1 + IDLength
	if m.Timestamp != 0 {
		inner += 3 + protowire.SizeVarint(uint64(m.Timestamp))
	}
	if len(m.Body) > 0 {
		inner += 3 + protowire.SizeBytes(len(m.Body))
	}
	return 3 + protowire.SizeBytes(inner)
}

func (p Payload) toWire() *pb.Payload {
	w := &pb.Payload{
		Acks:     idsToWire(p.Acks),
		Offers:   idsToWire(p.Offers),
		Requests: idsToWire(p.Requests),
	}
	if len(p.Messages) > 0 {
		w.Messages = make([]*pb.Message, len(p.Messages))
		for i, m := range p.Messages {
			w.Messages[i] = &pb.Message{GroupId: m.GroupID[:], Timestamp: m.Timestamp, Body: m.Body}
		}
	}
	return w
}

func idsToWire(ids []MessageID) [][]byte {
	if len(ids) == 0 {
		return nil
	}
	out := make([][]byte, len(ids))
	for i := range ids {
		out[i] = ids[i][:]
	}
	return out
}

// Limits bound what DecodePayload accepts. Every limit is checked before the
// memory it guards is allocated.
type Limits struct {
	// MaxPayloadBytes is the largest encoded payload accepted.
	MaxPayloadBytes int
	// MaxIDs is the largest number of entries in each of acks, offers and
	// requests.
	MaxIDs int
	// MaxMessages is the largest number of messages in one payload.
	MaxMessages int
}

// DefaultLimits returns limits matching what fits in one Whisper envelope
// (Status used a 1 MiB maximum message size, docs/PROTOCOL.md §4.4).
func DefaultLimits() Limits {
	return Limits{MaxPayloadBytes: 1 << 20, MaxIDs: 1 << 14, MaxMessages: 1 << 12}
}

// Validate reports a non-positive limit as ErrInvalidConfig.
func (l Limits) Validate() error {
	if l.MaxPayloadBytes <= 0 || l.MaxIDs <= 0 || l.MaxMessages <= 0 {
		return fmt.Errorf("%w: limits must be positive: %+v", ErrInvalidConfig, l)
	}
	return nil
}

// fieldName names a field number for error messages.
func fieldName(num protowire.Number) string {
	switch num {
	case fieldAcks:
		return "acks"
	case fieldOffers:
		return "offers"
	case fieldRequests:
		return "requests"
	case fieldMessages:
		return "messages"
	case fieldGroupID:
		return "group_id"
	case fieldTimestamp:
		return "timestamp"
	case fieldBody:
		return "body"
	}
	return fmt.Sprintf("field %d", num)
}
