package api

import (
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rpc"
)

func testEnode(t *testing.T) *enode.Node {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return enode.NewV4(&key.PublicKey, net.IPv4(127, 0, 0, 1), 30303, 30303)
}

func TestAdminPeerMethods(t *testing.T) {
	cfg := testConfig(t)
	cfg.Modules = append(cfg.Modules, "admin")
	ts := startServer(t, cfg)
	c := mustDial(t, ts.HTTPURL(), testToken)

	for _, method := range []string{"admin_addPeer", "admin_removePeer", "admin_addTrustedPeer"} {
		_, err := call(t, c, method, "enode://not-a-key@127.0.0.1:30303")
		var rpcErr rpc.Error
		if !errors.As(err, &rpcErr) || rpcErr.ErrorCode() != CodeInvalidParams ||
			!strings.Contains(err.Error(), "invalid enode") {
			t.Errorf("%s(bad url): %v, want invalid params mentioning the enode", method, err)
		}
	}
	if added, removed, trusted := ts.p2p.calls(); len(added)+len(removed)+len(trusted) != 0 {
		t.Fatalf("bad URLs reached P2P: %v %v %v", added, removed, trusted)
	}

	node := testEnode(t)
	for _, method := range []string{"admin_addPeer", "admin_removePeer", "admin_addTrustedPeer"} {
		if got, err := call(t, c, method, node.URLv4()); err != nil || got != "true" {
			t.Errorf("%s(good url) = %s, %v", method, got, err)
		}
	}
	added, removed, trusted := ts.p2p.calls()
	for name, got := range map[string][]*enode.Node{"added": added, "removed": removed, "trusted": trusted} {
		if len(got) != 1 || got[0].ID() != node.ID() {
			t.Errorf("P2P %s = %v, want [%v]", name, got, node.ID())
		}
	}
}

func TestAdminInfoAndNet(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := mustDialIPC(t, ts.IPCPath())

	raw, err := call(t, c, "admin_nodeInfo")
	var info struct{ ID, Name string }
	if err != nil || json.Unmarshal([]byte(raw), &info) != nil || info.Name != "statusd-test" {
		t.Errorf("admin_nodeInfo = %s, %v", raw, err)
	}
	raw, err = call(t, c, "admin_peers")
	var peers []struct{ ID string }
	if err != nil || json.Unmarshal([]byte(raw), &peers) != nil || len(peers) != 2 || peers[1].ID != "p2" {
		t.Errorf("admin_peers = %s, %v", raw, err)
	}
	for method, want := range map[string]string{
		"net_version":   `"1"`,
		"net_listening": `true`,
		"net_peerCount": `"0x2"`,
	} {
		if got, err := call(t, c, method); err != nil || got != want {
			t.Errorf("%s = %s, %v; want %s", method, got, err, want)
		}
	}
}

func TestAdminWithoutPeersAnswersEmptyList(t *testing.T) {
	p := newFakeP2P()
	p.peers, p.info = nil, nil
	api := NewAdminAPI(p, nil)
	peers, err := api.Peers()
	if err != nil || peers == nil || len(peers) != 0 {
		t.Errorf("Peers() = %v, %v; want empty non-nil", peers, err)
	}
	if _, err := api.NodeInfo(); !errors.Is(err, ErrUnavailable) {
		t.Errorf("NodeInfo() without info: %v, want ErrUnavailable", err)
	}
}
