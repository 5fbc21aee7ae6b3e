package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/fleet"
	"github.com/statusnode/statusd/internal/node"
	"github.com/statusnode/statusd/lib/testutil"
)

func startNode(t *testing.T, tweak ...func(*config.Config)) (*node.Node, string) {
	t.Helper()
	c := config.Default()
	c.DataDir = filepath.Join(t.TempDir(), "data")
	c.LightKDF = true
	c.P2P.Port, c.P2P.NoDiscover = 0, true
	c.HTTP.Enabled, c.HTTP.Port = true, 0
	for _, f := range tweak {
		f(&c)
	}
	c.NTP.Enabled, c.Fleet = false, fleet.None // tests dial nothing but loopback
	n, err := node.New(node.Options{Config: c, Password: "pw", Log: zaptest.NewLogger(t), P2PListenHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n, c.DataDir
}

func ctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, func(string) string { return "" }, &out, &errb)
	return code, out.String(), errb.String()
}

func TestStatusctl(t *testing.T) {
	a, dirA := startNode(t)
	b, dirB := startNode(t)

	code, out, errs := ctl(t, "--datadir", dirA, "info")
	if code != 0 || !strings.Contains(out, "enode:        enode://") || !strings.Contains(out, "peers:        0") || !strings.Contains(out, "chat key:     0x04") {
		t.Fatalf("info: %d\n%s%s", code, out, errs)
	}
	// The identicon is written as a PNG beside the node's data.
	wantPath := filepath.Join(dirA, "identicon.png")
	if !strings.Contains(out, "identicon:    "+wantPath+"\n") || !strings.Contains(out, "alias:        ") {
		t.Fatalf("info without the identicon path or alias:\n%s", out)
	}
	if png, err := os.ReadFile(wantPath); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("identicon file: %v (%d bytes)", err, len(png))
	}
	code, out, _ = ctl(t, "--datadir", dirA, "--json", "info")
	var info map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info["version"] == nil {
		t.Fatalf("info --json: %d %s", code, out)
	}
	if code, out, _ := ctl(t, "--datadir", dirA, "peers"); code != 0 || strings.TrimSpace(out) != "no peers" {
		t.Fatalf("peers: %d %q", code, out)
	}
	enodeB := b.P2P().Self().URLv4()
	if code, out, errs := ctl(t, "--datadir", dirA, "peer", "add", enodeB); code != 0 || !strings.HasPrefix(out, "added peer ") {
		t.Fatalf("peer add: %d %s %s", code, out, errs)
	}
	waitPeers(t, a, b)
	code, out, _ = ctl(t, "--datadir", dirA, "peers")
	if code != 0 || !strings.Contains(out, b.P2P().Self().ID().String()[:16]) {
		t.Fatalf("peers after add: %d %s", code, out)
	}
	// Over HTTP with the token file from the data directory.
	code, out, errs = ctl(t, "--datadir", dirB, "--rpc", b.RPC().HTTPURL(), "call", "net_version")
	if code != 0 || strings.TrimSpace(out) != `"1"` {
		t.Fatalf("call over http: %d %q %s", code, out, errs)
	}
	// A JSON parameter and a plain-string parameter.
	code, out, errs = ctl(t, "--datadir", dirA, "call", "admin_addTrustedPeer", enodeB)
	if code != 0 || strings.TrimSpace(out) != "true" {
		t.Fatalf("call with string param: %d %q %s", code, out, errs)
	}
	if code, _, errs := ctl(t, "--datadir", dirA, "call", "admin_addPeer", "enode://bad"); code != 1 || !strings.Contains(errs, "enode") {
		t.Fatalf("bad enode: %d %s", code, errs)
	}
}

func waitPeers(t *testing.T, nodes ...*node.Node) {
	t.Helper()
	for _, n := range nodes {
		testutil.WaitFor(t, 10*time.Second, "peer", func() bool { return n.P2P().PeerCount() == 1 })
	}
}

func TestStatusctlErrors(t *testing.T) {
	if code, _, errs := ctl(t, "--datadir", t.TempDir(), "info"); code != 1 || !strings.Contains(errs, "is statusd running") {
		t.Fatalf("no daemon: %d %s", code, errs)
	}
	if code, _, _ := ctl(t); code != 2 {
		t.Fatalf("no command: %d", code)
	}
	_, dir := startNode(t)
	if code, _, errs := ctl(t, "--datadir", dir, "frob"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %s", code, errs)
	}
	if code, _, errs := ctl(t, "--datadir", dir, "peer", "add"); code != 2 || !strings.Contains(errs, "usage: statusctl peer add|remove ENODE") {
		t.Fatalf("peer add without enode: %d %s", code, errs)
	}
}
