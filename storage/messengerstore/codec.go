package messengerstore

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrCorrupt is returned for a stored value its kind's decoder rejects.
var ErrCorrupt = errors.New("messengerstore: corrupt record")

// Encoders return the stored bytes of a record of the current Version;
// decoders read them back. Decoders copy what they keep: the input may be
// an iterator's buffer. Unknown JSON fields are ignored, as they always
// were. Chat, Message, Delivery and Outbox are binary (binary.go).

// EncodeContact encodes a KindContact value.
func EncodeContact(c *Contact) []byte { return encodeJSON(c) }

// DecodeContact decodes a KindContact value.
func DecodeContact(b []byte) (*Contact, error) { return decodeJSON[Contact](KindContact, b) }

// EncodeGroup encodes a KindGroup value.
func EncodeGroup(g *Group) []byte { return encodeJSON(g) }

// DecodeGroup decodes a KindGroup value.
func DecodeGroup(b []byte) (*Group, error) { return decodeJSON[Group](KindGroup, b) }

// KindMVDS values are the status message ID's bytes, KindMeta values are
// the caller's bytes, and KindIndex, KindProcessed and KindNegotiated
// values are empty: they need no codec.

func encodeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Record types hold strings, numbers, bools, byte slices and
		// string-keyed maps only, and DeliveryState always marshals.
		panic(fmt.Sprintf("messengerstore: encode %T: %v", v, err))
	}
	return b
}

func decodeJSON[T any](kind Kind, b []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, kind, err)
	}
	return v, nil
}

// decodeValue decodes a value of any kind into its record (a pointer to a
// record type, or the raw bytes for kinds without a codec).
func decodeValue(kind Kind, b []byte) (any, error) {
	switch kind {
	case KindChat:
		return DecodeChat(b)
	case KindMessage:
		return DecodeMessage(b)
	case KindDelivery:
		return DecodeDelivery(b)
	case KindContact:
		return DecodeContact(b)
	case KindGroup:
		return DecodeGroup(b)
	case KindOutbox:
		return DecodeOutbox(b)
	case KindMVDS, KindMeta, KindIndex, KindProcessed, KindNegotiated:
		return append([]byte{}, b...), nil
	}
	return nil, fmt.Errorf("%w: unknown kind %s", ErrCorrupt, kind)
}

// encodeValue is the inverse of decodeValue.
func encodeValue(rec any) []byte {
	switch r := rec.(type) {
	case *Chat:
		return EncodeChat(r)
	case *Message:
		return EncodeMessage(r)
	case *Delivery:
		return EncodeDelivery(r)
	case *Contact:
		return EncodeContact(r)
	case *Group:
		return EncodeGroup(r)
	case *Outbox:
		return EncodeOutbox(r)
	case []byte:
		return r
	}
	panic(fmt.Sprintf("messengerstore: no encoder for %T", rec))
}
