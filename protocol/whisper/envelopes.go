package whisper

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
)

// DecodeEnvelopes decodes the body of a Messages packet (code 1, §5.1): an
// RLP list of envelopes, possibly empty. Each envelope is bounded by
// maxSize; the caller bounds the whole packet (a packet over the node's max
// message size disconnects the peer, §5.1). On error nothing is returned.
func DecodeEnvelopes(b []byte, maxSize uint32) ([]*Envelope, error) {
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope list: %w", ErrEnvelopeMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after envelope list", ErrEnvelopeMalformed, len(rest))
	}
	return decodeEnvelopeItems(content, maxSize)
}

// DecodeP2PEnvelopes decodes the body of a P2P Message packet (code 127,
// §4.5): EIP-627 peers send one envelope, Status mailservers a list of
// envelopes. An envelope's first element is an integer, a list's first
// element is a list, which tells the two apart.
func DecodeP2PEnvelopes(b []byte, maxSize uint32) ([]*Envelope, error) {
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return nil, fmt.Errorf("%w: p2p body: %w", ErrEnvelopeMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after p2p body", ErrEnvelopeMalformed, len(rest))
	}
	if len(content) == 0 || content[0] >= 0xC0 {
		return decodeEnvelopeItems(content, maxSize)
	}
	e, err := DecodeEnvelope(b, maxSize)
	if err != nil {
		return nil, err
	}
	return []*Envelope{e}, nil
}

// minEnvelopeRLP is the shortest envelope encoding: list header, expiry,
// TTL, data and nonce 1 byte each, topic 5.
const minEnvelopeRLP = 10

func decodeEnvelopeItems(content []byte, maxSize uint32) ([]*Envelope, error) {
	// An envelope is at least 10 bytes of RLP; cap the guess accordingly.
	out := make([]*Envelope, 0, min(len(content)/10, 64))
	for len(content) > 0 {
		_, _, rest, err := rlp.Split(content)
		if err != nil {
			return nil, fmt.Errorf("%w: envelope %d: %w", ErrEnvelopeMalformed, len(out), err)
		}
		e, err := DecodeEnvelope(content[:len(content)-len(rest)], maxSize)
		if err != nil {
			return nil, fmt.Errorf("envelope %d: %w", len(out), err)
		}
		out = append(out, e)
		content = rest
	}
	return out, nil
}

// WireEnvelope is an envelope decoded from a packet together with its wire
// bytes. Decoding accepts canonical RLP only, so Raw equals Env.AppendRLP
// and KeccakHash(Raw) equals Env.Hash() (checked by FuzzDecodeEnvelopesWire).
type WireEnvelope struct {
	Env *Envelope
	Raw []byte // the envelope's RLP, aliasing the packet body
}

// Detach returns a copy of we that shares no memory with the packet it was
// decoded from: Raw in a buffer of exactly its length, and an Env of its
// own whose Data aliases that buffer as it aliased the packet. Whoever
// keeps the copy keeps the envelope's bytes, not the whole packet's.
func (we WireEnvelope) Detach() WireEnvelope {
	raw := make([]byte, len(we.Raw))
	copy(raw, we.Raw)
	env := new(Envelope)
	if env.decodeAlias(raw, math.MaxUint32, true) != nil {
		// Raw decoded once already, so this cannot happen; keep a plain
		// copy rather than trust a half-decoded one.
		*env = *we.Env
		env.Data = bytes.Clone(we.Env.Data)
	}
	return WireEnvelope{Env: env, Raw: raw}
}

// DecodeEnvelopesWire decodes a Messages packet body as DecodeEnvelopes does,
// with the same checks and errors, but without copying: each Raw and each
// Env.Data alias b, so the caller must not modify b afterwards (the router
// keeps every packet body, devp2p's own buffer or a copy, unmodified and
// forwards Raw as it is). Envelopes of the common shape are decoded in
// place (decodeCommon), others through package rlp.
func DecodeEnvelopesWire(b []byte, maxSize uint32) ([]WireEnvelope, error) {
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope list: %w", ErrEnvelopeMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after envelope list", ErrEnvelopeMalformed, len(rest))
	}
	n, err := rlp.CountValues(content)
	if err != nil || n > len(content)/minEnvelopeRLP {
		// Malformed for sure; let the copying decoder find the same error.
		if _, err := decodeEnvelopeItems(content, maxSize); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: envelope list", ErrEnvelopeMalformed)
	}
	out := make([]WireEnvelope, 0, n)
	envs := make([]Envelope, n) // one allocation for the packet
	for len(content) > 0 {
		_, _, rest, err := rlp.Split(content)
		if err != nil {
			return nil, fmt.Errorf("%w: envelope %d: %w", ErrEnvelopeMalformed, len(out), err)
		}
		raw := content[:len(content)-len(rest)]
		e := &envs[len(out)]
		if err := e.decodeAlias(raw, maxSize, true); err != nil {
			return nil, fmt.Errorf("envelope %d: %w", len(out), err)
		}
		out = append(out, WireEnvelope{Env: e, Raw: raw})
		content = rest
	}
	return out, nil
}

// EncodeEnvelopes returns the RLP list of envs, the body of a Messages
// packet (code 1) or of a batched P2P Message packet (code 127).
func EncodeEnvelopes(envs []*Envelope) []byte {
	size := 0
	for _, e := range envs {
		size += len(e.Data) + maxEnvelopeRLPOverhead
	}
	// One allocation: appendRLP grows a short buffer only to what each
	// envelope needs, which made encoding a packet quadratic.
	content := make([]byte, 0, size)
	for _, e := range envs {
		content = e.AppendRLP(content)
	}
	out := appendRLPHeader(make([]byte, 0, len(content)+9), 0xC0, len(content))
	return append(out, content...)
}

// AcceptParams are a node's current limits for incoming envelopes
// (docs/PROTOCOL.md §5.8). The tolerance fields carry the previous values for
// a while after a change, because peers learn new values only with delay.
type AcceptParams struct {
	MaxMessageSize  uint32  // node max message size (≤ MaxMessageSize)
	MinPoW          float64 // node minimum PoW
	MinPoWTolerance float64 // previous minimum, or the same as MinPoW
	Bloom           Bloom   // node bloom (FullBloom for a full node)
	BloomTolerance  *Bloom  // previous bloom, or nil
}

// CheckEnvelope applies the envelope acceptance rules of the Status fork's
// add (§5.8), in the same order, and returns the envelope's PoW as computed
// for now (with the §5.4 future-timestamp diff) so the caller need not hash
// it again. The caller handles duplicates and p2p envelopes, which skip
// these checks (§4.5). The error tells the caller what to do:
//
//   - ErrEnvelopeFromFuture, ErrEnvelopeVeryOld: time-sync error (Status
//     confirmation code 1); the peer is not disconnected.
//   - ErrEnvelopeExpired: drop silently, not an error for the peer.
//   - ErrEnvelopeTooLarge, ErrPoWTooLow, ErrBloomMismatch: the peer is
//     disconnected (confirmation code 2).
func CheckEnvelope(e *Envelope, now time.Time, p *AcceptParams) (float64, error) {
	return CheckEnvelopeWithPoW(e, now, p, -1)
}

// CheckEnvelopeWithPoW is CheckEnvelope for a caller that has already
// computed pow = e.PoW(now), for instance for a packet's envelopes on
// several cores. A negative pow means "not computed": it is then computed
// here, after the checks that come before it.
func CheckEnvelopeWithPoW(e *Envelope, now time.Time, p *AcceptParams, pow float64) (float64, error) {
	n := now.Unix()
	sent := int64(e.Sent())
	if sent-int64(DefaultSyncAllowance) > n {
		return 0, fmt.Errorf("%w: sent %d, now %d", ErrEnvelopeFromFuture, sent, n)
	}
	if int64(e.Expiry) < n {
		if int64(e.Expiry)+2*int64(DefaultSyncAllowance) < n {
			return 0, fmt.Errorf("%w: expired at %d, now %d", ErrEnvelopeVeryOld, e.Expiry, n)
		}
		return 0, fmt.Errorf("%w: at %d", ErrEnvelopeExpired, e.Expiry)
	}
	if uint64(e.Size()) > uint64(p.MaxMessageSize) {
		return 0, fmt.Errorf("%w: size %d > %d", ErrEnvelopeTooLarge, e.Size(), p.MaxMessageSize)
	}
	if pow < 0 {
		pow = e.PoW(now)
	}
	if pow < p.MinPoW && pow < p.MinPoWTolerance {
		return pow, fmt.Errorf("%w: %g < %g", ErrPoWTooLow, pow, p.MinPoW)
	}
	if !p.Bloom.Contains(e.Topic) && (p.BloomTolerance == nil || !p.BloomTolerance.Contains(e.Topic)) {
		return pow, fmt.Errorf("%w: topic %s", ErrBloomMismatch, e.Topic)
	}
	return pow, nil
}

// IsTimeSyncError reports whether err is one of the §5.8 time-sync errors
// (confirmation code 1 in the Status fork's message responses, §4.6).
func IsTimeSyncError(err error) bool {
	return errors.Is(err, ErrEnvelopeFromFuture) || errors.Is(err, ErrEnvelopeVeryOld)
}
