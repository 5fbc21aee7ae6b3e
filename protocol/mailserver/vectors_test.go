package mailserver

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/whisper"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the code")

// vectors are computed from the §4.5 layouts with the keys and values of
// docs/PROTOCOL.md §10, §4.2, §5.7 and §5.10 (see helpers_test.go). The
// spec gives no mailserver byte vectors of its own; these pin our encoding
// so a change shows up in review. The request envelope vector is also
// checked semantically: it opens with PBKDF2("status-offline-inbox") and is
// signed by Alice.
type vectors struct {
	Comment         string `json:"comment"`
	PayloadRLP      string `json:"payload_rlp"`
	PayloadLegacy   string `json:"payload_legacy"`
	MessagesRequest string `json:"messages_request"`
	CompletionOK    string `json:"completion_ok"`
	CompletionError string `json:"completion_error"`
	RequestEnvelope string `json:"request_envelope"`
	RequestID       string `json:"request_id"`
}

func computeVectors(t *testing.T) vectors {
	p := samplePayload(t)
	env := sealRequest(t, p, RequestEnvelopeParams{
		NodeKey: mustKey(t, alicePrivHex), SymKey: inboxKey(t), PoW: whisper.StatusMinimumPoW,
	})
	id := common.BytesToHash([]byte("0123456789abcdef0123456789abcdef")) // a UUID's 32 hex chars
	return vectors{
		Comment: "payload: Lower 1564913600, Upper 1565000000, bloom(status), Limit 100, " +
			"cursor (1565000015, §5.10 hash), Batch; envelope: Alice node key, key PBKDF2(status-offline-inbox), " +
			"TTL 50, PoW 0.001, now 1565000000, math/rand seed 1",
		PayloadRLP:    hex.EncodeToString(EncodeRequestPayload(p)),
		PayloadLegacy: hex.EncodeToString(EncodeLegacyPayload(p)),
		MessagesRequest: hex.EncodeToString(EncodeMessagesRequest(&MessagesRequest{
			ID: id, From: p.Lower, To: p.Upper, Limit: 100, Cursor: p.Cursor, Bloom: p.Bloom,
		})),
		CompletionOK: hex.EncodeToString(EncodeCompletion(&Completion{
			RequestID: env.Hash(), LastEnvelopeHash: p.Cursor.Hash, Cursor: p.Cursor,
		})),
		CompletionError: hex.EncodeToString(EncodeCompletion(&Completion{RequestID: env.Hash(), Error: "query failed"})),
		RequestEnvelope: hex.EncodeToString(env.AppendRLP(nil)),
		RequestID:       env.Hash().Hex()[2:],
	}
}

func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	got := computeVectors(t)
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want vectors
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("vectors differ from %s:\n got %+v\nwant %+v", path, got, want)
	}
	// The stored envelope opens as a server would open it.
	r, err := DecodeRequestPacket(mustHex(t, want.RequestEnvelope), RequestKeys{Sym: inboxKey(t)},
		whisper.StatusMinimumPoW, whisper.DefaultMaxMessageSize, vectorNow)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(crypto.FromECDSAPub(r.Signer)) != alicePubHex {
		t.Fatal("signer is not Alice (§10)")
	}
	if r.ID.Hex()[2:] != want.RequestID || r.Bloom != statusBloom(t) {
		t.Fatalf("request %+v", r)
	}
	c, err := DecodeCompletion(mustHex(t, want.CompletionOK))
	if err != nil || c.RequestID != r.ID || !equalCursor(c.Cursor, sampleCursor()) {
		t.Fatalf("completion %+v %v", c, err)
	}
}
