package mailserver

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/statusnode/statusd/protocol/whisper"
)

// MessagesRequest is a form (B) request (docs/PROTOCOL.md §4.5): the body of
// a code-126 packet, unencrypted and unsigned, as status-im/whisper ≥ v1.5
// and status-protocol-go send it. ID is the request ID the completion
// carries back; status-protocol-go fills it with the 32 ASCII hex characters
// of a random UUID.
type MessagesRequest struct {
	ID     common.Hash
	From   uint32 // inclusive, Unix seconds
	To     uint32 // inclusive, Unix seconds
	Limit  uint32 // ≤ MaxDirectLimit; 0 means MaxDirectLimit
	Cursor *Cursor
	Bloom  whisper.Bloom
}

// messagesRequestWire is [ID, From, To, Limit, Cursor, Bloom].
type messagesRequestWire struct {
	ID     []byte
	From   uint32
	To     uint32
	Limit  uint32
	Cursor []byte
	Bloom  []byte
}

// EncodeMessagesRequest returns the code-126 body of m.
func EncodeMessagesRequest(m *MessagesRequest) []byte {
	b, err := rlp.EncodeToBytes(&messagesRequestWire{
		ID: m.ID[:], From: m.From, To: m.To, Limit: m.Limit,
		Cursor: cursorBytes(m.Cursor), Bloom: m.Bloom[:],
	})
	if err != nil {
		panic("mailserver: encoding a fixed struct failed: " + err.Error()) // unreachable
	}
	return b
}

// DecodeMessagesRequest decodes a form (B) body: exactly six elements, a
// 32-byte ID, a cursor of 0 or 36 bytes and a 64-byte bloom. The length is
// checked against MaxDirectRequestSize first. It does not validate the
// values; Request does.
func DecodeMessagesRequest(b []byte) (*MessagesRequest, error) {
	if len(b) > MaxDirectRequestSize {
		return nil, fmt.Errorf("%w: %d bytes > %d", ErrRequestTooLarge, len(b), MaxDirectRequestSize)
	}
	var w messagesRequestWire
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRequestMalformed, err)
	}
	if len(w.ID) != RequestIDLength {
		return nil, fmt.Errorf("%w: ID of %d bytes", ErrRequestMalformed, len(w.ID))
	}
	if len(w.Bloom) != whisper.BloomFilterSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrInvalidBloom, len(w.Bloom))
	}
	if len(w.Cursor) != 0 && len(w.Cursor) != CursorLength {
		return nil, fmt.Errorf("%w: %d bytes in a messages request", ErrInvalidCursor, len(w.Cursor))
	}
	c, err := ParseCursor(w.Cursor)
	if err != nil {
		return nil, err
	}
	m := &MessagesRequest{From: w.From, To: w.To, Limit: w.Limit, Cursor: c}
	copy(m.ID[:], w.ID)
	copy(m.Bloom[:], w.Bloom)
	return m, nil
}

// Request validates m as status-im/whisper does (From ≤ To, Limit ≤
// MaxDirectLimit, a non-empty bloom) and returns it as a Request with Limit
// 0 replaced by MaxDirectLimit and Batch set.
func (m *MessagesRequest) Request() (*Request, error) {
	if m.From > m.To {
		return nil, fmt.Errorf("%w: from %d > to %d", ErrInvalidRange, m.From, m.To)
	}
	if m.Limit > MaxDirectLimit {
		return nil, fmt.Errorf("%w: %d > %d", ErrInvalidLimit, m.Limit, MaxDirectLimit)
	}
	if m.Bloom.IsEmpty() {
		return nil, fmt.Errorf("%w: empty bloom", ErrInvalidBloom)
	}
	limit := m.Limit
	if limit == 0 {
		limit = MaxDirectLimit
	}
	return &Request{
		ID: m.ID, Form: FormDirect, Lower: m.From, Upper: m.To,
		Bloom: m.Bloom, Limit: limit, Cursor: m.Cursor, Batch: true,
	}, nil
}
