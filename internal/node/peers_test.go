package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/lib/testutil"
)

// TestRestartRedialsAddedPeers: a peer added with admin_addPeer is kept in
// <datadir>/peers.json (0600); the node restarted on that data directory is
// connected to it again within 5 s, and admin_removePeer forgets it.
func TestRestartRedialsAddedPeers(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	ca := testConfig(t)
	a := startNode(t, ca)
	b := startNode(t, testConfig(t))
	cb := dialHTTP(t, b)
	var infoB p2p.NodeInfo
	if err := cb.Call(&infoB, "admin_nodeInfo"); err != nil {
		t.Fatal(err)
	}
	var ok bool
	if err := dialHTTP(t, a).Call(&ok, "admin_addPeer", infoB.Enode); err != nil || !ok {
		t.Fatalf("admin_addPeer: %v %v", ok, err)
	}
	testutil.WaitFor(t, 10*time.Second, "peering", func() bool { return a.P2P().PeerCount() == 1 })
	file := filepath.Join(ca.DataDir, "peers.json")
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("peers.json: %v %v", fi, err)
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}

	a2 := startNode(t, ca)
	begin := time.Now()
	testutil.WaitFor(t, 5*time.Second, "reconnect after restart", func() bool {
		return a2.P2P().PeerCount() == 1 && len(peerIDs(t, cb)) == 1
	})
	t.Logf("reconnected %v after restart", time.Since(begin))
	if err := dialHTTP(t, a2).Call(&ok, "admin_removePeer", infoB.Enode); err != nil || !ok {
		t.Fatalf("admin_removePeer: %v %v", ok, err)
	}
	data, err := os.ReadFile(file)
	if err != nil || strings.Contains(string(data), infoB.Enode[:40]) {
		t.Fatalf("peers.json after admin_removePeer: %s %v", data, err)
	}
	cb.Close()
	a2.Stop()
	b.Stop()
}
