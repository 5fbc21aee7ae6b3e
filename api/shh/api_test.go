package shh

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/transport/whisper"
)

func newClient(t *testing.T, cfg Config) *rpc.Client {
	t.Helper()
	w, err := whisper.New(whisper.DefaultConfig(), nil, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	svc := New(w, cfg)
	srv := rpc.NewServer()
	if err := srv.RegisterName("shh", svc.API()); err != nil {
		t.Fatal(err)
	}
	c := rpc.DialInProc(srv)
	t.Cleanup(func() { c.Close(); srv.Stop(); svc.Close(); w.Stop() })
	return c
}

// TestInvalidParamsNameTheField: bad input answers -32602 and says which
// field is wrong.
func TestInvalidParamsNameTheField(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the client and service close
	c := newClient(t, Config{})
	var sym string
	if err := c.Call(&sym, "shh_newSymKey"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method string
		args   []any
		field  string
	}{
		{"shh_newMessageFilter", []any{map[string]any{"symKeyID": sym, "topics": []string{"0x0102030405"}}}, "topics[0]"},
		{"shh_newMessageFilter", []any{map[string]any{"symKeyID": sym}}, "topics"},
		{"shh_newMessageFilter", []any{map[string]any{"symKeyID": "nope", "topics": []string{"0x01"}}}, "symKeyID"},
		{"shh_newMessageFilter", []any{map[string]any{"privateKeyID": "x", "symKeyID": sym}}, "symKeyID"},
		{"shh_newMessageFilter", []any{map[string]any{"symKeyID": sym, "topics": []string{"0x01"}, "sig": "0x1234"}}, "sig"},
		{"shh_newMessageFilter", []any{map[string]any{"symKeyID": sym, "topics": []string{"0x01"}, "minPow": "high"}}, "minPow"},
		{"shh_post", []any{map[string]any{"symKeyID": sym, "payload": "0x01", "powTarget": 1}}, "topic"},
		{"shh_post", []any{map[string]any{"symKeyID": sym, "topic": "0x01020304", "payload": "zz", "powTarget": 1}}, "payload"},
		{"shh_post", []any{map[string]any{"symKeyID": sym, "topic": "0x01020304", "powTarget": 0}}, "powTarget"},
		{"shh_post", []any{map[string]any{"pubKey": "0x04", "topic": "0x01020304"}}, "pubKey"},
		{"shh_post", []any{map[string]any{"symKeyID": sym, "topic": "0x01020304", "payload": "0x01", "powTarget": 101}}, "powTarget"},
		{"shh_post", []any{map[string]any{"symKeyID": sym, "topic": "0x01020304", "payload": "0x01", "powTarget": 1, "powTime": 31}}, "powTime"},
		{"shh_getFilterMessages", []any{"missing"}, "id"},
		{"shh_deleteKeyPair", []any{"missing"}, "id"},
		{"shh_getSymKey", []any{"missing"}, "id"},
		{"shh_addSymKey", []any{"0x0102"}, "key"},
		{"shh_setBloomFilter", []any{"0x00"}, "bloom"},
		{"shh_setMinPoW", []any{-1}, "pow"},
		{"shh_setMinPoW", []any{1e308}, "0.002, the PoW the node's own messages"}, // would stop the node sending
		{"shh_setMaxMessageSize", []any{20 << 20}, "size"},
		{"shh_setMaxMessageSize", []any{1}, "below 262144 the node's own messages"},
		{"shh_markTrustedPeer", []any{"enode://bad"}, "enode"},
	}
	for _, tc := range cases {
		var res any
		err := c.Call(&res, tc.method, tc.args...)
		var rerr rpc.Error
		if !errors.As(err, &rerr) || rerr.ErrorCode() != -32602 || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s %v: %v, want -32602 naming %q", tc.method, tc.args, err, tc.field)
		}
	}
	var priv hexutil.Bytes
	var id string
	c.Call(&id, "shh_newKeyPair")
	if err := c.Call(&priv, "shh_getPrivateKey", id); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("getPrivateKey: %v", err)
	}
}

// TestPostAndPoll: a message posted with shh_post shows up in a polled
// filter and in a subscription, with the §5.11 shapes.
func TestPostAndPoll(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the client and service close
	c := newClient(t, Config{AllowPrivateKeyExport: true})
	var sym, kp, version string
	c.Call(&version, "shh_version")
	c.Call(&sym, "shh_generateSymKeyFromPassword", "status")
	c.Call(&kp, "shh_newKeyPair")
	var pub, priv hexutil.Bytes
	c.Call(&pub, "shh_getPublicKey", kp)
	if err := c.Call(&priv, "shh_getPrivateKey", kp); err != nil || len(priv) != 32 || len(pub) != 65 || version != "6.0" {
		t.Fatalf("keys %d %d %v, version %q", len(pub), len(priv), err, version)
	}
	crit := map[string]any{"symKeyID": sym, "topics": []string{"0xcd423760"}, "sig": pub.String()}
	var fid string
	if err := c.Call(&fid, "shh_newMessageFilter", crit); err != nil {
		t.Fatal(err)
	}
	ch := make(chan map[string]any, 4)
	sub, err := c.Subscribe(context.Background(), "shh", ch, "messages", crit)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	var hash hexutil.Bytes
	if err := c.Call(&hash, "shh_post", map[string]any{"symKeyID": sym, "sig": kp, "topic": "0xcd423760", "payload": "0x68656c6c6f", "powTarget": 0.002, "powTime": 2}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ch:
		if m["payload"] != "0x68656c6c6f" || m["sig"] != pub.String() || m["hash"] != hash.String() || m["topic"] != "0xcd423760" || m["ttl"] != float64(50) {
			t.Fatalf("notification %v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
	var msgs []map[string]any
	if err := c.Call(&msgs, "shh_getFilterMessages", fid); err != nil || len(msgs) != 1 {
		t.Fatalf("poll: %v %v", msgs, err)
	}
	var info whisper.Info
	if err := c.Call(&info, "shh_info"); err != nil || info.Messages != 1 || info.MinPow != 0.001 {
		t.Fatalf("info %+v %v", info, err)
	}
}

// TestAddPrivateKey: a valid key is accepted, and its ID is the same
// deterministic ID the key pair gets everywhere (spec §5.9), so
// shh_getPublicKey on it answers the key's public half.
func TestAddPrivateKey(t *testing.T) {
	c := newClient(t, Config{})
	key := hexutil.MustDecode("0x" + strings.Repeat("11", 32))
	var id string
	if err := c.Call(&id, "shh_addPrivateKey", hexutil.Bytes(key)); err != nil {
		t.Fatalf("shh_addPrivateKey: %v", err)
	}
	var pub hexutil.Bytes
	if err := c.Call(&pub, "shh_getPublicKey", id); err != nil || len(pub) != 65 || pub[0] != 4 {
		t.Fatalf("shh_getPublicKey(%s) = %x, %v", id, pub, err)
	}
	var again string
	if err := c.Call(&again, "shh_addPrivateKey", hexutil.Bytes(key)); err != nil || again != id {
		t.Fatalf("adding the same key again: %q, %v", again, err)
	}
}
