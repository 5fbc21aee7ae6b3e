package whisper

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Envelope error codes of a Message Response (§4.6).
const (
	EnvelopeTimeNotSynced uint64 = 1 // too old or from the future
	EnvelopeOtherError    uint64 = 2
)

// MaxResponseErrors bounds the errors decoded from one Message Response: a
// packet carries at most one per envelope of the batch it answers.
const MaxResponseErrors = 4096

// EnvelopeError is one entry of a Message Response: why the receiver did
// not take an envelope of the batch.
type EnvelopeError struct {
	Hash        common.Hash
	Code        uint64
	Description string
}

// MessageResponse is a version-1 Message Response (code 12, §4.6): the
// batch it answers and the envelopes of it that were refused.
type MessageResponse struct {
	Batch  common.Hash
	Errors []EnvelopeError
}

// BatchHash is the hash a receiver acknowledges for a Messages packet:
// keccak256 of the packet body, the RLP list of envelopes (§4.6).
func BatchHash(body []byte) common.Hash { return crypto.Keccak256Hash(body) }

// EncodeBatchAck returns the body of a Batch Acknowledged packet (code 11):
// the batch hash as an RLP string.
func EncodeBatchAck(batch common.Hash) []byte {
	b, _ := rlp.EncodeToBytes(batch)
	return b
}

// DecodeBatchAck parses a code-11 body; the error wraps ErrPacketMalformed.
func DecodeBatchAck(b []byte) (common.Hash, error) {
	raw, rest, err := rlp.SplitString(b)
	if err != nil || len(rest) != 0 || len(raw) != common.HashLength {
		return common.Hash{}, fmt.Errorf("%w: batch acknowledgement", ErrPacketMalformed)
	}
	return common.BytesToHash(raw), nil
}

type wireEnvelopeError struct {
	Hash        common.Hash
	Code        uint64
	Description string
}

type wireResponse1 struct {
	Hash   common.Hash
	Errors []wireEnvelopeError
}

// EncodeMessageResponse returns the body of a version-1 Message Response:
// [1, [batch, [[hash, code, description]…]]].
func EncodeMessageResponse(r MessageResponse) []byte {
	w := wireResponse1{Hash: r.Batch, Errors: make([]wireEnvelopeError, len(r.Errors))}
	for i, e := range r.Errors {
		w.Errors[i] = wireEnvelopeError(e)
	}
	inner, _ := rlp.EncodeToBytes(w)
	b, _ := rlp.EncodeToBytes([]any{uint64(1), rlp.RawValue(inner)})
	return b
}

// DecodeMessageResponse parses a code-12 body. ok is false for a version
// other than 1, which a reader ignores; the error wraps ErrPacketMalformed.
func DecodeMessageResponse(b []byte) (r MessageResponse, ok bool, err error) {
	list, rest, err := rlp.SplitList(b)
	if err != nil || len(rest) != 0 {
		return r, false, fmt.Errorf("%w: message response", ErrPacketMalformed)
	}
	version, inner, err := splitUint(list, 64)
	if err != nil {
		return r, false, fmt.Errorf("%w: message response version: %w", ErrPacketMalformed, err)
	}
	if version != 1 {
		return r, false, nil
	}
	k, content, rest, err := rlp.Split(inner)
	if err != nil || k != rlp.List || len(rest) != 0 {
		return r, false, fmt.Errorf("%w: message response body", ErrPacketMalformed)
	}
	if n, err := rlp.CountValues(content); err != nil || n != 2 {
		return r, false, fmt.Errorf("%w: message response body", ErrPacketMalformed)
	}
	hashRaw, errsRaw, err := rlp.SplitString(content)
	if err != nil || len(hashRaw) != common.HashLength {
		return r, false, fmt.Errorf("%w: message response batch", ErrPacketMalformed)
	}
	r.Batch = common.BytesToHash(hashRaw)
	errList, _, err := rlp.SplitList(errsRaw)
	if err != nil {
		return r, false, fmt.Errorf("%w: message response errors", ErrPacketMalformed)
	}
	if n, err := rlp.CountValues(errList); err != nil || n > MaxResponseErrors {
		return r, false, fmt.Errorf("%w: message response: %d errors", ErrPacketMalformed, n)
	}
	var ws []wireEnvelopeError
	if err := rlp.DecodeBytes(errsRaw, &ws); err != nil {
		return r, false, fmt.Errorf("%w: message response errors: %w", ErrPacketMalformed, err)
	}
	for _, w := range ws {
		r.Errors = append(r.Errors, EnvelopeError(w))
	}
	return r, true, nil
}
