package whisper

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestPlaintextLayout(t *testing.T) {
	for _, c := range []struct {
		payload  int
		signed   bool
		fieldLen int
		total    int
	}{
		{0, false, 1, 256},
		{5, true, 1, 256},
		{253, false, 1, 256}, // 255 bytes: one byte of padding
		{254, false, 1, 512}, // exactly aligned: a full extra block
		{255, false, 1, 512},
		{256, false, 2, 512},
		{65535, false, 2, 65536 + 256},
		{65536, true, 3, 65536 + 256},
	} {
		raw, err := buildPlaintext(make([]byte, c.payload), nil, c.signed, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if int(raw[0]&SizeMask) != c.fieldLen || raw[0]&SignatureFlag != 0 {
			t.Errorf("payload %d: flags %02x, want size-field %d", c.payload, raw[0], c.fieldLen)
		}
		total := len(raw)
		if c.signed {
			total += SignatureLength
		}
		if total != c.total {
			t.Errorf("payload %d signed %v: total %d, want %d", c.payload, c.signed, total, c.total)
		}
		p, err := ParsePlaintext(raw)
		if err != nil || len(p.Payload) != c.payload {
			t.Errorf("payload %d: parse %v, %d bytes", c.payload, err, len(p.Payload))
		}
	}
	if _, err := buildPlaintext(make([]byte, MaxPayloadSize+1), nil, false, rand.Reader); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("oversized payload: %v", err)
	}
}

func TestPlaintextSizeFieldLittleEndian(t *testing.T) {
	raw, _ := buildPlaintext(make([]byte, 0x0102), []byte{}, false, nil)
	if !bytes.Equal(raw[:3], []byte{0x02, 0x02, 0x01}) {
		t.Fatalf("header %x, want 020201", raw[:3])
	}
	if len(raw) != 3+0x0102 {
		t.Fatalf("explicit empty padding must add nothing, got %d bytes", len(raw))
	}
}

func TestParsePlaintextStrictBounds(t *testing.T) {
	key, _ := crypto.GenerateKey()
	signed, _ := buildPlaintext([]byte("hi"), nil, true, rand.Reader)
	signed, _ = signPlaintext(signed, key)
	badV := append([]byte{}, signed...)
	badV[len(badV)-1] = 2
	tampered := append([]byte{}, signed...)
	tampered[3] ^= 1
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"empty", nil, ErrMessageMalformed},
		{"size field missing", []byte{0x02, 0x05}, ErrMessageMalformed},
		{"payload past end", []byte{0x01, 0x05, 'a', 'b'}, ErrMessageMalformed},
		{"payload into signature", append([]byte{0x05, 0x02, 'a'}, make([]byte, 65)...), ErrMessageMalformed},
		{"signed too short", append([]byte{0x04}, make([]byte, 65)...), ErrMessageMalformed},
		{"V = 2", badV, ErrInvalidSignature},
		{"zero signature", append([]byte{0x05, 0x00, 0x00}, make([]byte, 65)...), ErrInvalidSignature},
	}
	for _, c := range cases {
		if _, err := ParsePlaintext(c.raw); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// A tampered body still recovers *a* key, but not the signer's.
	if p, err := ParsePlaintext(tampered); err == nil && p.Src.X.Cmp(key.X) == 0 {
		t.Error("tampered message still attributed to the signer")
	}
	p, err := ParsePlaintext(signed)
	if err != nil || string(p.Payload) != "hi" || p.Src.X.Cmp(key.X) != 0 || len(p.Signature) != 65 {
		t.Fatalf("signed parse: %v", err)
	}
	// Size-field length 0: no payload, everything is padding (reference behaviour).
	p, err = ParsePlaintext([]byte{0x00, 1, 2, 3})
	if err != nil || len(p.Payload) != 0 || len(p.Padding) != 3 {
		t.Fatalf("size-field 0: %v", err)
	}
	// Payload and padding must not be able to grow into each other.
	p, _ = ParsePlaintext([]byte{0x01, 0x01, 'a', 'p'})
	if cap(p.Payload) != 1 || cap(p.Padding) != 1 {
		t.Fatalf("caps %d %d", cap(p.Payload), cap(p.Padding))
	}
}
