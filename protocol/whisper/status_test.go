package whisper

import (
	"errors"
	"math"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

func TestStatusRoundTrip(t *testing.T) {
	in := &Status{Version: 6, PoW: 0.001, Bloom: TopicToBloom(TopicFromName("status")), LightNode: true, Confirmations: true}
	out, err := DecodeStatus(EncodeStatus(in))
	if err != nil {
		t.Fatal(err)
	}
	if out.PoW != in.PoW || out.Bloom != in.Bloom || !out.LightNode || !out.Confirmations || !out.HasPoW || !out.HasBloom {
		t.Fatalf("got %+v", out)
	}
}

// TestStatusOptionalElements decodes the packet shapes peers send (§5.2):
// EIP-627 with and without bloom, geth v1.9.20 with the light flag, the
// Status fork's five elements and status-go's six.
func TestStatusOptionalElements(t *testing.T) {
	pow := math.Float64bits(0.2)
	bloom := TopicToBloom(TopicFromName("status"))
	cases := []struct {
		name  string
		items []any
		check func(*Status) bool
	}{
		{"version only", []any{uint64(6)}, func(s *Status) bool { return !s.HasPoW && s.Bloom.IsFull() }},
		{"eip-627 no bloom", []any{uint64(6), pow}, func(s *Status) bool { return s.PoW == 0.2 && s.Bloom.IsFull() }},
		{"empty bloom", []any{uint64(6), pow, []byte{}}, func(s *Status) bool { return s.Bloom.IsFull() && !s.HasBloom }},
		{"geth light", []any{uint64(6), pow, bloom[:], true}, func(s *Status) bool { return s.LightNode && s.Bloom == bloom }},
		{"status fork", []any{uint64(6), pow, bloom[:], false, true}, func(s *Status) bool { return s.Confirmations }},
		{"rate limits", []any{uint64(6), pow, bloom[:], false, true, []uint64{1, 2, 3}}, func(s *Status) bool {
			return s.RateLimits != nil && *s.RateLimits == RateLimits{1, 2, 3}
		}},
		{"future elements", []any{uint64(6), pow, bloom[:], false, true, []uint64{1, 2, 3}, "x"}, func(s *Status) bool { return s.RateLimits != nil }},
	}
	for _, c := range cases {
		b, _ := rlp.EncodeToBytes(c.items)
		s, err := DecodeStatus(b)
		if err != nil || !c.check(s) {
			t.Errorf("%s: %+v %v", c.name, s, err)
		}
	}
}

func TestStatusRejects(t *testing.T) {
	pow := math.Float64bits(0.2)
	cases := []struct {
		name  string
		items any
		want  error
	}{
		{"version 5", []any{uint64(5), pow}, ErrBadVersion},
		{"bloom 63", []any{uint64(6), pow, make([]byte, 63)}, ErrInvalidBloom},
		{"NaN pow", []any{uint64(6), math.Float64bits(math.NaN())}, ErrInvalidPoW},
		{"negative pow", []any{uint64(6), math.Float64bits(-1)}, ErrInvalidPoW},
		{"not a list", uint64(6), ErrStatusMalformed},
		{"empty list", []any{}, ErrStatusMalformed},
		{"bool 2", []any{uint64(6), pow, []byte{}, uint64(2)}, ErrStatusMalformed},
		{"huge", []any{uint64(6), pow, make([]byte, 2000)}, ErrStatusMalformed},
	}
	for _, c := range cases {
		b, _ := rlp.EncodeToBytes(c.items)
		if _, err := DecodeStatus(b); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestControlPackets(t *testing.T) {
	if v, err := DecodePoWRequirement(EncodePoWRequirement(0.25)); err != nil || v != 0.25 {
		t.Fatalf("pow: %v %v", v, err)
	}
	b := TopicToBloom(TopicFromName("x"))
	if v, err := DecodeBloomPacket(EncodeBloomPacket(b)); err != nil || v != b {
		t.Fatalf("bloom: %v %v", v, err)
	}
	// The body geth writes: rlp of uint64 bits and of a 64-byte slice.
	gethPoW, _ := rlp.EncodeToBytes(math.Float64bits(0.25))
	if v, _ := DecodePoWRequirement(gethPoW); v != 0.25 {
		t.Fatalf("geth pow body: %v", v)
	}
	if _, err := DecodePoWRequirement(rlp.AppendUint64(nil, math.Float64bits(math.Inf(1)))); !errors.Is(err, ErrInvalidPoW) {
		t.Fatalf("inf: %v", err)
	}
	short, _ := rlp.EncodeToBytes(make([]byte, 32))
	if _, err := DecodeBloomPacket(short); !errors.Is(err, ErrInvalidBloom) {
		t.Fatalf("short bloom: %v", err)
	}
}
