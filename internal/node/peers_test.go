package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/internal/messenger"
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

// TestRestartedNodeGetsMessagesSentWhileDown: bob learnt alice with
// admin_addPeer; while bob restarts, alice sends him a 1:1 message. The
// restarted bob dials alice at once and the message, still in alice's
// Whisper pool (15 s TTL), arrives within 5 s of his restart.
func TestRestartedNodeGetsMessagesSentWhileDown(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	alice := newChatter(t)
	cb := testConfig(t)
	bob := newChatterOn(t, cb)
	connect(t, bob, alice) // bob adds alice
	var chat messenger.Chat
	var id string
	alice.call(&chat, "statusd_startOneToOne", bob.key)
	alice.call(&id, "statusd_sendText", bob.key, "before")
	bob.waitText(alice.key, "before")
	alice.waitDelivery(id, "acked")

	cb.P2P.Port = bob.n.P2P().Self().TCP() // alice's records of bob stay valid
	bobKey := bob.key
	if err := bob.n.Stop(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "bob gone", func() bool { return alice.n.Whisper().PeerCount() == 0 })
	alice.call(&id, "statusd_sendText", bobKey, "while you were down")

	begin := time.Now()
	bob = newChatterOn(t, cb)
	// Polled, not awaited as an event: it may arrive before the events
	// subscription of the restarted bob is open.
	testutil.WaitFor(t, 5*time.Second, "the message sent while bob was down", func() bool {
		var page struct {
			Messages []struct{ ID, Content string }
		}
		bob.call(&page, "shhext_chatMessages", alice.key, "", 10)
		for _, m := range page.Messages {
			if contentText(t, m.Content) == "while you were down" && m.ID == id {
				return true
			}
		}
		return false
	})
	t.Logf("arrived %v after bob's restart began", time.Since(begin))
}
