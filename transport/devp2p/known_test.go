package devp2p

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
)

// reconnectWithin is how soon a restarted node, or a node whose static peer
// restarted, must be connected again.
const reconnectWithin = 5 * time.Second

func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.PrivateKey == nil {
		cfg.PrivateKey, _ = crypto.GenerateKey()
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	cfg.Name, cfg.NoDiscovery, cfg.MaxPeers = "statusd-test", true, 5
	s, err := New(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func readKnown(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f knownPeersFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != knownPeersVersion {
		t.Fatalf("peers file %s: %v", data, err)
	}
	return f.Peers
}

// TestKnownPeersSurviveRestart: a peer added at run time is written to the
// peers file (0600) and a server restarted on that file is connected to it
// again within reconnectWithin; RemovePeer forgets it.
func TestKnownPeersSurviveRestart(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	file := filepath.Join(t.TempDir(), "peers.json")
	b := startServer(t, Config{})
	a := startServer(t, Config{PeersFile: file})
	a.AddPeer(b.Self())
	a.AddPeer(b.Self()) // recorded once
	testutil.WaitFor(t, 10*time.Second, "peers", func() bool { return a.PeerCount() == 1 })
	if got := readKnown(t, file); !slices.Equal(got, []string{b.Self().URLv4()}) {
		t.Fatalf("peers file = %v", got)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("peers file mode: %v %v", fi.Mode(), err)
	}
	a.Stop()

	begin := time.Now()
	a2 := startServer(t, Config{PeersFile: file})
	testutil.WaitFor(t, reconnectWithin, "reconnect after restart", func() bool { return a2.PeerCount() == 1 })
	t.Logf("reconnected %v after restart", time.Since(begin))
	a2.RemovePeer(b.Self())
	if got := readKnown(t, file); len(got) != 0 {
		t.Fatalf("peers file after RemovePeer = %v", got)
	}
	testutil.WaitFor(t, 10*time.Second, "disconnect", func() bool { return a2.PeerCount() == 0 })
	a2.Stop()
	b.Stop()
}

// TestRedialAfterPeerRestart: go-ethereum's dialer waits 35 s before dialling
// a node again; a static peer that restarts must be back within
// reconnectWithin. The redialled peer is reported as static, which checks
// staticDialedConn against go-ethereum's flag.
func TestRedialAfterPeerRestart(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	keyB, _ := crypto.GenerateKey()
	b := startServer(t, Config{PrivateKey: keyB})
	addr := b.ListenAddr()
	a := startServer(t, Config{})
	a.AddPeer(b.Self())
	testutil.WaitFor(t, 10*time.Second, "peers", func() bool { return a.PeerCount() == 1 })
	b.Stop()
	testutil.WaitFor(t, 10*time.Second, "drop", func() bool { return a.PeerCount() == 0 })

	begin := time.Now()
	b2 := restartOn(t, keyB, addr)
	testutil.WaitFor(t, reconnectWithin, "redial", func() bool { return a.PeerCount() == 1 && b2.PeerCount() == 1 })
	t.Logf("redialled %v after the peer restarted", time.Since(begin))
	if info := a.PeersInfo()[0]; !info.Network.Static || info.Network.Inbound {
		t.Fatalf("redialled peer network = %+v", info.Network)
	}
	a.Stop()
	b2.Stop()
}

// restartOn starts a server with key on addr, retrying while the port is
// still held by the stopped one.
func restartOn(t *testing.T, key *ecdsa.PrivateKey, addr string) *Server {
	t.Helper()
	var s *Server
	testutil.WaitFor(t, 10*time.Second, "listen on "+addr, func() bool {
		cfg := Config{PrivateKey: key, ListenAddr: addr, Name: "statusd-test", NoDiscovery: true, MaxPeers: 5}
		srv, err := New(cfg, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			return false
		}
		s = srv
		return true
	})
	t.Cleanup(func() { s.Stop() })
	return s
}

func TestKnownPeersFileRefused(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage":   "{",
		"version":   `{"version":2,"peers":[]}`,
		"bad enode": `{"version":1,"peers":["enode://nope"]}`,
	} {
		file := filepath.Join(dir, name)
		os.WriteFile(file, []byte(content), 0o600)
		key, _ := crypto.GenerateKey()
		s, err := New(Config{PrivateKey: key, Name: "x", ListenAddr: "127.0.0.1:0", NoDiscovery: true, MaxPeers: 1, PeersFile: file}, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); !errors.Is(err, ErrKnownPeersFile) {
			t.Errorf("%s: Start = %v", name, err)
		}
		s.Stop()
	}
}
