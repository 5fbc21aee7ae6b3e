package mailserver

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/whisper"
)

func sealRequest(t *testing.T, p *RequestPayload, params RequestEnvelopeParams) *whisper.Envelope {
	t.Helper()
	if params.MaxNonces == 0 {
		params.MaxNonces = 1 << 20
	}
	env, err := NewRequestEnvelope(p, &params, vectorNow, detRand(1))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestRequestEnvelopeSymmetric(t *testing.T) {
	alice := mustKey(t, alicePrivHex)
	env := sealRequest(t, samplePayload(t), RequestEnvelopeParams{NodeKey: alice, SymKey: inboxKey(t), PoW: whisper.StatusMinimumPoW})
	body := env.AppendRLP(nil)
	r, err := DecodeRequestPacket(body, RequestKeys{Sym: inboxKey(t)}, whisper.StatusMinimumPoW, whisper.DefaultMaxMessageSize, vectorNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != env.Hash() || r.Form != FormEnvelope || !r.Batch || r.Limit != 100 || !equalCursor(r.Cursor, sampleCursor()) {
		t.Fatalf("request %+v", r)
	}
	if !r.Signer.Equal(&alice.PublicKey) {
		t.Fatal("signer is not Alice")
	}
}

// TestRequestEnvelopeLegacy: with Legacy the payload is the binary form
// (what go-ethereum v1.9.20's mailserver reads: lower ‖ upper ‖ bloom
// first), and a server decodes it as FormLegacy with the same range.
func TestRequestEnvelopeLegacy(t *testing.T) {
	alice := mustKey(t, alicePrivHex)
	p := samplePayload(t)
	p.Cursor = nil
	env := sealRequest(t, p, RequestEnvelopeParams{NodeKey: alice, SymKey: inboxKey(t), PoW: whisper.StatusMinimumPoW, Legacy: true})
	msg, err := whisper.OpenSymmetric(env, inboxKey(t), vectorNow)
	if err != nil {
		t.Fatal(err)
	}
	want := EncodeLegacyPayload(p)
	if string(msg.Payload) != string(want) {
		t.Fatalf("payload %x, want the legacy form %x", msg.Payload, want)
	}
	got, form, err := DecodeRequestPayload(msg.Payload)
	if err != nil || form != FormLegacy || got.Lower != p.Lower || got.Upper != p.Upper || got.Bloom != p.Bloom {
		t.Fatalf("decoded %+v, form %v, err %v", got, form, err)
	}
}

func TestRequestEnvelopeAsymmetric(t *testing.T) {
	alice, server := mustKey(t, alicePrivHex), mustKey(t, bobPrivHex)
	env := sealRequest(t, &RequestPayload{Lower: 1, Upper: 2, Bloom: whisper.FullBloom()},
		RequestEnvelopeParams{NodeKey: alice, ServerKey: &server.PublicKey, PoW: whisper.StatusMinimumPoW})
	// Both keys configured: the symmetric attempt fails, the node key opens it.
	keys := RequestKeys{Sym: inboxKey(t), Node: server}
	r, err := OpenRequest(env, keys, vectorNow)
	if err != nil || r.Lower != 1 || r.Upper != 2 || r.Limit != DefaultLimit {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := OpenRequest(env, RequestKeys{Sym: inboxKey(t)}, vectorNow); !errors.Is(err, ErrOpenRequest) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := OpenRequest(env, RequestKeys{}, vectorNow); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
}

func TestRequestEnvelopeChecks(t *testing.T) {
	alice := mustKey(t, alicePrivHex)
	env := sealRequest(t, samplePayload(t), RequestEnvelopeParams{NodeKey: alice, SymKey: inboxKey(t), PoW: whisper.StatusMinimumPoW})
	keys := RequestKeys{Sym: inboxKey(t)}
	if err := CheckRequestEnvelope(env, 1e9, vectorNow); !errors.Is(err, ErrPoWTooLow) {
		t.Fatalf("PoW: %v", err)
	}
	if _, err := DecodeRequestPacket(env.AppendRLP(nil), keys, 1e9, whisper.DefaultMaxMessageSize, vectorNow); !errors.Is(err, ErrPoWTooLow) {
		t.Fatalf("packet PoW: %v", err)
	}
	// An unsigned request is refused.
	unsigned, err := whisper.Seal(&whisper.MessageParams{
		KeySym: inboxKey(t), Payload: EncodeRequestPayload(samplePayload(t)),
	}, vectorNow, detRand(2), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenRequest(unsigned, keys, vectorNow); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("unsigned: %v", err)
	}
	// A signed envelope whose payload is no request.
	junk, err := whisper.Seal(&whisper.MessageParams{
		Src: alice, KeySym: inboxKey(t), Payload: []byte{1, 2, 3},
	}, vectorNow, detRand(3), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenRequest(junk, keys, vectorNow); !errors.Is(err, ErrRequestMalformed) {
		t.Fatalf("junk payload: %v", err)
	}
	if _, err := NewRequestEnvelope(samplePayload(t), &RequestEnvelopeParams{SymKey: inboxKey(t)}, vectorNow, detRand(4)); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("no node key: %v", err)
	}
}

func TestDecodeRequestPacketDirect(t *testing.T) {
	m := &MessagesRequest{ID: crypto.Keccak256Hash([]byte("id")), From: 1, To: 2, Bloom: statusBloom(t)}
	r, err := DecodeRequestPacket(EncodeMessagesRequest(m), RequestKeys{}, 0, whisper.DefaultMaxMessageSize, vectorNow)
	if err != nil || r.Form != FormDirect || r.ID != m.ID {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := DecodeRequestPacket([]byte{0xC0}, RequestKeys{}, 0, whisper.DefaultMaxMessageSize, vectorNow); !errors.Is(err, ErrRequestMalformed) {
		t.Fatalf("empty list: %v", err)
	}
}

func TestDecodeRequestPacketTooLarge(t *testing.T) {
	alice := mustKey(t, alicePrivHex)
	env := sealRequest(t, samplePayload(t), RequestEnvelopeParams{NodeKey: alice, SymKey: inboxKey(t)})
	_, err := DecodeRequestPacket(env.AppendRLP(nil), RequestKeys{Sym: inboxKey(t)}, 0, 64, vectorNow)
	if !errors.Is(err, ErrRequestTooLarge) || !errors.Is(err, whisper.ErrEnvelopeTooLarge) {
		t.Fatalf("err = %v", err)
	}
}
