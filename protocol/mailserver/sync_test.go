package mailserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/statusnode/statusd/protocol/whisper"
)

func syncEnvelope(i byte, n int) *whisper.Envelope {
	return &whisper.Envelope{Expiry: 1_700_000_100 + uint32(i), TTL: 100, Topic: whisper.Topic{i, 1, 2, 3},
		Data: bytes.Repeat([]byte{i}, n), Nonce: uint64(i)}
}

func TestSyncRequestRoundTrip(t *testing.T) {
	c := &Cursor{Time: 1_700_000_000, Hash: common.Hash{7}}
	r := &SyncRequest{Lower: 10, Upper: 20, Bloom: whisper.Topic{1, 2, 3, 4}.Bloom(), Limit: 1000, Cursor: c}
	b := EncodeSyncRequest(r)
	if len(b) > MaxSyncRequestSize {
		t.Fatalf("%d bytes over MaxSyncRequestSize", len(b))
	}
	got, err := DecodeSyncRequest(b)
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*SyncRequest{{Lower: 1, Upper: 2}, {Lower: 1, Upper: 2, Limit: 1001}, {Lower: 3, Upper: 2, Limit: 1}} {
		if err := bad.Check(); !errors.Is(err, ErrInvalidLimit) && !errors.Is(err, ErrInvalidRange) {
			t.Fatalf("Check(%+v) = %v", bad, err)
		}
	}
}

// TestSyncRequestStatusGo: the body status-im/whisper v1.6 sends for
// SyncMailRequest{Lower: 1, Upper: 2, Bloom: 64 × 0xff, Limit: 1000} (RLP
// of the five fields in order, empty cursor).
func TestSyncRequestStatusGo(t *testing.T) {
	want := append([]byte{0xf8, 0x48, 0x01, 0x02, 0xb8, 0x40}, bytes.Repeat([]byte{0xff}, 64)...)
	want = append(want, 0x82, 0x03, 0xe8, 0x80)
	b := EncodeSyncRequest(&SyncRequest{Lower: 1, Upper: 2, Bloom: whisper.FullBloom(), Limit: 1000})
	if !bytes.Equal(b, want) {
		t.Fatalf("got %x\nwant %x", b, want)
	}
}

func TestSyncResponse(t *testing.T) {
	envs := []*whisper.Envelope{syncEnvelope(1, 450), syncEnvelope(2, 450), syncEnvelope(3, 5000), syncEnvelope(4, 10)}
	bodies, skipped := SyncBodies(envs, 1000)
	if skipped != 1 || len(bodies) != 2 {
		t.Fatalf("%d bodies, %d skipped", len(bodies), skipped)
	}
	var got []*whisper.Envelope
	for _, b := range bodies {
		if len(b) > 1000 {
			t.Fatalf("body of %d bytes", len(b))
		}
		r, err := DecodeSyncResponse(b, 1000)
		if err != nil || r.Done() {
			t.Fatalf("decode: %+v %v", r, err)
		}
		got = append(got, r.Envelopes...)
	}
	for i, want := range []*whisper.Envelope{envs[0], envs[1], envs[3]} {
		if got[i].Hash() != want.Hash() {
			t.Fatalf("envelope %d differs", i)
		}
	}
	final := &SyncResponse{Cursor: &Cursor{Time: 5, Hash: common.Hash{1}}, Final: true}
	r, err := DecodeSyncResponse(EncodeSyncResponse(final), 1000)
	if err != nil || !reflect.DeepEqual(r, final) || !r.Done() {
		t.Fatalf("final: %+v %v", r, err)
	}
	r, err = DecodeSyncResponse(EncodeSyncResponse(&SyncResponse{Error: "nope"}), 1000)
	if err != nil || r.Error != "nope" || !r.Done() {
		t.Fatalf("error: %+v %v", r, err)
	}
	if _, err := DecodeSyncResponse(EncodeSyncResponse(&SyncResponse{Envelopes: envs[2:3]}), 1000); !errors.Is(err, ErrSyncResponseMalformed) {
		t.Fatalf("oversized: %v", err)
	}
}

func FuzzDecodeSyncRequest(f *testing.F) {
	f.Add(EncodeSyncRequest(&SyncRequest{Lower: 1, Upper: 2, Bloom: whisper.FullBloom(), Limit: 10, Cursor: &Cursor{Time: 3}}))
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeSyncRequest(b)
		if err != nil {
			if !errors.Is(err, ErrRequestMalformed) && !errors.Is(err, ErrRequestTooLarge) &&
				!errors.Is(err, ErrInvalidBloom) && !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		back, err := DecodeSyncRequest(EncodeSyncRequest(r))
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Fatalf("re-encode: %+v %v", back, err)
		}
	})
}

func FuzzDecodeSyncResponse(f *testing.F) {
	bodies, _ := SyncBodies([]*whisper.Envelope{syncEnvelope(1, 30), syncEnvelope(2, 40)}, 4096)
	f.Add(bodies[0])
	f.Add(EncodeSyncResponse(&SyncResponse{Final: true, Cursor: &Cursor{Time: 9}}))
	f.Add(EncodeSyncResponse(&SyncResponse{Error: "x"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeSyncResponse(b, 4096)
		if err != nil {
			if !errors.Is(err, ErrSyncResponseMalformed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		back, err := DecodeSyncResponse(EncodeSyncResponse(r), 1<<20)
		if err != nil || len(back.Envelopes) != len(r.Envelopes) || back.Final != r.Final || back.Error != r.Error {
			t.Fatalf("re-encode: %+v %v", back, err)
		}
	})
}

// syncVectors is testdata/sync.json.
type syncVectors struct {
	Requests []struct {
		Lower, Upper uint32
		Bloom        hexutil.Bytes
		Limit        uint32
		Cursor       hexutil.Bytes
		RLP          hexutil.Bytes
	}
	Responses []struct {
		Envelopes []hexutil.Bytes
		Cursor    hexutil.Bytes
		Final     bool
		Error     string
		RLP       hexutil.Bytes
	}
}

// TestSyncVectors: statusd encodes the fields of testdata/sync.json to its
// bytes and decodes the bytes to its fields (interop/whisper-status checks
// the same file against status-im/whisper v1.6.2).
func TestSyncVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/sync.json")
	if err != nil {
		t.Fatal(err)
	}
	var v syncVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for i, r := range v.Requests {
		c, err := ParseCursor(r.Cursor)
		if err != nil {
			t.Fatal(err)
		}
		want := &SyncRequest{Lower: r.Lower, Upper: r.Upper, Bloom: whisper.Bloom(r.Bloom), Limit: r.Limit, Cursor: c}
		if got := EncodeSyncRequest(want); !bytes.Equal(got, r.RLP) {
			t.Errorf("request %d: encoded %x", i, got)
		}
		if got, err := DecodeSyncRequest(r.RLP); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("request %d: decoded %+v, %v", i, got, err)
		}
	}
	for i, r := range v.Responses {
		got, err := DecodeSyncResponse(r.RLP, 1<<20)
		if err != nil || got.Final != r.Final || got.Error != r.Error || !bytes.Equal(cursorBytes(got.Cursor), r.Cursor) || len(got.Envelopes) != len(r.Envelopes) {
			t.Fatalf("response %d: decoded %+v, %v", i, got, err)
		}
		for j, e := range got.Envelopes {
			if !bytes.Equal(e.AppendRLP(nil), r.Envelopes[j]) {
				t.Errorf("response %d envelope %d differs", i, j)
			}
		}
		if again := EncodeSyncResponse(got); !bytes.Equal(again, r.RLP) {
			t.Errorf("response %d: re-encoded %x", i, again)
		}
	}
}
