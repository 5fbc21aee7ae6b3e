package node

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/fleet"
	"github.com/statusnode/statusd/internal/identity"
	"github.com/statusnode/statusd/lib/testutil"
)

// goleveldb's mpoolDrain goroutine outlives DB.Close by up to a second by
// design; it is not ours to stop.
var ignoreLevelDBDrain = goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain")

func testConfig(t *testing.T) config.Config {
	t.Helper()
	c := config.Default()
	c.DataDir = filepath.Join(t.TempDir(), "data")
	c.LightKDF = true
	c.P2P.Port = 0
	c.P2P.NoDiscover = true
	c.HTTP.Enabled, c.HTTP.Port = true, 0
	c.WS.Enabled, c.WS.Port = true, 0
	c.NTP.Enabled = false // tests dial nothing but loopback
	c.Fleet = fleet.None
	return c
}

// requireOffline fails a test whose node could reach beyond loopback: a
// fleet, boot nodes or SNTP servers other than local ones.
func requireOffline(t *testing.T, c config.Config) {
	t.Helper()
	if c.Fleet != fleet.None {
		t.Fatalf("test node with fleet %q", c.Fleet)
	}
	for _, b := range c.P2P.BootNodes {
		if !strings.Contains(b, "@127.0.0.1:") {
			t.Fatalf("test node with boot node %s", b)
		}
	}
	for _, s := range c.NTPServers() {
		if !strings.HasPrefix(s, "127.0.0.1:") {
			t.Fatalf("test node queries SNTP server %s", s)
		}
	}
}

func startNode(t *testing.T, c config.Config) *Node {
	t.Helper()
	requireOffline(t, c)
	n, err := New(Options{Config: c, Password: "test password", Log: zaptest.NewLogger(t), P2PListenHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n
}

func dialHTTP(t *testing.T, n *Node) *rpc.Client {
	t.Helper()
	tok, _, err := identity.LoadOrCreateToken(n.TokenPath())
	if err != nil {
		t.Fatal(err)
	}
	c, err := rpc.DialOptions(context.Background(), n.RPC().HTTPURL(), rpc.WithHeader("Authorization", "Bearer "+tok))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func peerIDs(t *testing.T, c *rpc.Client) []string {
	t.Helper()
	var peers []*p2p.PeerInfo
	if err := c.Call(&peers, "admin_peers"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range peers {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestTwoNodesPeerOverRPC starts two nodes in one process on real loopback
// sockets, joins them with admin_addPeer over HTTP JSON-RPC and checks that
// each shows up in the other's admin_peers.
func TestTwoNodesPeerOverRPC(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	a := startNode(t, testConfig(t))
	b := startNode(t, testConfig(t))
	ca, cb := dialHTTP(t, a), dialHTTP(t, b)

	var infoB p2p.NodeInfo
	if err := cb.Call(&infoB, "admin_nodeInfo"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(infoB.Enode, "enode://") || infoB.ListenAddr == "" {
		t.Fatalf("admin_nodeInfo = %+v", infoB)
	}
	var ok bool
	if err := ca.Call(&ok, "admin_addPeer", infoB.Enode); err != nil || !ok {
		t.Fatalf("admin_addPeer: %v %v", ok, err)
	}
	var pa, pb []string
	testutil.WaitFor(t, 10*time.Second, "nodes to peer", func() bool {
		pa, pb = peerIDs(t, ca), peerIDs(t, cb)
		return len(pa) == 1 && len(pb) == 1
	})
	if pa[0] != b.P2P().Self().ID().String() || pb[0] != a.P2P().Self().ID().String() {
		t.Fatalf("peers a=%v b=%v", pa, pb)
	}
	var count string
	if err := ca.Call(&count, "net_peerCount"); err != nil || count != "0x1" {
		t.Fatalf("net_peerCount = %q, %v", count, err)
	}
	ca.Close()
	cb.Close()
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestSecondNodeOnSameDataDirRefused(t *testing.T) {
	c := testConfig(t)
	startNode(t, c)
	n2, err := New(Options{Config: c, Password: "test password", Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	err = n2.Start()
	if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second start: %v", err)
	}
}

func TestStartFailuresLeaveNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	c := testConfig(t)
	n := startNode(t, c)
	n.Stop()

	// Wrong password: refused, data directory unlocked again.
	bad, _ := New(Options{Config: c, Password: "wrong", Log: zaptest.NewLogger(t)})
	if err := bad.Start(); !errors.Is(err, identity.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	// Port in use: the RPC port is taken; p2p and the lock are released.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := c
	busy.HTTP.Port = l.Addr().(*net.TCPAddr).Port
	n3, _ := New(Options{Config: busy, Password: "test password", Log: zaptest.NewLogger(t)})
	if err := n3.Start(); err == nil || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Fatalf("port in use: %v", err)
	}
	// The data directory is usable again after the failures.
	n4 := startNode(t, c)
	n4.Stop()
}

func TestUnusableDataDir(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores permission bits; use a path under a regular file.
		c := testConfig(t)
		file := filepath.Join(t.TempDir(), "file")
		os.WriteFile(file, nil, 0o600)
		c.DataDir = filepath.Join(file, "data")
		n, _ := New(Options{Config: c, Password: "x", Log: zaptest.NewLogger(t)})
		if err := n.Start(); err == nil || !strings.Contains(err.Error(), "data directory") {
			t.Fatalf("datadir under a file: %v", err)
		}
		return
	}
	c := testConfig(t)
	os.MkdirAll(c.DataDir, 0o500)
	n, _ := New(Options{Config: c, Password: "x", Log: zaptest.NewLogger(t)})
	if err := n.Start(); err == nil || !strings.Contains(err.Error(), "data directory") {
		t.Fatalf("read-only datadir: %v", err)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	c := testConfig(t)
	c.Metrics.Enabled, c.Metrics.Addr = true, "127.0.0.1:0"
	n := startNode(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var version string
	if err := dialHTTP(t, n).CallContext(ctx, &version, "web3_clientVersion"); err != nil {
		t.Fatal(err)
	}
	body := httpGet(t, "http://"+n.MetricsAddr()+"/metrics")
	for _, want := range []string{"p2p_peers 0", "go_goroutines", "process_resident_memory_bytes", `rpc_requests_total{method="web3_clientVersion"`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestMetricsPprof: runtime profiles are served on the metrics address only
// when asked for.
func TestMetricsPprof(t *testing.T) {
	for _, on := range []bool{false, true} {
		c := testConfig(t)
		c.Metrics.Enabled, c.Metrics.Addr, c.Metrics.Pprof = true, "127.0.0.1:0", on
		n := startNode(t, c)
		resp, err := http.Get("http://" + n.MetricsAddr() + "/debug/pprof/goroutine?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.StatusCode == http.StatusOK && strings.Contains(string(body), "goroutine profile"); got != on {
			t.Errorf("pprof %v: status %d, body %.80q", on, resp.StatusCode, body)
		}
	}
}

// TestMetricsHostAndToken: the metrics address answers only the Host names
// it is configured for (403 otherwise: a web page cannot read it through
// DNS rebinding), for /metrics and profiles alike, and with --metrics.auth
// only a client with the RPC token.
func TestMetricsHostAndToken(t *testing.T) {
	get := func(n *Node, path, host, token string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+n.MetricsAddr()+path, nil)
		req.Host = host
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	c := testConfig(t)
	c.Metrics.Enabled, c.Metrics.Addr, c.Metrics.Pprof = true, "127.0.0.1:0", true
	n := startNode(t, c)
	for _, tc := range []struct {
		path, host string
		want       int
	}{
		{"/metrics", "localhost:6060", http.StatusOK},
		{"/metrics", n.MetricsAddr(), http.StatusOK}, // a literal IP cannot be rebound
		{"/metrics", "evil.example:6060", http.StatusForbidden},
		{"/debug/pprof/", "evil.example", http.StatusForbidden},
	} {
		if got := get(n, tc.path, tc.host, ""); got != tc.want {
			t.Errorf("GET %s Host %s: %d, want %d", tc.path, tc.host, got, tc.want)
		}
	}

	c = testConfig(t)
	c.Metrics.Enabled, c.Metrics.Addr, c.Metrics.Auth = true, "127.0.0.1:0", true
	n = startNode(t, c)
	tok, _, err := identity.LoadOrCreateToken(n.TokenPath())
	if err != nil {
		t.Fatal(err)
	}
	if got := get(n, "/metrics", "localhost", ""); got != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", got)
	}
	if got := get(n, "/metrics", "localhost", tok); got != http.StatusOK {
		t.Errorf("with token: %d, want 200", got)
	}
	if got := get(n, "/metrics", "evil.example", tok); got != http.StatusForbidden {
		t.Errorf("foreign host with token: %d, want 403", got)
	}
}
