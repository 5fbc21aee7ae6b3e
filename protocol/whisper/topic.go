package whisper

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
)

// Topic is the 4-byte Whisper topic of an envelope (docs/PROTOCOL.md §4.1, §5.3).
type Topic [TopicLength]byte

// TopicFromName derives a named topic: the first four bytes of
// keccak256(UTF-8 name) (§4.1). Every Status topic (public chats, contact
// codes, partitions, negotiated topics; §4.3, §3.8) is built this way.
func TopicFromName(name string) Topic {
	var t Topic
	copy(t[:], crypto.Keccak256([]byte(name)))
	return t
}

// TopicFromBytes builds a topic from 1–4 bytes, left-aligned and zero
// padded, as the shh_ RPC accepts them (§5.11).
func TopicFromBytes(b []byte) (Topic, error) {
	var t Topic
	if len(b) == 0 || len(b) > TopicLength {
		return t, fmt.Errorf("%w: %d bytes, want 1–%d", ErrInvalidTopic, len(b), TopicLength)
	}
	copy(t[:], b)
	return t, nil
}

// ParseTopic parses a hex topic with or without a 0x prefix (1–4 bytes).
func ParseTopic(s string) (Topic, error) {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return Topic{}, fmt.Errorf("%w: %v", ErrInvalidTopic, err)
	}
	return TopicFromBytes(b)
}

// String returns the topic as 0x-prefixed lowercase hex, the RPC form.
func (t Topic) String() string {
	return "0x" + hex.EncodeToString(t[:])
}

// MarshalText encodes the topic as 0x-prefixed hex (JSON-RPC form, §5.11).
func (t Topic) MarshalText() ([]byte, error) {
	return []byte(t.String()), nil
}

// UnmarshalText decodes a 0x-prefixed hex topic of 1–4 bytes.
func (t *Topic) UnmarshalText(text []byte) error {
	v, err := ParseTopic(string(text))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Bloom returns the topic's bloom filter (§5.7); see TopicToBloom.
func (t Topic) Bloom() Bloom {
	return TopicToBloom(t)
}

// Bloom is the 64-byte (512-bit) Whisper bloom filter (docs/PROTOCOL.md §5.7).
// A node advertises the OR of the blooms of its filters' topics; a full node
// advertises all 0xFF.
type Bloom [BloomFilterSize]byte

// TopicToBloom computes a topic's bloom exactly as go-ethereum and
// status-im/whisper do, including their quirk (§5.7, §9 item 14): each of the
// three bits is *assigned* to its byte (b[i] = 1<<bit), not OR-ed, so when
// two indices fall into one byte only the last bit survives. Peers match
// envelopes against this exact value, so the quirk must be kept.
func TopicToBloom(t Topic) Bloom {
	var b Bloom
	for j := range 3 {
		// The j-th bit index (0..511): topic[j], plus 256 when bit j of
		// topic[3] is set.
		n := uint(t[j]) | uint(t[3]>>j&1)<<8
		b[n/8&(BloomFilterSize-1)] = 1 << (n % 8)
	}
	return b
}

// BloomFromTopics returns the OR of the topics' blooms; no topics yields the
// empty bloom (a filter without topics adds nothing, as in the reference code).
func BloomFromTopics(topics ...Topic) Bloom {
	var b Bloom
	for _, t := range topics {
		b = b.Or(TopicToBloom(t))
	}
	return b
}

// FullBloom returns the bloom of a full node: every bit set (§5.7).
func FullBloom() Bloom {
	var b Bloom
	for i := range b {
		b[i] = 0xFF
	}
	return b
}

// BloomFromBytes reads a bloom from the wire (§5.2, §5.1 code 3). An empty
// slice means "full node" and yields FullBloom; any size other than 0 or 64
// is an error (the peer is disconnected).
func BloomFromBytes(raw []byte) (Bloom, error) {
	switch len(raw) {
	case 0:
		return FullBloom(), nil
	case BloomFilterSize:
		var b Bloom
		copy(b[:], raw)
		return b, nil
	default:
		return Bloom{}, fmt.Errorf("%w: %d bytes, want 0 or %d", ErrInvalidBloom, len(raw), BloomFilterSize)
	}
}

// Or returns the byte-wise OR of two blooms.
func (b Bloom) Or(o Bloom) Bloom {
	for i := range b {
		b[i] |= o[i]
	}
	return b
}

// IsFull reports whether every bit is set.
func (b Bloom) IsFull() bool {
	for _, v := range b {
		if v != 0xFF {
			return false
		}
	}
	return true
}

// IsEmpty reports whether no bit is set.
func (b Bloom) IsEmpty() bool {
	return b == Bloom{}
}

// Contains reports whether the envelope bloom of topic t matches b:
// BloomMatch(b, TopicToBloom(t)), testing the bits of t in place, without
// building its bloom. As TopicToBloom assigns each bit's byte rather than
// ORing into it, a bit whose byte a later bit of t falls in is not set
// there, and is not required here.
func (b Bloom) Contains(t Topic) bool {
	var at [3]uint
	var bits [3]byte
	for j := range 3 {
		n := uint(t[j]) | uint(t[3]>>j&1)<<8 // as TopicToBloom
		at[j], bits[j] = n/8&(BloomFilterSize-1), 1<<(n%8)
		for k := range j {
			if at[k] == at[j] {
				bits[k] = 0 // overwritten by bit j
			}
		}
	}
	for j := range 3 {
		if b[at[j]]&bits[j] != bits[j] {
			return false
		}
	}
	return true
}

// BloomMatch reports whether sample passes filter: (filter | sample) ==
// filter byte-wise (§5.7), i.e. every bit of sample is set in filter.
func BloomMatch(filter, sample Bloom) bool {
	for i := 0; i < BloomFilterSize; i += 8 { // a word at a time
		f := binary.LittleEndian.Uint64(filter[i:])
		if f|binary.LittleEndian.Uint64(sample[i:]) != f {
			return false
		}
	}
	return true
}

// String returns the bloom as 0x-prefixed hex.
func (b Bloom) String() string {
	return "0x" + hex.EncodeToString(b[:])
}

// MarshalText encodes the bloom as 0x-prefixed hex (shh_setBloomFilter, §5.11).
func (b Bloom) MarshalText() ([]byte, error) {
	return []byte(b.String()), nil
}

// UnmarshalText decodes exactly 64 bytes of 0x-prefixed or bare hex.
func (b *Bloom) UnmarshalText(text []byte) error {
	s := string(text)
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidBloom, err)
	}
	if len(raw) != BloomFilterSize {
		return fmt.Errorf("%w: %d bytes, want %d", ErrInvalidBloom, len(raw), BloomFilterSize)
	}
	copy(b[:], raw)
	return nil
}
