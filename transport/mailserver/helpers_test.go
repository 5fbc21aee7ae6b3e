package mailserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/metrics"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/devp2p"
	"github.com/statusnode/statusd/transport/whisper"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

// testNode is a Whisper router on a real devp2p server on 127.0.0.1.
type testNode struct {
	w   *whisper.Whisper
	p2p *devp2p.Server
	key *ecdsa.PrivateKey // devp2p node key
	reg *metrics.Registry
	// skew is added to the router's clock: advancing it lets the pool's
	// envelopes expire without waiting.
	skew atomic.Int64
}

func newNode(t *testing.T, name string) *testNode {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := whisper.DefaultConfig()
	cfg.MinPoW = 0.001
	// TestBadRequests raises a mailserver's minimum PoW above what clients
	// seal to; these nodes send nothing that needs it.
	cfg.MaxSettablePoW = 1000
	n := &testNode{key: key}
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(n.skew.Load())) }
	reg := metrics.NewRegistry()
	log := zaptest.NewLogger(t).Named(name)
	w, err := whisper.New(cfg, nil, log, reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Stop() })
	srv, err := devp2p.New(devp2p.Config{PrivateKey: key, Name: name, ListenAddr: "127.0.0.1:0", NoDiscovery: true, MaxPeers: 10}, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Register(w.Protocol()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	n.w, n.p2p, n.reg = w, srv, reg
	return n
}

func (n *testNode) self() *enode.Node { return n.p2p.Self() }

// connect peers a and b and waits for the Whisper handshake on both sides.
func connect(t *testing.T, a, b *testNode) {
	t.Helper()
	before := b.w.PeerCount()
	a.p2p.AddPeer(b.self())
	testutil.WaitFor(t, 10*time.Second, "whisper handshake", func() bool {
		return a.w.PeerCount() >= 1 && b.w.PeerCount() > before
	})
}

// post seals payload on topic with key and sends it from n.
func post(t *testing.T, n *testNode, key *wproto.SymKey, topic wproto.Topic, payload string) {
	t.Helper()
	env, err := wproto.Wrap(&wproto.MessageParams{TTL: 10, KeySym: key, Topic: topic, Payload: []byte(payload), PoW: 0.002}, time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := whisper.Seal(context.Background(), env, 0.002, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := n.w.Send(env); err != nil {
		t.Fatal(err)
	}
}
