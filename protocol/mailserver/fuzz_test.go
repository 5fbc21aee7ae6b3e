package mailserver

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/protocol/whisper"
)

// Each decoder must return a value or an error wrapping one of its
// sentinels, never panic; whatever decodes must re-encode to something that
// decodes to the same value.

func FuzzDecodeRequestPayload(f *testing.F) {
	p := samplePayload(f)
	f.Add(EncodeRequestPayload(p))
	f.Add(EncodeLegacyPayload(p))
	f.Add(EncodeLegacyPayload(p)[:8])
	f.Add(EncodeLegacyPayload(p)[:legacyLimitEnd])
	f.Add(EncodeRequestPayload(&RequestPayload{}))
	f.Add([]byte{0xC0})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, form, err := DecodeRequestPayload(b)
		if err != nil {
			if !errors.Is(err, ErrRequestMalformed) && !errors.Is(err, ErrRequestTooLarge) &&
				!errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		var again []byte
		if form == FormLegacy {
			again = EncodeLegacyPayload(got)
		} else {
			again = EncodeRequestPayload(got)
		}
		back, _, err := DecodeRequestPayload(again)
		if err != nil || back.Lower != got.Lower || back.Upper != got.Upper || back.Bloom != got.Bloom ||
			!equalCursor(back.Cursor, got.Cursor) {
			t.Fatalf("re-encode: %+v vs %+v (%v)", back, got, err)
		}
		if _, err := got.normalize(common.Hash{}, form, vectorNow); err != nil && !errors.Is(err, ErrInvalidRange) {
			t.Fatalf("normalize: %v", err)
		}
	})
}

func FuzzDecodeMessagesRequest(f *testing.F) {
	f.Add(EncodeMessagesRequest(&MessagesRequest{ID: common.Hash{1}, From: 1, To: 2, Limit: 3, Cursor: sampleCursor(), Bloom: statusBloom(f)}))
	f.Add(EncodeMessagesRequest(&MessagesRequest{}))
	f.Add([]byte{0xC6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessagesRequest(b)
		if err != nil {
			if !errors.Is(err, ErrRequestMalformed) && !errors.Is(err, ErrRequestTooLarge) &&
				!errors.Is(err, ErrInvalidCursor) && !errors.Is(err, ErrInvalidBloom) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !bytes.Equal(EncodeMessagesRequest(m), b) {
			t.Fatal("canonical RLP did not re-encode to the same bytes")
		}
		if _, err := m.Request(); err != nil && !errors.Is(err, ErrInvalidRange) &&
			!errors.Is(err, ErrInvalidLimit) && !errors.Is(err, ErrInvalidBloom) {
			t.Fatalf("validate: %v", err)
		}
	})
}

// FuzzDecodeRequestPacket drives the server's whole code-126 path with the
// default mailserver key; mutations of the sealed seed reach the PoW,
// decryption and signature checks.
func FuzzDecodeRequestPacket(f *testing.F) {
	alice := mustKey(f, alicePrivHex)
	env, err := NewRequestEnvelope(samplePayload(f), &RequestEnvelopeParams{
		NodeKey: alice, SymKey: inboxKey(f), PoW: whisper.StatusMinimumPoW, MaxNonces: 1 << 20,
	}, vectorNow, detRand(1))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(env.AppendRLP(nil))
	f.Add(EncodeMessagesRequest(&MessagesRequest{ID: common.Hash{1}, To: 2, Bloom: statusBloom(f)}))
	keys := RequestKeys{Sym: inboxKey(f)}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRequestPacket(b, keys, 0, 4096, vectorNow)
		if err == nil && (r.Limit == 0 || r.Lower > r.Upper) {
			t.Fatalf("invalid request accepted: %+v", r)
		}
	})
}

func FuzzDecodeCompletion(f *testing.F) {
	f.Add(EncodeCompletion(&Completion{RequestID: common.Hash{1}, LastEnvelopeHash: common.Hash{2}, Cursor: sampleCursor()}))
	f.Add(EncodeCompletion(&Completion{RequestID: common.Hash{1}}))
	f.Add(EncodeCompletion(&Completion{RequestID: common.Hash{1}, Error: "x"}))
	f.Add(append([]byte{0xA0}, make([]byte, 32)...))
	f.Add([]byte("\x86ERROR="))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCompletion(b)
		if err != nil {
			if !errors.Is(err, ErrCompletionMalformed) && !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		back, err := DecodeCompletion(EncodeCompletion(c))
		if err != nil || back.RequestID != c.RequestID || back.Failed() != c.Failed() ||
			(!c.Failed() && (back.LastEnvelopeHash != c.LastEnvelopeHash || !equalCursor(back.Cursor, c.Cursor))) {
			t.Fatalf("re-encode: %+v vs %+v (%v)", back, c, err)
		}
	})
}
