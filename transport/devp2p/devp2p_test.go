package devp2p

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/statusnode/statusd/lib/testutil"
)

// goleveldb's mpoolDrain goroutine outlives DB.Close by up to a second by
// design; it is not ours to stop.
var ignoreLevelDBDrain = goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain")

func newServer(t *testing.T, protos ...p2p.Protocol) *Server {
	t.Helper()
	key, _ := crypto.GenerateKey()
	s, err := New(Config{PrivateKey: key, Name: "statusd-test", ListenAddr: "127.0.0.1:0", NoDiscovery: true, MaxPeers: 5}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Register(protos...); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPeeringAndProtocol(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	ran := make(chan struct{}, 2)
	proto := p2p.Protocol{Name: "test", Version: 1, Length: 1, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		ran <- struct{}{}
		_, err := rw.ReadMsg() // until disconnect
		return err
	}}
	a, b := newServer(t, proto), newServer(t, proto)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	if err := a.Register(proto); !errors.Is(err, ErrStarted) {
		t.Fatalf("Register after Start: %v", err)
	}
	a.AddPeer(b.Self())
	testutil.WaitFor(t, 10*time.Second, "peers", func() bool { return a.PeerCount() == 1 && b.PeerCount() == 1 })
	<-ran
	<-ran
	info := a.NodeInfo()
	if !strings.HasPrefix(info.Enode, "enode://") || info.Protocols["test"] == nil {
		t.Fatalf("node info = %+v", info)
	}
	if got := a.PeersInfo()[0].ID; got != b.Self().ID().String() {
		t.Fatalf("peer id %s", got)
	}
	a.RemovePeer(b.Self())
	testutil.WaitFor(t, 10*time.Second, "disconnect", func() bool { return a.PeerCount() == 0 && b.PeerCount() == 0 })
	a.Stop()
	b.Stop()
	a.Stop() // idempotent
	if a.PeerCount() != 0 || a.Self() != nil {
		t.Fatal("stopped server still reports state")
	}
	if err := a.Start(); !errors.Is(err, ErrStopped) {
		t.Fatalf("restart: %v", err)
	}
}

func TestPortInUse(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key, _ := crypto.GenerateKey()
	s, _ := New(Config{PrivateKey: key, Name: "x", ListenAddr: l.Addr().String(), NoDiscovery: true, MaxPeers: 1}, zaptest.NewLogger(t))
	err = s.Start()
	if err == nil || !strings.Contains(err.Error(), l.Addr().String()) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("err = %v", err)
	}
	s.Stop()
}

func TestBadConfig(t *testing.T) {
	key, _ := crypto.GenerateKey()
	_, err := New(Config{PrivateKey: key, MaxPeers: 1, StaticNodes: []string{"enode://nope"}}, zaptest.NewLogger(t))
	if !errors.Is(err, ErrBadEnode) || !strings.Contains(err.Error(), "enode://nope") {
		t.Fatalf("bad enode: %v", err)
	}
	if _, err := New(Config{PrivateKey: key}, zaptest.NewLogger(t)); err == nil {
		t.Fatal("zero MaxPeers accepted")
	}
	if _, err := New(Config{MaxPeers: 1}, zaptest.NewLogger(t)); err == nil {
		t.Fatal("missing key accepted")
	}
}

func TestParseNodeRefusesNoHost(t *testing.T) {
	key, _ := crypto.GenerateKey()
	id := strings.TrimPrefix(hexPub(key), "04")
	if _, err := ParseNode("enode://" + id); !errors.Is(err, ErrNoHost) || !strings.Contains(err.Error(), "@<host>:<port>") {
		t.Fatalf("no host: %v", err)
	}
	if _, err := ParseNode("enode://" + id + "@127.0.0.1:30303"); err != nil {
		t.Fatalf("with host: %v", err)
	}
}

func TestPeerLogLimiter(t *testing.T) {
	l := &peerLogLimiter{burst: 2, window: time.Minute}
	t0 := time.Unix(1000, 0)
	for i, want := range []bool{true, true, false, false} {
		if ok, s := l.allow(t0.Add(time.Duration(i) * time.Second)); ok != want || s != 0 {
			t.Fatalf("line %d: %v %d", i, ok, s)
		}
	}
	if ok, s := l.allow(t0.Add(time.Minute)); !ok || s != 2 {
		t.Fatalf("next window: %v %d", ok, s)
	}
}

// TestPeerLogs: connecting and disconnecting are logged at info.
func TestPeerLogs(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	core, logs := observer.New(zapcore.InfoLevel)
	key, _ := crypto.GenerateKey()
	a, _ := New(Config{PrivateKey: key, Name: "a", ListenAddr: "127.0.0.1:0", NoDiscovery: true, MaxPeers: 5}, zap.New(core))
	b := newServer(t)
	for _, s := range []*Server{a, b} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
	}
	a.AddPeer(b.Self())
	testutil.WaitFor(t, 10*time.Second, "connected line", func() bool { return logs.FilterMessage("peer connected").Len() == 1 })
	a.RemovePeer(b.Self())
	testutil.WaitFor(t, 10*time.Second, "disconnected line", func() bool { return logs.FilterMessage("peer disconnected").Len() == 1 })
	if e := logs.FilterMessage("peer connected").All()[0]; e.ContextMap()["id"] != b.Self().ID().TerminalString() {
		t.Fatalf("fields: %v", e.ContextMap())
	}
}

func hexPub(k *ecdsa.PrivateKey) string {
	return hex.EncodeToString(crypto.FromECDSAPub(&k.PublicKey))
}
