package whisper

import (
	"fmt"
	"math"

	"github.com/ethereum/go-ethereum/rlp"
)

// PoWFromBits turns the uint64 of a PoW Requirement packet or a Status
// element into a float64 (§5.1: IEEE-754 bits). NaN, ±Inf and negative
// values are refused with ErrInvalidPoW.
func PoWFromBits(bits uint64) (float64, error) {
	f := math.Float64frombits(bits)
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%w: %v", ErrInvalidPoW, f)
	}
	return f, nil
}

// EncodePoWRequirement returns the body of a PoW Requirement packet (code 2,
// §5.1): the float's IEEE-754 bits as an RLP integer. pow must be finite and
// not negative; the caller validates it.
func EncodePoWRequirement(pow float64) []byte {
	return rlp.AppendUint64(nil, math.Float64bits(pow))
}

// DecodePoWRequirement parses a code-2 body. The error wraps
// ErrPacketMalformed (bad RLP, trailing bytes) or ErrInvalidPoW.
func DecodePoWRequirement(b []byte) (float64, error) {
	bits, rest, err := splitUint(b, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: pow requirement: %w", ErrPacketMalformed, err)
	}
	if len(rest) != 0 {
		return 0, fmt.Errorf("%w: pow requirement: %d trailing bytes", ErrPacketMalformed, len(rest))
	}
	return PoWFromBits(bits)
}

// EncodeBloomPacket returns the body of a Bloom Filter packet (code 3,
// §5.1): the 64 bytes as an RLP string.
func EncodeBloomPacket(b Bloom) []byte {
	out := appendRLPHeader(make([]byte, 0, BloomFilterSize+2), 0x80, BloomFilterSize)
	return append(out, b[:]...)
}

// DecodeBloomPacket parses a code-3 body. Implementations require exactly
// 64 bytes (§5.1); any other size wraps ErrInvalidBloom, bad RLP wraps
// ErrPacketMalformed. Both disconnect the peer.
func DecodeBloomPacket(b []byte) (Bloom, error) {
	raw, rest, err := rlp.SplitString(b)
	if err != nil {
		return Bloom{}, fmt.Errorf("%w: bloom: %w", ErrPacketMalformed, err)
	}
	if len(rest) != 0 {
		return Bloom{}, fmt.Errorf("%w: bloom: %d trailing bytes", ErrPacketMalformed, len(rest))
	}
	if len(raw) != BloomFilterSize {
		return Bloom{}, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidBloom, len(raw), BloomFilterSize)
	}
	var out Bloom
	copy(out[:], raw)
	return out, nil
}
