package whisper

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// refEnvelope is the plain struct go-ethereum's reflective RLP codec sees;
// it is the reference our hand-written codec is checked against.
type refEnvelope struct {
	Expiry uint32
	TTL    uint32
	Topic  [4]byte
	Data   []byte
	Nonce  uint64
}

func randomEnvelope(r *rand.Rand) *Envelope {
	sizes := []int{0, 1, 2, 55, 56, 255, 256, 1024, 70000}
	data := make([]byte, sizes[r.IntN(len(sizes))])
	for i := range data {
		data[i] = byte(r.UintN(256))
	}
	widths := []uint{0, 7, 8, 16, 32, 64}
	w := widths[r.IntN(len(widths))]
	return &Envelope{
		Expiry: r.Uint32() >> (r.UintN(33) % 32),
		TTL:    r.Uint32() >> (r.UintN(33) % 32),
		Topic:  randomTopic(r),
		Data:   data,
		Nonce:  r.Uint64() >> (64 - w) >> 1 * 2, // mixes 0 and wide values
	}
}

func TestEnvelopeRLPMatchesReflectiveCodec(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 500; i++ {
		e := randomEnvelope(r)
		want, err := rlp.EncodeToBytes(&refEnvelope{e.Expiry, e.TTL, e.Topic, e.Data, e.Nonce})
		if err != nil {
			t.Fatal(err)
		}
		got := e.AppendRLP(nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("encoding differs for %+v", e.Topic)
		}
		short, _ := rlp.EncodeToBytes([]any{e.Expiry, e.TTL, e.Topic, e.Data})
		if !bytes.Equal(e.RLPWithoutNonce(), short) {
			t.Fatal("RLP without nonce differs")
		}
		if e.Hash() != crypto.Keccak256Hash(want) {
			t.Fatal("hash differs")
		}
		dec, err := DecodeEnvelope(got, MaxMessageSize)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dec.AppendRLP(nil), got) || dec.Size() != e.Size() {
			t.Fatal("decode/encode round trip differs")
		}
	}
}

func TestDecodeEnvelopeErrors(t *testing.T) {
	good := (&Envelope{Expiry: 1000, TTL: 10, Topic: Topic{1, 2, 3, 4}, Data: make([]byte, 100), Nonce: 5}).AppendRLP(nil)
	enc := func(v any) []byte { b, _ := rlp.EncodeToBytes(v); return b }
	cases := []struct {
		name string
		in   []byte
		max  uint32
		want error
	}{
		{"too large", good, 119, ErrEnvelopeTooLarge},
		{"huge input", make([]byte, 200), 100, ErrEnvelopeTooLarge},
		{"empty", nil, 1000, ErrEnvelopeMalformed},
		{"not a list", enc([]byte("abc")), 1000, ErrEnvelopeMalformed},
		{"trailing", append(append([]byte{}, good...), 0x80), 1000, ErrEnvelopeMalformed},
		{"too few", enc([]any{uint32(1), uint32(2), [4]byte{}, []byte{1}}), 1000, ErrEnvelopeMalformed},
		{"too many", enc([]any{uint32(1), uint32(2), [4]byte{}, []byte{1}, uint64(0), uint64(0)}), 1000, ErrEnvelopeMalformed},
		{"topic 3 bytes", enc([]any{uint32(1), uint32(2), []byte{1, 2, 3}, []byte{1}, uint64(0)}), 1000, ErrEnvelopeMalformed},
		{"expiry overflow", enc([]any{uint64(1) << 32, uint32(2), [4]byte{}, []byte{1}, uint64(0)}), 1000, ErrEnvelopeMalformed},
		{"non-canonical int", []byte{0xc9, 0x00, 0x02, 0x84, 0, 0, 0, 0, 0x01, 0x80}, 1000, ErrEnvelopeMalformed},
		{"list as data", enc([]any{uint32(1), uint32(2), [4]byte{}, []any{}, uint64(0)}), 1000, ErrEnvelopeMalformed},
		{"list as ttl", enc([]any{uint32(1), []any{}, [4]byte{}, []byte{}, uint64(0)}), 1000, ErrEnvelopeMalformed},
	}
	for _, c := range cases {
		if _, err := DecodeEnvelope(c.in, c.max); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := DecodeEnvelope(good, 120); err != nil {
		t.Errorf("size exactly at limit: %v", err)
	}
}

func TestDecodeEnvelopeDoesNotAlias(t *testing.T) {
	in := (&Envelope{Expiry: 9, TTL: 1, Data: []byte("payload bytes")}).AppendRLP(nil)
	e, err := DecodeEnvelope(in, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 0xEE
	}
	if string(e.Data) != "payload bytes" {
		t.Fatal("Data aliases the input")
	}
}

func TestEnvelopeLists(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	envs := []*Envelope{randomEnvelope(r), randomEnvelope(r), randomEnvelope(r)}
	body := EncodeEnvelopes(envs)
	// The reflective codec (rlp.Decoder/Encoder methods) must agree.
	ref, err := rlp.EncodeToBytes(envs)
	if err != nil || !bytes.Equal(ref, body) {
		t.Fatalf("EncodeEnvelopes differs from rlp.EncodeToBytes: %v", err)
	}
	var viaRLP []*Envelope
	if err := rlp.DecodeBytes(body, &viaRLP); err != nil || len(viaRLP) != 3 {
		t.Fatalf("rlp.DecodeBytes: %v", err)
	}
	got, err := DecodeEnvelopes(body, MaxMessageSize)
	if err != nil || len(got) != 3 {
		t.Fatalf("DecodeEnvelopes: %d %v", len(got), err)
	}
	for i := range envs {
		if got[i].Hash() != envs[i].Hash() || viaRLP[i].Hash() != envs[i].Hash() {
			t.Fatalf("envelope %d differs", i)
		}
	}
	// Code 127 accepts a list or a single envelope (§4.5).
	if p2p, err := DecodeP2PEnvelopes(body, MaxMessageSize); err != nil || len(p2p) != 3 {
		t.Fatalf("p2p list: %d %v", len(p2p), err)
	}
	single := envs[0].AppendRLP(nil)
	if p2p, err := DecodeP2PEnvelopes(single, MaxMessageSize); err != nil || len(p2p) != 1 || p2p[0].Hash() != envs[0].Hash() {
		t.Fatalf("p2p single: %v", err)
	}
	if empty, err := DecodeEnvelopes([]byte{0xc0}, MaxMessageSize); err != nil || len(empty) != 0 {
		t.Fatalf("empty list: %v", err)
	}
	if _, err := DecodeEnvelopes(append(body, 0), MaxMessageSize); !errors.Is(err, ErrEnvelopeMalformed) {
		t.Fatalf("trailing byte: %v", err)
	}
	if _, err := DecodeEnvelopes(EncodeEnvelopes(envs), 50); !errors.Is(err, ErrEnvelopeTooLarge) && len(envs[0].Data) > 30 {
		t.Fatalf("limit per envelope: %v", err)
	}
}

func TestEnvelopeTimes(t *testing.T) {
	e := &Envelope{Expiry: 1000, TTL: 15}
	if e.Sent() != 985 {
		t.Fatal("Sent")
	}
	if e.Expired(time.Unix(1000, 0)) || !e.Expired(time.Unix(1001, 0)) {
		t.Fatal("Expired")
	}
	if e.Bloom() != TopicToBloom(e.Topic) {
		t.Fatal("Bloom")
	}
}

func TestCheckEnvelope(t *testing.T) {
	now := time.Unix(10000, 0)
	topic := TopicFromName("status")
	other := TopicFromName("contact-discovery")
	p := &AcceptParams{MaxMessageSize: 1000, MinPoW: 0, MinPoWTolerance: 0, Bloom: BloomFromTopics(topic)}
	mk := func(sent int64, ttl uint32, size int, tp Topic) *Envelope {
		return &Envelope{Expiry: uint32(sent) + ttl, TTL: ttl, Topic: tp, Data: make([]byte, size)}
	}
	cases := []struct {
		name string
		e    *Envelope
		want error
	}{
		{"ok", mk(10000, 15, 10, topic), nil},
		{"future within allowance", mk(10010, 15, 10, topic), nil},
		{"future beyond allowance", mk(10011, 15, 10, topic), ErrEnvelopeFromFuture},
		{"just expired", mk(10000-20, 15, 10, topic), ErrEnvelopeExpired},
		{"expired 20 s ago", mk(10000-35, 15, 10, topic), ErrEnvelopeExpired},
		{"very old", mk(10000-36, 15, 10, topic), ErrEnvelopeVeryOld},
		{"too large", mk(10000, 15, 981, topic), ErrEnvelopeTooLarge},
		{"size at limit", mk(10000, 15, 980, topic), nil},
		{"bloom mismatch", mk(10000, 15, 10, other), ErrBloomMismatch},
	}
	for _, c := range cases {
		if _, err := CheckEnvelope(c.e, now, p); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if !IsTimeSyncError(errorOf(CheckEnvelope(mk(10011, 15, 10, topic), now, p))) {
		t.Error("from-future must be a time-sync error")
	}
	// The previous bloom is still honoured.
	prev := BloomFromTopics(other)
	p.BloomTolerance = &prev
	if _, err := CheckEnvelope(mk(10000, 15, 10, other), now, p); err != nil {
		t.Errorf("bloom tolerance: %v", err)
	}
	// PoW: below both minimum and tolerance fails; above tolerance passes.
	e := mk(10000, 15, 10, topic)
	pow := e.PoW(now)
	p.MinPoW, p.MinPoWTolerance = pow*2, pow*2
	if _, err := CheckEnvelope(e, now, p); !errors.Is(err, ErrPoWTooLow) {
		t.Errorf("low PoW: %v", err)
	}
	p.MinPoWTolerance = pow
	if got, err := CheckEnvelope(e, now, p); err != nil || got != pow {
		t.Errorf("PoW tolerance: %v %v", got, err)
	}
	// A PoW computed by the caller is used as given.
	if got, err := CheckEnvelopeWithPoW(e, now, p, pow); err != nil || got != pow {
		t.Errorf("known PoW: %v %v", got, err)
	}
	if _, err := CheckEnvelopeWithPoW(e, now, p, pow/2); !errors.Is(err, ErrPoWTooLow) {
		t.Errorf("known low PoW: %v", err)
	}
	// A future envelope's PoW carries the §5.4 diff.
	f := mk(10005, 15, 10, topic)
	if got, _ := CheckEnvelope(f, now, p); got != f.PoW(now) || got >= f.PoW(time.Unix(10005, 0)) {
		t.Errorf("future PoW %v not reduced", got)
	}
}

func errorOf(_ float64, err error) error { return err }
