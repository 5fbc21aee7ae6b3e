package whisper

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Fixed keys for the fuzz targets (throwaway test keys of docs/PROTOCOL.md §10).
var (
	fuzzBob, _    = crypto.HexToECDSA("0b0ed3f2a4e4e7f4ba0b3bb0d1ad7e0e9e4c3a6f4f7aa7c5a3e5c9e5b0f1a2b3")
	fuzzSymKey    = SymKey{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
	fuzzNow       = time.Unix(1565000000, 0)
	fuzzAlice, _  = crypto.HexToECDSA("838fbdd1b670209a258b90af25653a018bc582c44c56e6290a973eebbeb15732")
	fuzzRandBytes = bytes.Repeat([]byte{0x5a}, 4096)
)

func fuzzSeedEnvelopes(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, p := range []*MessageParams{
		{KeySym: &fuzzSymKey, Payload: []byte("hello"), Src: fuzzAlice},
		{KeySym: &fuzzSymKey, Payload: []byte{}},
		{Dst: &fuzzBob.PublicKey, Payload: []byte("to bob"), Src: fuzzAlice},
		{Dst: &fuzzBob.PublicKey, Payload: make([]byte, 300)},
	} {
		p.TTL = 10
		e, err := Wrap(p, fuzzNow, bytes.NewReader(fuzzRandBytes))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, e.AppendRLP(nil))
	}
	return seeds
}

// FuzzDecodeEnvelope checks DecodeEnvelope against go-ethereum's reflective
// RLP decoder: both accept exactly the same inputs, and what we accept
// re-encodes to the input byte for byte (so Hash is the hash of the wire bytes).
func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range fuzzSeedEnvelopes(f) {
		f.Add(s)
	}
	f.Add([]byte{0xc0})
	f.Add([]byte{0xc9, 0x00, 0x02, 0x84, 0, 0, 0, 0, 0x01, 0x80})
	f.Add([]byte{0xf9, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := DecodeEnvelope(in, MaxMessageSize)
		var ref refEnvelope
		refErr := rlp.DecodeBytes(in, &ref)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("ours: %v, go-ethereum rlp: %v", err, refErr)
		}
		if err != nil {
			if !errors.Is(err, ErrEnvelopeMalformed) && !errors.Is(err, ErrEnvelopeTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if e.Expiry != ref.Expiry || e.TTL != ref.TTL || e.Topic != Topic(ref.Topic) || !bytes.Equal(e.Data, ref.Data) || e.Nonce != ref.Nonce {
			t.Fatal("fields differ from the reference decoder")
		}
		if !bytes.Equal(e.AppendRLP(nil), in) {
			t.Fatal("re-encoding differs from input")
		}
		_ = e.PoW(fuzzNow)
		_, _ = DecodeP2PEnvelopes(in, MaxMessageSize)
	})
}

// FuzzDecodeEnvelopes feeds arbitrary packet bodies to the list decoders.
func FuzzDecodeEnvelopes(f *testing.F) {
	seeds := fuzzSeedEnvelopes(f)
	var envs []*Envelope
	for _, s := range seeds {
		e, _ := DecodeEnvelope(s, MaxMessageSize)
		envs = append(envs, e)
	}
	f.Add(EncodeEnvelopes(envs))
	f.Add(seeds[0])
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, in []byte) {
		list, err := DecodeEnvelopes(in, DefaultMaxMessageSize)
		if err == nil && !bytes.Equal(EncodeEnvelopes(list), in) {
			t.Fatal("list re-encoding differs from input")
		}
		_, _ = DecodeP2PEnvelopes(in, DefaultMaxMessageSize)
	})
}

// FuzzParsePlaintext: the §5.5 parser never panics, and what it accepts
// has payload and padding inside the plaintext, before any signature.
func FuzzParsePlaintext(f *testing.F) {
	signed, _ := buildPlaintext([]byte("hello"), nil, true, bytes.NewReader(fuzzRandBytes))
	signed, _ = signPlaintext(signed, fuzzAlice)
	unsigned, _ := buildPlaintext(make([]byte, 300), nil, false, bytes.NewReader(fuzzRandBytes))
	f.Add(signed)
	f.Add(unsigned)
	f.Add([]byte{0x00})
	f.Add([]byte{0x03, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := ParsePlaintext(raw)
		if err != nil {
			return
		}
		n := len(p.Payload) + len(p.Padding) + len(p.Signature) + 1 + int(p.Flags&SizeMask)
		if n != len(raw) {
			t.Fatalf("parts add up to %d of %d bytes", n, len(raw))
		}
		if (p.Signature != nil) != (p.Src != nil) {
			t.Fatal("signature without signer or the reverse")
		}
	})
}

// FuzzOpen feeds arbitrary Data to both open paths; they must not panic,
// and must fail with one of the package's sentinels.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeedEnvelopes(f) {
		e, _ := DecodeEnvelope(s, MaxMessageSize)
		f.Add(e.Data)
	}
	f.Add([]byte{})
	f.Add(make([]byte, ECIESOverhead))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := &Envelope{Expiry: 1565000010, TTL: 10, Data: data}
		for _, open := range []func() (*ReceivedMessage, error){
			func() (*ReceivedMessage, error) { return OpenSymmetric(e, &fuzzSymKey, fuzzNow) },
			func() (*ReceivedMessage, error) { return OpenAsymmetric(e, fuzzBob, fuzzNow) },
		} {
			m, err := open()
			if err == nil {
				if m.Signed() && len(m.Signature) != SignatureLength {
					t.Fatal("signer without a 65-byte signature")
				}
				continue
			}
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMessageMalformed) && !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("unexpected error kind: %v", err)
			}
		}
	})
}
