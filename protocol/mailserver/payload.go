package mailserver

import (
	"encoding/binary"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/statusnode/statusd/protocol/whisper"
)

// RequestPayload is the decrypted payload of a form (A) request envelope
// (docs/PROTOCOL.md §4.5), as the client writes it: Upper 0 and Limit 0 are
// left for the server to default. Bloom is the OR of the wanted topics'
// blooms; Batch asks for lists of envelopes in code-127 packets.
type RequestPayload struct {
	Lower  uint32
	Upper  uint32
	Bloom  whisper.Bloom
	Limit  uint32
	Cursor *Cursor
	Batch  bool
}

// payloadWire is the wire shape [Lower, Upper, Bloom, Limit, Cursor, Batch]
// as written: all six elements, as status-go servers decode it.
type payloadWire struct {
	Lower  uint32
	Upper  uint32
	Bloom  []byte
	Limit  uint32
	Cursor []byte
	Batch  bool
}

// payloadRLP is the same shape as read: Batch is optional on input, because
// the Dec 2019 spec documents only the first five elements.
type payloadRLP struct {
	Lower  uint32
	Upper  uint32
	Bloom  []byte
	Limit  uint32
	Cursor []byte
	Batch  bool `rlp:"optional"`
}

// EncodeRequestPayload returns the RLP payload, always with all six
// elements (what status-go servers decode).
func EncodeRequestPayload(p *RequestPayload) []byte {
	w := payloadWire{
		Lower: p.Lower, Upper: p.Upper, Bloom: p.Bloom[:],
		Limit: p.Limit, Cursor: cursorBytes(p.Cursor), Batch: p.Batch,
	}
	b, err := rlp.EncodeToBytes(&w)
	if err != nil {
		panic("mailserver: encoding a fixed struct failed: " + err.Error()) // unreachable
	}
	return b
}

// EncodeLegacyPayload returns the legacy binary payload Lower ‖ Upper ‖
// Bloom ‖ Limit [‖ Cursor], the cursor in its 40-byte DB-key shape with a
// zero topic. Batch cannot be expressed and is dropped.
func EncodeLegacyPayload(p *RequestPayload) []byte {
	out := make([]byte, 0, legacyMaxLength)
	out = binary.BigEndian.AppendUint32(out, p.Lower)
	out = binary.BigEndian.AppendUint32(out, p.Upper)
	out = append(out, p.Bloom[:]...)
	out = binary.BigEndian.AppendUint32(out, p.Limit)
	if p.Cursor != nil {
		out = p.Cursor.AppendBytes(out)
		out = append(out, make([]byte, whisper.TopicLength)...)
	}
	return out
}

// DecodeRequestPayload decodes a form (A) payload as servers do: RLP first,
// then the legacy binary form (§4.5). It reports which form it was. The
// length is checked against MaxPayloadSize before anything is decoded.
func DecodeRequestPayload(b []byte) (*RequestPayload, Form, error) {
	if len(b) > MaxPayloadSize {
		return nil, 0, fmt.Errorf("%w: payload of %d bytes > %d", ErrRequestTooLarge, len(b), MaxPayloadSize)
	}
	if p, err := decodeRLPPayload(b); err == nil {
		return p, FormEnvelope, nil
	}
	p, err := decodeLegacyPayload(b)
	if err != nil {
		return nil, 0, err
	}
	return p, FormLegacy, nil
}

func decodeRLPPayload(b []byte) (*RequestPayload, error) {
	var w payloadRLP
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRequestMalformed, err)
	}
	if len(w.Bloom) != whisper.BloomFilterSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrInvalidBloom, len(w.Bloom))
	}
	var bloom whisper.Bloom
	copy(bloom[:], w.Bloom)
	if len(w.Cursor) != 0 && len(w.Cursor) != CursorLength {
		return nil, fmt.Errorf("%w: %d bytes in an RLP request", ErrInvalidCursor, len(w.Cursor))
	}
	c, err := ParseCursor(w.Cursor)
	if err != nil {
		return nil, err
	}
	return &RequestPayload{
		Lower: w.Lower, Upper: w.Upper, Bloom: bloom,
		Limit: w.Limit, Cursor: c, Batch: w.Batch,
	}, nil
}

// decodeLegacyPayload reads Lower ‖ Upper [‖ Bloom(64) [‖ Limit(4) [‖
// Cursor(40)]]]; an 8-byte payload means the full bloom. A part that is cut
// short is ignored, as status-go does; bytes past the cursor are an error.
func decodeLegacyPayload(b []byte) (*RequestPayload, error) {
	if len(b) < legacyMinLength {
		return nil, fmt.Errorf("%w: legacy payload of %d bytes < %d", ErrRequestMalformed, len(b), legacyMinLength)
	}
	if len(b) > legacyMaxLength {
		return nil, fmt.Errorf("%w: legacy payload of %d bytes > %d", ErrRequestMalformed, len(b), legacyMaxLength)
	}
	p := &RequestPayload{
		Lower: binary.BigEndian.Uint32(b),
		Upper: binary.BigEndian.Uint32(b[4:]),
		Bloom: whisper.FullBloom(),
	}
	if len(b) >= legacyBloomEnd {
		copy(p.Bloom[:], b[legacyMinLength:legacyBloomEnd])
	}
	if len(b) >= legacyLimitEnd {
		p.Limit = binary.BigEndian.Uint32(b[legacyBloomEnd:])
	}
	if len(b) == legacyMaxLength {
		c, err := ParseCursor(b[legacyLimitEnd:])
		if err != nil {
			return nil, err
		}
		p.Cursor = c
	}
	return p, nil
}
