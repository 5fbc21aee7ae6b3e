package interop

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/status-im/whisper/whisperv6"
)

// TestSyncVectors: status-im/whisper v1.6.2's SyncMailRequest and
// SyncResponse (codes 123/124) decode the bodies of
// protocol/mailserver/testdata/sync.json to the fields written there and
// encode those fields to the same bytes; statusd's codec is checked
// against the same file (protocol/mailserver TestSyncVectors).
func TestSyncVectors(t *testing.T) {
	raw, err := os.ReadFile("../../protocol/mailserver/testdata/sync.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
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
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for i, r := range v.Requests {
		want := whisperv6.SyncMailRequest{Lower: r.Lower, Upper: r.Upper, Bloom: r.Bloom, Limit: r.Limit, Cursor: r.Cursor}
		var got whisperv6.SyncMailRequest
		if err := rlp.DecodeBytes(r.RLP, &got); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if len(got.Cursor) == 0 {
			got.Cursor = want.Cursor
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("request %d: decoded %+v", i, got)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
		if b, err := rlp.EncodeToBytes(want); err != nil || !bytes.Equal(b, r.RLP) {
			t.Errorf("request %d: encoded %x, %v", i, b, err)
		}
	}
	for i, r := range v.Responses {
		var got whisperv6.SyncResponse
		if err := rlp.DecodeBytes(r.RLP, &got); err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if got.Final != r.Final || got.Error != r.Error || !bytes.Equal(got.Cursor, r.Cursor) || len(got.Envelopes) != len(r.Envelopes) {
			t.Fatalf("response %d: decoded %+v", i, got)
		}
		for j, e := range got.Envelopes {
			if b, err := rlp.EncodeToBytes(e); err != nil || !bytes.Equal(b, r.Envelopes[j]) {
				t.Errorf("response %d envelope %d: %x, %v", i, j, b, err)
			}
		}
		if b, err := rlp.EncodeToBytes(got); err != nil || !bytes.Equal(b, r.RLP) {
			t.Errorf("response %d: re-encoded %x, %v", i, b, err)
		}
	}
}
