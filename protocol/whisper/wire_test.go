package whisper

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// refHash and refPoW are the straightforward definitions (§5.3, §5.4): hash
// the built encoding. Hash and PoW stream the encoding into a pooled state
// instead and must agree with them.
func refHash(e *Envelope) [32]byte { return crypto.Keccak256Hash(e.AppendRLP(nil)) }

func refPoW(e *Envelope, now time.Time) float64 {
	buf := e.RLPWithoutNonce()
	n := len(buf)
	buf = binary.BigEndian.AppendUint64(buf, e.Nonce)
	var h [32]byte
	copy(h[:], crypto.Keccak256(buf))
	return powValue(leadingZeroBits(&h), n, e.TTL+e.powDiff(now))
}

func checkHashes(t *testing.T, e *Envelope, now time.Time) {
	t.Helper()
	if got, want := e.Hash(), refHash(e); got != want {
		t.Fatalf("Hash %x, reference %x (data %d bytes)", got, want, len(e.Data))
	}
	if got, want := e.PoW(now), refPoW(e, now); got != want {
		t.Fatalf("PoW %v, reference %v (data %d bytes)", got, want, len(e.Data))
	}
}

// TestStreamedHashesMatchReference covers every RLP header shape: integers
// of each width, Data empty, one byte below and above 0x80, and lengths
// around the 55/56-byte and 256-byte header boundaries.
func TestStreamedHashesMatchReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	now := time.Unix(1565000000, 0)
	sizes := []int{0, 1, 2, 40, 54, 55, 56, 57, 200, 255, 256, 257, 1000, 65535, 65536, 70000}
	ints := []uint32{0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 1565000050, 0xffffffff}
	for _, size := range sizes {
		for _, x := range ints {
			data := make([]byte, size)
			rng.Read(data)
			e := &Envelope{Expiry: x, TTL: x/2 + 1, Topic: Topic{1, 2, 3, 4}, Data: data, Nonce: rng.Uint64() >> uint(rng.Intn(64))}
			checkHashes(t, e, now)
		}
	}
	for _, b := range []byte{0, 0x7f, 0x80, 0xff} {
		checkHashes(t, &Envelope{Expiry: 10, TTL: 5, Data: []byte{b}, Nonce: 0}, now)
	}
}

// FuzzDecodeEnvelopesWire: the zero-copy packet decoder accepts exactly what
// DecodeEnvelopes accepts, with the same fields; each Raw is the envelope's
// canonical RLP (so KeccakHash(Raw) is its Hash and Raw can be forwarded
// as is); and the streamed Hash and PoW equal the reference definitions.
func FuzzDecodeEnvelopesWire(f *testing.F) {
	seeds := fuzzSeedEnvelopes(f)
	var envs []*Envelope
	for _, s := range seeds {
		e, _ := DecodeEnvelope(s, MaxMessageSize)
		envs = append(envs, e)
		f.Add(EncodeEnvelopes([]*Envelope{e}))
	}
	f.Add(EncodeEnvelopes(envs))
	f.Add([]byte{0xc0})
	f.Add([]byte{0xca, 0xc9, 0x00, 0x02, 0x84, 0, 0, 0, 0, 0x01, 0x80})
	f.Add([]byte{0xcb, 0xca, 0x00, 0x02, 0x84, 0, 0, 0, 0, 0x81, 0x05, 0x80})
	f.Add([]byte{0xc4, 0x01, 0x02, 0x03, 0x04})
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := append([]byte{}, in...)
		want, wantErr := DecodeEnvelopes(in, DefaultMaxMessageSize)
		got, err := DecodeEnvelopesWire(in, DefaultMaxMessageSize)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("wire decoder: %v, copying decoder: %v", err, wantErr)
		}
		if err != nil {
			if err.Error() != wantErr.Error() {
				t.Fatalf("wire decoder error %q, copying decoder %q", err, wantErr)
			}
			if !errors.Is(err, ErrEnvelopeMalformed) && !errors.Is(err, ErrEnvelopeTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%d envelopes, copying decoder %d", len(got), len(want))
		}
		for i, w := range got {
			e := want[i]
			if w.Env.Expiry != e.Expiry || w.Env.TTL != e.TTL || w.Env.Topic != e.Topic || !bytes.Equal(w.Env.Data, e.Data) || w.Env.Nonce != e.Nonce {
				t.Fatalf("envelope %d: fields differ", i)
			}
			if !bytes.Equal(w.Raw, e.AppendRLP(nil)) {
				t.Fatalf("envelope %d: wire bytes differ from the re-encoding", i)
			}
			if KeccakHash(w.Raw) != e.Hash() || e.Hash() != refHash(e) {
				t.Fatalf("envelope %d: hash of wire bytes differs", i)
			}
			if w.Env.PoW(fuzzNow) != refPoW(e, fuzzNow) {
				t.Fatalf("envelope %d: PoW differs", i)
			}
		}
		if !bytes.Equal(in, orig) {
			t.Fatal("decoder modified its input")
		}
		// Detached copies keep their envelopes when the packet is
		// overwritten, and their Data still aliases their Raw.
		detached := make([]WireEnvelope, len(got))
		for i, w := range got {
			detached[i] = w.Detach()
		}
		clear(in)
		for i, d := range detached {
			e := want[i]
			if d.Env.Expiry != e.Expiry || d.Env.TTL != e.TTL || d.Env.Topic != e.Topic || !bytes.Equal(d.Env.Data, e.Data) || d.Env.Nonce != e.Nonce {
				t.Fatalf("detached envelope %d: fields differ", i)
			}
			if !bytes.Equal(d.Raw, e.AppendRLP(nil)) || cap(d.Raw) != len(d.Raw) {
				t.Fatalf("detached envelope %d: wire bytes differ, or their buffer is not their own", i)
			}
			if len(d.Env.Data) > 0 {
				d.Env.Data[0] ^= 0xff
				if bytes.Equal(d.Raw, e.AppendRLP(nil)) {
					t.Fatalf("detached envelope %d: Data does not alias Raw", i)
				}
				d.Env.Data[0] ^= 0xff
			}
		}
	})
}

// TestOpenKnownMatchesOpen: the prepared-cipher path gives the same message
// as OpenSymmetric / OpenAsymmetric.
func TestOpenKnownMatchesOpen(t *testing.T) {
	now := fuzzNow
	for _, p := range []*MessageParams{
		{KeySym: &fuzzSymKey, Payload: []byte("hello"), Src: fuzzAlice},
		{Dst: &fuzzBob.PublicKey, Payload: []byte("to bob")},
	} {
		p.TTL = 10
		e, err := Wrap(p, now, bytes.NewReader(fuzzRandBytes))
		if err != nil {
			t.Fatal(err)
		}
		var want, got *ReceivedMessage
		k := Known{PoW: e.PoW(now), Hash: e.Hash()}
		if p.KeySym != nil {
			want, err = OpenSymmetric(e, p.KeySym, now)
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewSymCipher(p.KeySym)
			if err != nil {
				t.Fatal(err)
			}
			got, err = OpenSymmetricKnown(e, c, k)
			if err != nil {
				t.Fatal(err)
			}
			other := SymKey{9}
			oc, _ := NewSymCipher(&other)
			if _, err := OpenSymmetricKnown(e, oc, k); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("wrong key: %v", err)
			}
		} else {
			want, err = OpenAsymmetric(e, fuzzBob, now)
			if err != nil {
				t.Fatal(err)
			}
			got, err = OpenAsymmetricKnown(e, fuzzBob, k)
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got.Raw, want.Raw) || got.PoW != want.PoW || got.EnvelopeHash != want.EnvelopeHash ||
			got.SymKeyHash != want.SymKeyHash || got.Sent != want.Sent || got.Signed() != want.Signed() {
			t.Fatalf("known-path message differs: %+v vs %+v", got, want)
		}
	}
	var zero SymKey
	if _, err := NewSymCipher(&zero); !errors.Is(err, ErrInvalidSymKey) {
		t.Fatalf("zero key: %v", err)
	}
}

// TestSymCipherScratch: a SymCipher opens into a reused buffer, yet every
// message it returns keeps its own plaintext, whatever is opened after it.
func TestSymCipherScratch(t *testing.T) {
	now := time.Unix(1_600_000_000, 0)
	c, err := NewSymCipher(&fuzzSymKey)
	if err != nil {
		t.Fatal(err)
	}
	other := SymKey{7}
	var kept []*ReceivedMessage
	for i, size := range []int{5, 300, maxScratchOpen, 2 * maxScratchOpen, 40} {
		payload := bytes.Repeat([]byte{byte('a' + i)}, size)
		e, err := Wrap(&MessageParams{KeySym: &fuzzSymKey, Payload: payload, TTL: 10}, now, bytes.NewReader(bytes.Repeat(fuzzRandBytes, 64)))
		if err != nil {
			t.Fatal(err)
		}
		m, err := OpenSymmetricKnown(e, c, Known{})
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, m)
		// A failed attempt with another key reuses the buffer too.
		f, err := Wrap(&MessageParams{KeySym: &other, Payload: payload, TTL: 10}, now, bytes.NewReader(bytes.Repeat(fuzzRandBytes, 64)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := OpenSymmetricKnown(f, c, Known{}); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("wrong key: %v", err)
		}
	}
	for i, m := range kept {
		if len(m.Payload) == 0 || !bytes.Equal(m.Payload, bytes.Repeat([]byte{byte('a' + i)}, len(m.Payload))) {
			t.Fatalf("message %d changed: %q", i, m.Payload[:min(len(m.Payload), 16)])
		}
	}
}
