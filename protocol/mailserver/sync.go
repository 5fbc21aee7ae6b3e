package mailserver

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/statusnode/statusd/protocol/whisper"
)

// Mailserver-to-mailserver sync (docs/PROTOCOL.md §4.5): a mailserver asks
// another for a range of its archive with a P2P Sync Request (code 123);
// the other answers with P2P Sync Responses (code 124) carrying envelopes,
// the last one with Final set and the cursor of the next page, or one
// carrying an error text. Both are plain RLP, as status-im/whisper v1.6
// sends them.

// Sync limits (§4.5).
const (
	// MaxSyncLimit is the largest Limit of a SyncRequest
	// (status-im/whisper's MaxLimitInSyncMailRequest).
	MaxSyncLimit uint32 = 1000
	// MaxSyncRequestSize bounds an encoded SyncRequest: two uint32s, a
	// bloom, a uint32 and a cursor of up to LegacyCursorLength, with RLP
	// headers.
	MaxSyncRequestSize = 256
	// syncResponseOverhead is the RLP around a response's envelope list:
	// list headers, a cursor, the final flag and an empty error text.
	syncResponseOverhead = 3*listHeaderMax + 1 + CursorLength + 1
)

// SyncRequest is the body of a code-123 packet: the archive range
// [Lower, Upper] (Unix seconds, inclusive) of the envelopes matching Bloom,
// at most Limit of them, after Cursor.
type SyncRequest struct {
	Lower, Upper uint32
	Bloom        whisper.Bloom
	Limit        uint32
	Cursor       *Cursor
}

// syncRequestWire is [Lower, Upper, Bloom, Limit, Cursor].
type syncRequestWire struct {
	Lower  uint32
	Upper  uint32
	Bloom  []byte
	Limit  uint32
	Cursor []byte
}

// EncodeSyncRequest returns the code-123 body of r.
func EncodeSyncRequest(r *SyncRequest) []byte {
	b, err := rlp.EncodeToBytes(&syncRequestWire{
		Lower: r.Lower, Upper: r.Upper, Bloom: r.Bloom[:], Limit: r.Limit, Cursor: cursorBytes(r.Cursor),
	})
	if err != nil {
		panic("mailserver: encoding a fixed struct failed: " + err.Error()) // unreachable
	}
	return b
}

// DecodeSyncRequest decodes a code-123 body after checking its size
// against MaxSyncRequestSize: five elements, a 64-byte bloom (an empty one
// is read as the full bloom, status-go's default) and a cursor of 0, 36 or
// 40 bytes (status-go's archive key; its first 36 bytes are the cursor).
// It does not validate the values; Check does.
func DecodeSyncRequest(b []byte) (*SyncRequest, error) {
	if len(b) > MaxSyncRequestSize {
		return nil, fmt.Errorf("%w: sync request of %d bytes > %d", ErrRequestTooLarge, len(b), MaxSyncRequestSize)
	}
	var w syncRequestWire
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRequestMalformed, err)
	}
	r := &SyncRequest{Lower: w.Lower, Upper: w.Upper, Limit: w.Limit}
	switch len(w.Bloom) {
	case 0:
		r.Bloom = whisper.FullBloom()
	case whisper.BloomFilterSize:
		copy(r.Bloom[:], w.Bloom)
	default:
		return nil, fmt.Errorf("%w: %d bytes", ErrInvalidBloom, len(w.Bloom))
	}
	if len(w.Cursor) == LegacyCursorLength {
		w.Cursor = w.Cursor[:CursorLength]
	}
	c, err := ParseCursor(w.Cursor)
	if err != nil {
		return nil, err
	}
	r.Cursor = c
	return r, nil
}

// Check validates r as status-im/whisper's SyncMailRequest.Validate:
// 0 < Limit ≤ MaxSyncLimit and Lower ≤ Upper.
func (r *SyncRequest) Check() error {
	if r.Limit == 0 || r.Limit > MaxSyncLimit {
		return fmt.Errorf("%w: %d, want 1 to %d", ErrInvalidLimit, r.Limit, MaxSyncLimit)
	}
	if r.Lower > r.Upper {
		return fmt.Errorf("%w: lower %d > upper %d", ErrInvalidRange, r.Lower, r.Upper)
	}
	return nil
}

// SyncResponse is the body of a code-124 packet.
type SyncResponse struct {
	Envelopes []*whisper.Envelope
	Cursor    *Cursor // the next page, on the final response
	Final     bool    // every envelope of the request was sent
	Error     string  // the request failed; ends the sync
}

// Done reports whether r ends its request: final, or failed.
func (r *SyncResponse) Done() bool { return r.Final || r.Error != "" }

// syncResponseWire is [[envelope…], Cursor, Final, Error].
type syncResponseWire struct {
	Envelopes []rlp.RawValue
	Cursor    []byte
	Final     bool
	Error     string
}

// EncodeSyncResponse returns the code-124 body of r; the error text is cut
// to MaxErrorTextLength bytes. The caller keeps the body within the peer's
// max message size (SyncBodies does for envelopes).
func EncodeSyncResponse(r *SyncResponse) []byte {
	w := syncResponseWire{Cursor: cursorBytes(r.Cursor), Final: r.Final, Error: errorText(r.Error)}
	for _, e := range r.Envelopes {
		w.Envelopes = append(w.Envelopes, e.AppendRLP(nil))
	}
	b, err := rlp.EncodeToBytes(&w)
	if err != nil {
		panic("mailserver: encoding a fixed struct failed: " + err.Error()) // unreachable
	}
	return b
}

// SyncBodies packs envs into non-final code-124 bodies of at most maxSize
// bytes each, in order. Envelopes that cannot fit in a body on their own
// are skipped and counted in skipped.
func SyncBodies(envs []*whisper.Envelope, maxSize uint32) (bodies [][]byte, skipped int) {
	var open []rlp.RawValue
	size := 0
	flush := func() {
		b, err := rlp.EncodeToBytes(&syncResponseWire{Envelopes: open})
		if err != nil {
			panic("mailserver: encoding a fixed struct failed: " + err.Error()) // unreachable
		}
		bodies = append(bodies, b)
		open, size = nil, 0
	}
	for _, e := range envs {
		raw := e.AppendRLP(nil)
		if uint64(len(raw)+syncResponseOverhead) > uint64(maxSize) {
			skipped++
			continue
		}
		if len(open) > 0 && uint64(size+len(raw)+syncResponseOverhead) > uint64(maxSize) {
			flush()
		}
		open = append(open, raw)
		size += len(raw)
	}
	if len(open) > 0 {
		flush()
	}
	return bodies, skipped
}

// ErrSyncResponseMalformed is a code-124 body that does not decode.
var ErrSyncResponseMalformed = errors.New("mailserver: malformed sync response")

// DecodeSyncResponse decodes a code-124 body of at most maxSize bytes (the
// router's max message size): each envelope is decoded and checked as
// whisper.DecodeEnvelope does, the cursor is 0, 36 or 40 bytes (the first
// 36 kept) and the error text at most MaxErrorTextLength bytes.
func DecodeSyncResponse(b []byte, maxSize uint32) (*SyncResponse, error) {
	if uint64(len(b)) > uint64(maxSize)+syncResponseOverhead {
		return nil, fmt.Errorf("%w: %d bytes > %d", ErrSyncResponseMalformed, len(b), maxSize)
	}
	var w syncResponseWire
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyncResponseMalformed, err)
	}
	if len(w.Error) > MaxErrorTextLength {
		return nil, fmt.Errorf("%w: error text of %d bytes", ErrSyncResponseMalformed, len(w.Error))
	}
	if len(w.Cursor) == LegacyCursorLength {
		w.Cursor = w.Cursor[:CursorLength]
	}
	c, err := ParseCursor(w.Cursor)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyncResponseMalformed, err)
	}
	r := &SyncResponse{Cursor: c, Final: w.Final, Error: w.Error}
	for i, raw := range w.Envelopes {
		e, err := whisper.DecodeEnvelope(raw, maxSize)
		if err != nil {
			return nil, fmt.Errorf("%w: envelope %d: %w", ErrSyncResponseMalformed, i, err)
		}
		r.Envelopes = append(r.Envelopes, e)
	}
	return r, nil
}
