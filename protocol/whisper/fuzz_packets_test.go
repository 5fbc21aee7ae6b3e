package whisper

import (
	"errors"
	"math"
	"testing"
)

// FuzzDecodeStatus: any input either fails with a package sentinel or
// decodes to a status that survives a re-encode (of the fields we send).
func FuzzDecodeStatus(f *testing.F) {
	f.Add(EncodeStatus(&Status{Version: 6, PoW: 0.2, Bloom: FullBloom()}))
	f.Add([]byte{0xc1, 0x06})
	f.Add([]byte{0xc3, 0x06, 0x80, 0x80})
	f.Add([]byte{0xc8, 0x06, 0x80, 0x80, 0x01, 0x80, 0xc3, 0x01, 0x02, 0x03})
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := DecodeStatus(in)
		if err != nil {
			if !errors.Is(err, ErrStatusMalformed) && !errors.Is(err, ErrBadVersion) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if math.IsNaN(s.PoW) || s.PoW < 0 || s.Version != ProtocolVersion {
			t.Fatalf("accepted bad status %+v", s)
		}
		back, err := DecodeStatus(EncodeStatus(s))
		if err != nil || back.PoW != s.PoW || back.Bloom != s.Bloom || back.LightNode != s.LightNode || back.Confirmations != s.Confirmations {
			t.Fatalf("re-encode: %+v, %v", back, err)
		}
	})
}

// FuzzDecodePoWRequirement: accepted values are finite, not negative, and
// round-trip.
func FuzzDecodePoWRequirement(f *testing.F) {
	f.Add(EncodePoWRequirement(0.2))
	f.Add([]byte{0x80})
	f.Add([]byte{0x88, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := DecodePoWRequirement(in)
		if err != nil {
			if !errors.Is(err, ErrPacketMalformed) && !errors.Is(err, ErrInvalidPoW) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("accepted %v", v)
		}
		if back, err := DecodePoWRequirement(EncodePoWRequirement(v)); err != nil || back != v {
			t.Fatalf("round trip %v: %v %v", v, back, err)
		}
	})
}

// FuzzDecodeBloomPacket: accepted blooms are exactly 64 bytes and round-trip.
func FuzzDecodeBloomPacket(f *testing.F) {
	f.Add(EncodeBloomPacket(FullBloom()))
	f.Add([]byte{0x80})
	f.Add([]byte{0xb8, 0x40})
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := DecodeBloomPacket(in)
		if err != nil {
			if !errors.Is(err, ErrPacketMalformed) && !errors.Is(err, ErrInvalidBloom) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if back, err := DecodeBloomPacket(EncodeBloomPacket(b)); err != nil || back != b {
			t.Fatalf("round trip: %v", err)
		}
	})
}
