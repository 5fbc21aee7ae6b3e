package shhext

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// Pairing payloads as status-react 1.0's transport/shh.cljs sent them go
// to the messenger's pairing pass-through with their DH flag; one addressed
// to another key, sent to a public chat or failing validation is refused
// with -32602 naming the rule, and not sent.
func TestSendDirectMessagePairing(t *testing.T) {
	srv, fk := newFakeServer(t, false)
	c := rpc.DialInProc(srv)
	defer c.Close()
	ctx := context.Background()
	p2 := hexutil.Bytes(`["~#p2",["inst-self","desktop","laptop",null]]`)
	p1 := hexutil.Bytes(`["~#p1",[["^ "],["^ "],["^ ","~:public?",true,"~:chat-id","status"]]]`)
	var id string
	// :shh/send-pairing-message
	if err := c.CallContext(ctx, &id, "shhext_sendDirectMessage",
		map[string]any{"sig": selfKey, "pubKey": selfKey, "DH": true, "payload": p2}); err != nil || id == "" {
		t.Fatalf("p2: %q, %v", id, err)
	}
	// send-sync-installation through :shh/send-direct-message
	if err := c.CallContext(ctx, &id, "shhext_sendDirectMessage",
		map[string]any{"sig": selfKey, "pubKey": selfKey, "payload": p1}); err != nil {
		t.Fatalf("p1: %v", err)
	}
	want := []pairingSend{{Tag: "p2", DH: true}, {Tag: "p1"}}
	if !reflect.DeepEqual(fk.m.pairing, want) {
		t.Fatalf("sent %+v, want %+v", fk.m.pairing, want)
	}

	for _, c2 := range []struct {
		name, method string
		params       map[string]any
		rule         string
	}{
		{"p2 to another key", "shhext_sendDirectMessage", map[string]any{"pubKey": aliceKey, "DH": true, "payload": p2}, "rule not-own-device"},
		{"p1 to another key", "shhext_sendDirectMessage", map[string]any{"pubKey": aliceKey, "payload": p1}, "rule not-own-device"},
		{"p2 without installation id", "shhext_sendDirectMessage", map[string]any{"pubKey": selfKey, "DH": true,
			"payload": hexutil.Bytes(`["~#p2",[null,"desktop","laptop",null]]`)}, "rule shape"},
		{"p1 malformed", "shhext_sendDirectMessage", map[string]any{"pubKey": selfKey,
			"payload": hexutil.Bytes(`["~#p1",[1,2,3]]`)}, "rule shape"},
		{"p1 to a public chat", "shhext_sendPublicMessage", map[string]any{"chat": "status", "payload": p1}, "p1 payloads are not sent"},
	} {
		err := c.CallContext(ctx, &id, c2.method, c2.params)
		re, ok := err.(rpc.Error)
		if !ok || re.ErrorCode() != -32602 || !strings.Contains(err.Error(), c2.rule) {
			t.Errorf("%s: %v, want -32602 with %q", c2.name, err, c2.rule)
		}
	}
	if len(fk.m.pairing) != len(want) {
		t.Fatalf("invalid payloads sent: %+v", fk.m.pairing[len(want):])
	}
}
