package shhext

import (
	"context"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/protocol/message"
)

// An oversized photo in a frontend's c2 is refused with -32602 naming the
// rule, and nothing changes.
func TestSendDirectMessageOversizedPhoto(t *testing.T) {
	srv, fk := newFakeServer(t, false)
	c := rpc.DialInProc(srv)
	defer c.Close()
	raw, err := message.Encode(&message.Contact{Tag: message.TagContactRequest, Name: "me",
		ProfileImage: "data:image/jpeg;base64," + strings.Repeat("A", message.MaxProfileImageBytes)})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	err = c.CallContext(context.Background(), &id, "shhext_sendDirectMessage",
		map[string]any{"pubKey": aliceKey, "payload": hexutil.Bytes(raw)})
	re, ok := err.(rpc.Error)
	if !ok || re.ErrorCode() != -32602 || !strings.Contains(err.Error(), "rule profile-image") {
		t.Fatalf("got %v", err)
	}
	if cs := fk.m.Contacts(); len(cs) != 0 {
		t.Fatalf("contacts changed: %+v", cs)
	}
}
