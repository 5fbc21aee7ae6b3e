package mailserver

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/protocol/whisper"
)

func TestRequestPayloadRoundTrip(t *testing.T) {
	for _, p := range []*RequestPayload{
		samplePayload(t),
		{Lower: 1, Upper: 2, Bloom: whisper.FullBloom()},
		{Bloom: statusBloom(t), Limit: 7, Batch: false},
	} {
		got, form, err := DecodeRequestPayload(EncodeRequestPayload(p))
		if err != nil || form != FormEnvelope {
			t.Fatalf("decode: %v, form %v", err, form)
		}
		if got.Lower != p.Lower || got.Upper != p.Upper || got.Bloom != p.Bloom ||
			got.Limit != p.Limit || got.Batch != p.Batch || !equalCursor(got.Cursor, p.Cursor) {
			t.Fatalf("round trip: got %+v want %+v", got, p)
		}
	}
}

func TestRequestPayloadFiveElements(t *testing.T) {
	// [Lower, Upper, Bloom, Limit, Cursor] as the Dec 2019 spec documents it.
	full := EncodeRequestPayload(&RequestPayload{Lower: 5, Upper: 9, Bloom: statusBloom(t), Limit: 3})
	five := append([]byte{full[0] - 1}, full[1:len(full)-1]...) // drop the trailing 0x80 (false)
	if full[0] < 0xC0 || full[0] > 0xF7 {
		t.Skip("list header is not a short one")
	}
	p, form, err := DecodeRequestPayload(five)
	if err != nil || form != FormEnvelope || p.Limit != 3 || p.Batch {
		t.Fatalf("got %+v %v %v", p, form, err)
	}
}

func TestLegacyPayload(t *testing.T) {
	p := samplePayload(t)
	enc := EncodeLegacyPayload(p)
	if len(enc) != legacyMaxLength {
		t.Fatalf("length %d", len(enc))
	}
	got, form, err := DecodeRequestPayload(enc)
	if err != nil || form != FormLegacy {
		t.Fatalf("decode: %v %v", err, form)
	}
	if got.Lower != p.Lower || got.Upper != p.Upper || got.Bloom != p.Bloom || got.Limit != p.Limit ||
		!equalCursor(got.Cursor, p.Cursor) || got.Batch {
		t.Fatalf("got %+v", got)
	}
	// Eight bytes: full bloom, no limit.
	got, _, err = DecodeRequestPayload(enc[:8])
	if err != nil || !got.Bloom.IsFull() || got.Limit != 0 || got.Cursor != nil {
		t.Fatalf("short form: %+v %v", got, err)
	}
	for _, n := range []int{0, 7, legacyMaxLength + 1} {
		b := make([]byte, n)
		if _, _, err := DecodeRequestPayload(b); err == nil {
			t.Fatalf("%d bytes accepted", n)
		}
	}
}

func TestPayloadTooLarge(t *testing.T) {
	_, _, err := DecodeRequestPayload(make([]byte, MaxPayloadSize+1))
	if !errors.Is(err, ErrRequestTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestNormalize(t *testing.T) {
	p := &RequestPayload{Lower: 10, Bloom: statusBloom(t)}
	r, err := p.normalize(common.Hash{1}, FormEnvelope, vectorNow)
	if err != nil || r.Upper != uint32(vectorNow.Unix())+UpperSlack || r.Limit != DefaultLimit {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := (&RequestPayload{Lower: 10, Upper: 9}).normalize(common.Hash{}, FormEnvelope, vectorNow); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("lower > upper: %v", err)
	}
	wide := &RequestPayload{Lower: 0, Upper: MaxLegacyRange + 1}
	if _, err := wide.normalize(common.Hash{}, FormLegacy, vectorNow); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("legacy 24 h: %v", err)
	}
	if _, err := wide.normalize(common.Hash{}, FormEnvelope, vectorNow); err != nil {
		t.Fatalf("RLP form has no 24 h limit: %v", err)
	}
}

func TestMessagesRequest(t *testing.T) {
	m := &MessagesRequest{ID: common.Hash{9}, From: 100, To: 200, Limit: 50, Cursor: sampleCursor(), Bloom: statusBloom(t)}
	got, err := DecodeMessagesRequest(EncodeMessagesRequest(m))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.From != m.From || got.To != m.To || got.Limit != m.Limit ||
		got.Bloom != m.Bloom || !equalCursor(got.Cursor, m.Cursor) {
		t.Fatalf("got %+v", got)
	}
	r, err := got.Request()
	if err != nil || r.Form != FormDirect || !r.Batch || r.ID != m.ID {
		t.Fatalf("%+v %v", r, err)
	}
	bad := []struct {
		m    MessagesRequest
		want error
	}{
		{MessagesRequest{From: 2, To: 1, Bloom: m.Bloom}, ErrInvalidRange},
		{MessagesRequest{To: 1, Limit: MaxDirectLimit + 1, Bloom: m.Bloom}, ErrInvalidLimit},
		{MessagesRequest{To: 1}, ErrInvalidBloom},
	}
	for _, c := range bad {
		if _, err := c.m.Request(); !errors.Is(err, c.want) {
			t.Fatalf("%+v: %v, want %v", c.m, err, c.want)
		}
	}
	zero := MessagesRequest{To: 1, Bloom: m.Bloom}
	if r, _ := zero.Request(); r.Limit != MaxDirectLimit {
		t.Fatalf("limit 0 → %d", r.Limit)
	}
	if _, err := DecodeMessagesRequest(make([]byte, MaxDirectRequestSize+1)); !errors.Is(err, ErrRequestTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
}

func TestCursor(t *testing.T) {
	c := sampleCursor()
	got, err := ParseCursor(c.Bytes())
	if err != nil || *got != *c {
		t.Fatalf("%v %v", got, err)
	}
	legacy := append(c.Bytes(), 1, 2, 3, 4)
	if got, err = ParseCursor(legacy); err != nil || *got != *c {
		t.Fatalf("legacy: %v %v", got, err)
	}
	if got, err = ParseCursor(nil); got != nil || err != nil {
		t.Fatalf("empty: %v %v", got, err)
	}
	if _, err = ParseCursor(make([]byte, 35)); !errors.Is(err, ErrInvalidCursor) {
		t.Fatalf("35 bytes: %v", err)
	}
	a, b := Cursor{Time: 1, Hash: common.Hash{2}}, Cursor{Time: 1, Hash: common.Hash{3}}
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 || (Cursor{Time: 2}).Compare(b) != 1 {
		t.Fatal("Compare order")
	}
}

func TestCompletion(t *testing.T) {
	cases := []*Completion{
		{RequestID: common.Hash{1}, LastEnvelopeHash: common.Hash{2}},
		{RequestID: common.Hash{1}, LastEnvelopeHash: common.Hash{2}, Cursor: sampleCursor()},
		{RequestID: common.Hash{3}, Error: "limit exceeded"},
	}
	for _, c := range cases {
		got, err := DecodeCompletion(EncodeCompletion(c))
		if err != nil {
			t.Fatal(err)
		}
		if got.RequestID != c.RequestID || got.LastEnvelopeHash != c.LastEnvelopeHash ||
			!equalCursor(got.Cursor, c.Cursor) || got.Error != c.Error {
			t.Fatalf("got %+v want %+v", got, c)
		}
	}
	// RequestID alone is accepted.
	idOnly := append([]byte{0x80 + 32}, bytes.Repeat([]byte{7}, 32)...)
	if got, err := DecodeCompletion(idOnly); err != nil || got.RequestID[0] != 7 || got.Failed() {
		t.Fatalf("id only: %+v %v", got, err)
	}
	for _, n := range []int{0, 31, 33, 65, 99, 101} {
		body := append([]byte{0xB8, byte(n)}, make([]byte, n)...)
		if n < 56 {
			body = append([]byte{0x80 + byte(n)}, make([]byte, n)...)
		}
		if _, err := DecodeCompletion(body); !errors.Is(err, ErrCompletionMalformed) {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
	long := &Completion{RequestID: common.Hash{1}, Error: string(bytes.Repeat([]byte("é"), MaxErrorTextLength))}
	got, err := DecodeCompletion(EncodeCompletion(long))
	if err != nil || len(got.Error) > MaxErrorTextLength || !got.Failed() {
		t.Fatalf("long error: %d bytes, %v", len(got.Error), err)
	}
}
