package mailserver

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/protocol/whisper"
)

// Form tells which of the §4.5 request forms a request came in. The list is
// append-only.
type Form uint8

// Request forms (docs/PROTOCOL.md §4.5).
const (
	// FormEnvelope is form (A) with the RLP payload
	// [Lower, Upper, Bloom, Limit, Cursor, Batch] inside a signed envelope.
	FormEnvelope Form = iota + 1
	// FormLegacy is form (A) with the legacy binary payload
	// Lower ‖ Upper [‖ Bloom [‖ Limit [‖ Cursor]]].
	FormLegacy
	// FormDirect is form (B): an unencrypted, unsigned MessagesRequest.
	FormDirect
)

var formNames = [...]string{
	FormEnvelope: "envelope",
	FormLegacy:   "legacy",
	FormDirect:   "direct",
}

// String names the form, or "Form(n)".
func (f Form) String() string {
	if int(f) < len(formNames) && formNames[f] != "" {
		return formNames[f]
	}
	return "Form(" + strconv.Itoa(int(f)) + ")"
}

// Request is a decoded and validated history request, whatever form it came
// in. Lower and Upper are inclusive Unix seconds compared with the archive
// time of envelopes; Limit ≥ 1 is the page size; Cursor (nil: from the
// start) resumes after a previous page. It is a plain value owned by the
// caller.
type Request struct {
	ID     common.Hash // envelope hash (A) or the ID field (B)
	Form   Form
	Lower  uint32
	Upper  uint32
	Bloom  whisper.Bloom
	Limit  uint32
	Cursor *Cursor
	// Batch: the client accepts lists of envelopes in code-127 packets. Form
	// (B) requests always do (status-im/whisper ≥ v1.5 reads both shapes).
	Batch bool
	// Signer is the recovered signer of a form (A) request (the requester's
	// node key, §4.5); nil for form (B). Servers do not compare it with the
	// peer ID, as status-go does not.
	Signer *ecdsa.PublicKey
}

// normalize applies the form (A) defaults and checks of §4.5: Upper 0 means
// now + UpperSlack, Limit 0 means DefaultLimit, Lower ≤ Upper, and a legacy
// request spans at most MaxLegacyRange.
func (p *RequestPayload) normalize(id common.Hash, form Form, now time.Time) (*Request, error) {
	r := &Request{
		ID: id, Form: form, Lower: p.Lower, Upper: p.Upper,
		Bloom: p.Bloom, Limit: p.Limit, Cursor: p.Cursor, Batch: p.Batch,
	}
	if r.Upper == 0 {
		r.Upper = uint32(now.Unix()) + UpperSlack
	}
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	if r.Lower > r.Upper {
		return nil, fmt.Errorf("%w: lower %d > upper %d", ErrInvalidRange, r.Lower, r.Upper)
	}
	if form == FormLegacy && r.Upper-r.Lower > MaxLegacyRange {
		return nil, fmt.Errorf("%w: %d s > %d s for a legacy request", ErrInvalidRange, r.Upper-r.Lower, MaxLegacyRange)
	}
	return r, nil
}

// RequestKeys are what a server may open a form (A) request envelope with:
// the symmetric key derived from the mailserver password, the node key, or
// both (symmetric is tried first). At least one must be set.
type RequestKeys struct {
	Sym  *whisper.SymKey
	Node *ecdsa.PrivateKey
}

// DecodeRequestPacket decodes the body of a P2P Request packet (code 126)
// as a server does (§4.5): first as a form (A) envelope — which must pass
// CheckRequestEnvelope and OpenRequest — and, if the body is not an
// envelope, as a form (B) MessagesRequest. maxSize is the node's max message
// size and bounds the envelope before its data is copied (an envelope over
// it wraps ErrRequestTooLarge and whisper.ErrEnvelopeTooLarge). An error
// that wraps ErrRequestMalformed means the body is neither form.
func DecodeRequestPacket(body []byte, keys RequestKeys, minPoW float64, maxSize uint32, now time.Time) (*Request, error) {
	env, envErr := whisper.DecodeEnvelope(body, maxSize)
	if envErr == nil {
		if err := CheckRequestEnvelope(env, minPoW, now); err != nil {
			return nil, err
		}
		return OpenRequest(env, keys, now)
	}
	if errors.Is(envErr, whisper.ErrEnvelopeTooLarge) {
		return nil, fmt.Errorf("%w: %w", ErrRequestTooLarge, envErr)
	}
	m, err := DecodeMessagesRequest(body)
	if err != nil {
		return nil, fmt.Errorf("%w: not an envelope (%v) nor a messages request (%v)", ErrRequestMalformed, envErr, err)
	}
	return m.Request()
}
