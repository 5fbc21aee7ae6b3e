package whisper

import (
	"errors"
	"fmt"
	"math"

	"github.com/ethereum/go-ethereum/rlp"
)

// MaxStatusPacketSize bounds the body of a Status packet (§5.2). The
// largest honest status is the version, PoW, a 64-byte bloom, two booleans
// and the three rate limits of the late-2019 fork: about 120 bytes. Anything
// over this limit is refused before it is parsed.
const MaxStatusPacketSize = 1024

// Status-packet and control-packet errors.
var (
	ErrStatusMalformed = errors.New("whisper: malformed status packet")
	ErrBadVersion      = errors.New("whisper: unsupported protocol version")
	ErrPacketMalformed = errors.New("whisper: malformed packet")
)

// RateLimits is the optional sixth Status element of status-go's in-tree
// whisper (§4.6, §5.2): messages per second per IP, per peer ID and per
// topic; 0 means unlimited.
type RateLimits struct {
	IP, PeerID, Topic uint64
}

// Status is the handshake packet (code 0, §5.2). Only Version is mandatory
// on the wire; the Has* fields record which optional elements the peer
// sent, so an EIP-627 [version, pow, bloom] peer is told apart from a Status
// fork peer. A missing or empty bloom means a full node (FullBloom).
type Status struct {
	Version       uint64
	PoW           float64 // minimum PoW the peer accepts
	HasPoW        bool
	Bloom         Bloom // FullBloom when absent or empty
	HasBloom      bool  // a 64-byte bloom was sent
	LightNode     bool
	Confirmations bool        // confirmationsEnabled (§4.6)
	RateLimits    *RateLimits // nil when absent
}

// EncodeStatus returns the body of our Status packet in the Status fork's
// five-element form [6, pow bits, bloom(64), light, confirmations], which
// EIP-627 and geth v1.9.20 peers read as well (they ignore what follows).
// s.Version is written as given; s.RateLimits is not sent.
func EncodeStatus(s *Status) []byte {
	var content []byte
	content = rlp.AppendUint64(content, s.Version)
	content = rlp.AppendUint64(content, math.Float64bits(s.PoW))
	content = appendRLPHeader(content, 0x80, BloomFilterSize)
	content = append(content, s.Bloom[:]...)
	content = appendBool(content, s.LightNode)
	content = appendBool(content, s.Confirmations)
	out := appendRLPHeader(make([]byte, 0, len(content)+3), 0xC0, len(content))
	return append(out, content...)
}

func appendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 0x01)
	}
	return append(dst, 0x80)
}

// DecodeStatus parses a Status packet body (§5.2). It takes whatever
// optional elements are present and ignores elements after the sixth, so
// newer peers still connect. It fails with ErrStatusMalformed for bad RLP, a
// body over MaxStatusPacketSize, a PoW that is NaN, infinite or negative, or
// a bloom of a size other than 0 or 64 (wrapping ErrInvalidBloom), and with
// ErrBadVersion when the version is not 6; every failure disconnects the
// peer. The result never aliases b.
func DecodeStatus(b []byte) (*Status, error) {
	if len(b) > MaxStatusPacketSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrStatusMalformed, len(b))
	}
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStatusMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrStatusMalformed, len(rest))
	}
	s := &Status{Bloom: FullBloom()}
	if s.Version, content, err = splitUint(content, 64); err != nil {
		return nil, fmt.Errorf("%w: version: %w", ErrStatusMalformed, err)
	}
	if s.Version != ProtocolVersion {
		return nil, fmt.Errorf("%w: %d", ErrBadVersion, s.Version)
	}
	if len(content) == 0 {
		return s, nil
	}
	var bits uint64
	if bits, content, err = splitUint(content, 64); err != nil {
		return nil, fmt.Errorf("%w: pow: %w", ErrStatusMalformed, err)
	}
	if s.PoW, err = PoWFromBits(bits); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStatusMalformed, err)
	}
	s.HasPoW = true
	if len(content) == 0 {
		return s, nil
	}
	if content, err = s.decodeBloom(content); err != nil {
		return nil, err
	}
	if len(content) == 0 {
		return s, nil
	}
	if s.LightNode, content, err = splitBool(content); err != nil {
		return nil, fmt.Errorf("%w: isLightNode: %w", ErrStatusMalformed, err)
	}
	if len(content) == 0 {
		return s, nil
	}
	if s.Confirmations, content, err = splitBool(content); err != nil {
		return nil, fmt.Errorf("%w: confirmationsEnabled: %w", ErrStatusMalformed, err)
	}
	if len(content) == 0 {
		return s, nil
	}
	if s.RateLimits, err = decodeRateLimits(content); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Status) decodeBloom(content []byte) ([]byte, error) {
	raw, rest, err := rlp.SplitString(content)
	if err != nil {
		return nil, fmt.Errorf("%w: bloom: %w", ErrStatusMalformed, err)
	}
	if s.Bloom, err = BloomFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStatusMalformed, err)
	}
	s.HasBloom = len(raw) == BloomFilterSize
	return rest, nil
}

// EncodeRateLimits returns the body of a Rate limits packet (code 20,
// §4.6): the list [ip, peerID, topic].
func EncodeRateLimits(r RateLimits) []byte {
	var content []byte
	for _, v := range []uint64{r.IP, r.PeerID, r.Topic} {
		content = rlp.AppendUint64(content, v)
	}
	return append(appendRLPHeader(nil, 0xC0, len(content)), content...)
}

// DecodeRateLimits reads the body of a Rate limits packet (code 20,
// §4.6): the list [ip, peerID, topic].
func DecodeRateLimits(body []byte) (*RateLimits, error) { return decodeRateLimits(body) }

// PerPeer returns the strictest non-zero of the per-IP and per-peer limits
// in messages per second, or 0 when neither limits (§4.6).
func (r *RateLimits) PerPeer() uint64 {
	if r == nil {
		return 0
	}
	switch {
	case r.IP == 0:
		return r.PeerID
	case r.PeerID == 0:
		return r.IP
	}
	return min(r.IP, r.PeerID)
}

// decodeRateLimits reads the sixth element [ip, peerID, topic]; anything
// after it is ignored.
func decodeRateLimits(content []byte) (*RateLimits, error) {
	list, _, err := rlp.SplitList(content)
	if err != nil {
		return nil, fmt.Errorf("%w: rate limits: %w", ErrStatusMalformed, err)
	}
	var rl RateLimits
	for _, f := range []*uint64{&rl.IP, &rl.PeerID, &rl.Topic} {
		if *f, list, err = splitUint(list, 64); err != nil {
			return nil, fmt.Errorf("%w: rate limits: %w", ErrStatusMalformed, err)
		}
	}
	if len(list) != 0 {
		return nil, fmt.Errorf("%w: rate limits: extra elements", ErrStatusMalformed)
	}
	return &rl, nil
}

// splitBool reads an RLP boolean as go-ethereum encodes and decodes it:
// 0x80 (or a canonical 0) is false, 0x01 is true, anything else is an error.
func splitBool(b []byte) (bool, []byte, error) {
	v, rest, err := splitUint(b, 64)
	if err != nil {
		return false, b, err
	}
	if v > 1 {
		return false, b, fmt.Errorf("boolean %d", v)
	}
	return v == 1, rest, nil
}
