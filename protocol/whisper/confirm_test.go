package whisper

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestConfirmationVectors: the wire forms of codes 11 and 12 (§4.6), as the
// Status fork writes them: the batch hash as an RLP string, and
// [1, [batch, [[hash, code, description]…]]].
func TestConfirmationVectors(t *testing.T) {
	batch := common.HexToHash("0x" + "11" + "00000000000000000000000000000000000000000000000000000000000022")
	if got := EncodeBatchAck(batch); !bytes.Equal(got, append([]byte{0xa0}, batch[:]...)) {
		t.Fatalf("batch ack %x", got)
	}
	empty := EncodeMessageResponse(MessageResponse{Batch: batch})
	want, _ := hex.DecodeString("e401e2a0" + hex.EncodeToString(batch[:]) + "c0")
	if !bytes.Equal(empty, want) {
		t.Fatalf("empty response\n got %x\nwant %x", empty, want)
	}
	r := MessageResponse{Batch: batch, Errors: []EnvelopeError{
		{Hash: common.HexToHash("0x01"), Code: EnvelopeTimeNotSynced, Description: "envelope from the future"},
		{Hash: common.HexToHash("0x02"), Code: EnvelopeOtherError, Description: "x"},
	}}
	for _, in := range []MessageResponse{r, {Batch: batch}} {
		got, ok, err := DecodeMessageResponse(EncodeMessageResponse(in))
		if err != nil || !ok || got.Batch != in.Batch || len(got.Errors) != len(in.Errors) || (len(in.Errors) > 0 && !reflect.DeepEqual(got.Errors, in.Errors)) {
			t.Fatalf("round trip %+v: %+v %v %v", in, got, ok, err)
		}
	}
	if h, err := DecodeBatchAck(EncodeBatchAck(batch)); err != nil || h != batch {
		t.Fatalf("batch ack round trip: %v %v", h, err)
	}
	// Another version is ignored, not an error.
	if _, ok, err := DecodeMessageResponse([]byte{0xc3, 0x02, 0xc1, 0x80}); ok || err != nil {
		t.Fatalf("version 2: %v %v", ok, err)
	}
	for _, bad := range [][]byte{{}, {0x80}, {0xc2, 0x01, 0xc0}, {0xc1, 0x01}} {
		if _, _, err := DecodeMessageResponse(bad); !errors.Is(err, ErrPacketMalformed) {
			t.Errorf("response %x: %v", bad, err)
		}
	}
	for _, bad := range [][]byte{{}, {0x80}, append([]byte{0x9f}, make([]byte, 31)...), append(EncodeBatchAck(batch), 0)} {
		if _, err := DecodeBatchAck(bad); !errors.Is(err, ErrPacketMalformed) {
			t.Errorf("batch ack %x: %v", bad, err)
		}
	}
}

// FuzzDecodeConfirmations: codes 11 and 12 fail with ErrPacketMalformed or
// decode to values that re-encode to what decodes the same.
func FuzzDecodeConfirmations(f *testing.F) {
	f.Add(EncodeBatchAck(common.Hash{1}))
	f.Add(EncodeMessageResponse(MessageResponse{Batch: common.Hash{2}, Errors: []EnvelopeError{{Hash: common.Hash{3}, Code: 1, Description: "d"}}}))
	f.Add([]byte{0xc2, 0x01, 0xc0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if h, err := DecodeBatchAck(in); err != nil {
			if !errors.Is(err, ErrPacketMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
		} else if back, _ := DecodeBatchAck(EncodeBatchAck(h)); back != h {
			t.Fatal("batch ack does not round-trip")
		}
		r, ok, err := DecodeMessageResponse(in)
		if err != nil {
			if !errors.Is(err, ErrPacketMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if !ok {
			return
		}
		if len(r.Errors) > MaxResponseErrors {
			t.Fatalf("%d errors", len(r.Errors))
		}
		back, ok, err := DecodeMessageResponse(EncodeMessageResponse(r))
		if err != nil || !ok || back.Batch != r.Batch || len(back.Errors) != len(r.Errors) {
			t.Fatalf("re-encode: %+v %v %v", back, ok, err)
		}
	})
}
