package whisper

import (
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// Envelope is a Whisper v6 envelope, RLP [Expiry, TTL, Topic, Data, Nonce]
// (docs/PROTOCOL.md §5.3). It is a plain value: nothing is cached, so fields
// may be changed freely (Hash and PoW are recomputed on each call). Data is
// owned by the envelope; DecodeEnvelope never aliases its input.
type Envelope struct {
	Expiry uint32 // Unix seconds; sent time + TTL (+ WorkTime when PoW < 0)
	TTL    uint32 // seconds
	Topic  Topic
	Data   []byte // sealed message (§5.6)
	Nonce  uint64 // proof-of-work nonce (§5.4)
}

// maxEnvelopeRLPOverhead bounds len(RLP) − len(Data): list header 4, expiry
// 5, TTL 5, topic 5, data header 4, nonce 9.
const maxEnvelopeRLPOverhead = 32

// Size is the size used for limits and for the sealing target: 20 +
// len(Data) (§5.3).
func (e *Envelope) Size() int {
	return EnvelopeHeaderLength + len(e.Data)
}

// Sent is the claimed send time, Expiry − TTL (uint32 arithmetic, as peers do).
func (e *Envelope) Sent() uint32 {
	return e.Expiry - e.TTL
}

// Bloom is the bloom of the envelope's topic (§5.7).
func (e *Envelope) Bloom() Bloom {
	return TopicToBloom(e.Topic)
}

// Hash is the envelope ID: keccak256 of its full RLP encoding (§5.3).
// The encoding is streamed into a pooled keccak state, not built.
func (e *Envelope) Hash() common.Hash {
	var h common.Hash
	e.hashSum((*[32]byte)(&h))
	return h
}

// Expired reports whether Expiry is before now (§5.8).
func (e *Envelope) Expired(now time.Time) bool {
	return int64(e.Expiry) < now.Unix()
}

// AppendRLP appends the full RLP encoding of e to dst.
func (e *Envelope) AppendRLP(dst []byte) []byte {
	return e.appendRLP(dst, true)
}

// RLPWithoutNonce returns RLP([Expiry, TTL, Topic, Data]), the PoW input
// prefix (§5.4).
func (e *Envelope) RLPWithoutNonce() []byte {
	return e.appendRLP(nil, false)
}

func (e *Envelope) appendRLP(dst []byte, withNonce bool) []byte {
	content := rlp.IntSize(uint64(e.Expiry)) + rlp.IntSize(uint64(e.TTL)) +
		1 + TopicLength + int(rlp.BytesSize(e.Data))
	if withNonce {
		content += rlp.IntSize(e.Nonce)
	}
	// Room for the list header (≤ 9) and, for PoW, the 8-byte raw nonce.
	if need := content + 17; cap(dst)-len(dst) < need {
		grown := make([]byte, len(dst), len(dst)+need)
		copy(grown, dst)
		dst = grown
	}
	dst = appendRLPHeader(dst, 0xC0, content)
	dst = rlp.AppendUint64(dst, uint64(e.Expiry))
	dst = rlp.AppendUint64(dst, uint64(e.TTL))
	dst = append(dst, 0x80+TopicLength)
	dst = append(dst, e.Topic[:]...)
	if len(e.Data) == 1 && e.Data[0] < 0x80 {
		dst = append(dst, e.Data[0])
	} else {
		dst = appendRLPHeader(dst, 0x80, len(e.Data))
		dst = append(dst, e.Data...)
	}
	if withNonce {
		dst = rlp.AppendUint64(dst, e.Nonce)
	}
	return dst
}

// appendRLPHeader appends a string (base 0x80) or list (base 0xC0) header.
func appendRLPHeader(dst []byte, base byte, size int) []byte {
	if size < 56 {
		return append(dst, base+byte(size))
	}
	n := (bits.Len64(uint64(size)) + 7) / 8
	dst = append(dst, base+55+byte(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(uint64(size)>>(8*uint(i))))
	}
	return dst
}

// EncodeRLP implements rlp.Encoder.
func (e *Envelope) EncodeRLP(w io.Writer) error {
	_, err := w.Write(e.AppendRLP(nil))
	return err
}

// DecodeRLP implements rlp.Decoder so envelopes can sit inside other RLP
// values. The envelope must fit in MaxMessageSize; the stream's own input
// limit also applies before anything is allocated.
func (e *Envelope) DecodeRLP(s *rlp.Stream) error {
	_, size, err := s.Kind()
	if err == rlp.EOL {
		return err // end of the enclosing list: the slice decoder needs it as is
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEnvelopeMalformed, err)
	}
	if size > uint64(MaxMessageSize)+maxEnvelopeRLPOverhead {
		return fmt.Errorf("%w: %d bytes", ErrEnvelopeTooLarge, size)
	}
	raw, err := s.Raw()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEnvelopeMalformed, err)
	}
	return e.decode(raw, MaxMessageSize)
}

// DecodeEnvelope decodes one envelope from b, which must hold exactly one
// canonical RLP value. maxSize bounds Size() (§5.8); it is checked before
// Data is copied. The result never aliases b.
func DecodeEnvelope(b []byte, maxSize uint32) (*Envelope, error) {
	e := new(Envelope)
	if err := e.decode(b, maxSize); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Envelope) decode(b []byte, maxSize uint32) error {
	return e.decodeAlias(b, maxSize, false)
}

// decodeAlias decodes b into e; with alias, Data is a subslice of b.
func (e *Envelope) decodeAlias(b []byte, maxSize uint32, alias bool) error {
	if v, ok := decodeCommon(b, maxSize); ok {
		if !alias {
			v.Data = append([]byte{}, v.Data...)
		}
		*e = v
		return nil
	}
	return e.decodeRLP(b, maxSize, alias)
}

// decodeRLP is decodeAlias through package rlp, for every shape and error.
func (e *Envelope) decodeRLP(b []byte, maxSize uint32, alias bool) error {
	if uint64(len(b)) > uint64(maxSize)+maxEnvelopeRLPOverhead {
		return fmt.Errorf("%w: %d bytes of RLP", ErrEnvelopeTooLarge, len(b))
	}
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEnvelopeMalformed, err)
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrEnvelopeMalformed, len(rest))
	}
	var v Envelope
	var n uint64
	if n, content, err = splitUint(content, 32); err != nil {
		return fmt.Errorf("%w: expiry: %w", ErrEnvelopeMalformed, err)
	}
	v.Expiry = uint32(n)
	if n, content, err = splitUint(content, 32); err != nil {
		return fmt.Errorf("%w: ttl: %w", ErrEnvelopeMalformed, err)
	}
	v.TTL = uint32(n)
	topic, content, err := rlp.SplitString(content)
	if err != nil || len(topic) != TopicLength {
		return fmt.Errorf("%w: topic", ErrEnvelopeMalformed)
	}
	copy(v.Topic[:], topic)
	data, content, err := rlp.SplitString(content)
	if err != nil {
		return fmt.Errorf("%w: data: %w", ErrEnvelopeMalformed, err)
	}
	if uint64(EnvelopeHeaderLength+len(data)) > uint64(maxSize) {
		return fmt.Errorf("%w: size %d > %d", ErrEnvelopeTooLarge, EnvelopeHeaderLength+len(data), maxSize)
	}
	if v.Nonce, content, err = splitUint(content, 64); err != nil {
		return fmt.Errorf("%w: nonce: %w", ErrEnvelopeMalformed, err)
	}
	if len(content) != 0 {
		return fmt.Errorf("%w: too many list elements", ErrEnvelopeMalformed)
	}
	if alias {
		v.Data = data[:len(data):len(data)]
	} else {
		v.Data = append([]byte{}, data...)
	}
	*e = v
	return nil
}

// splitUint reads a canonical RLP unsigned integer of at most maxBits bits.
func splitUint(b []byte, maxBits int) (uint64, []byte, error) {
	if len(b) > 0 && b[0] >= 0xC0 {
		return 0, b, rlp.ErrExpectedString
	}
	v, rest, err := rlp.SplitUint64(b)
	if err != nil {
		return 0, b, err
	}
	if bits.Len64(v) > maxBits {
		return 0, b, fmt.Errorf("integer overflows uint%d", maxBits)
	}
	return v, rest, nil
}
