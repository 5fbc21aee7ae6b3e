package shh

import (
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// TestPostSealsAndSends: shh_post seals the envelope to the requested PoW
// and hands it to the router, or to the target peer as a P2P message; the
// answer is the envelope hash. A router failure is -32000.
func TestPostSealsAndSends(t *testing.T) {
	srv, w, _ := newFakeServer(t, Config{})
	c := rpc.DialInProc(srv)
	defer c.Close()
	var sym string
	if err := c.Call(&sym, "shh_addSymKey", "0x"+"22222222222222222222222222222222"+"22222222222222222222222222222222"); err != nil {
		t.Fatal(err)
	}
	var hash hexutil.Bytes
	req := map[string]any{"symKeyID": sym, "topic": "0xcd423760", "payload": "0x68656c6c6f", "powTarget": 0.002, "powTime": 1}
	if err := c.Call(&hash, "shh_post", req); err != nil {
		t.Fatal(err)
	}
	if len(w.sent) != 1 || w.sent[0].Hash().String() != hash.String() || w.sent[0].PoW(time.Now()) < 0.002 {
		t.Fatalf("sent %v, answered %s", w.sent, hash)
	}
	req["targetPeer"], req["powTarget"] = peerURL, 0
	if err := c.Call(&hash, "shh_post", req); err != nil {
		t.Fatal(err)
	}
	if got := w.p2p[w.peer]; len(got) != 1 || got[0].Hash().String() != hash.String() {
		t.Fatalf("p2p %v, answered %s", got, hash)
	}
	req["targetPeer"] = "enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30305"
	err := c.Call(&hash, "shh_post", req)
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32602 {
		t.Fatalf("unknown target peer: %v", err)
	}
	delete(req, "targetPeer")
	req["powTarget"] = 0.002
	w.sendErr = errors.New("whisper: not running")
	if err := c.Call(&hash, "shh_post", req); !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 || err.Error() != "whisper: not running" {
		t.Fatalf("router failure: %v", err)
	}
}

// TestSubscribeAfterClose: once the service is closed, shh_subscribe is
// refused with -32000 and Close returns without subscriptions to wait for.
func TestSubscribeAfterClose(t *testing.T) {
	srv, _, svc := newFakeServer(t, Config{})
	svc.Close()
	svc.Close() // idempotent
	var sym string
	c := rpc.DialInProc(srv)
	defer c.Close()
	c.Call(&sym, "shh_newSymKey")
	var id string
	c.Call(&id, "shh_newKeyPair")
	if id == "" {
		t.Fatal("shh_newKeyPair answered no ID")
	}
	ch := make(chan any)
	_, err := c.Subscribe(t.Context(), "shh", ch, "messages", map[string]any{"symKeyID": sym, "topics": []string{"0x01"}})
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 {
		t.Fatalf("subscribe after close: %v", err)
	}
}
