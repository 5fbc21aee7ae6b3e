package api

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/lib/metrics"
)

func TestMetricsCountRequestsByMethodAndStatus(t *testing.T) {
	cfg := testConfig(t)
	cfg.Modules = []string{"web3"}
	ts := startServer(t, cfg)
	httpC, wsC, ipcC := mustDial(t, ts.HTTPURL(), testToken), mustDial(t, ts.WSURL(), testToken), mustDialIPC(t, ts.IPCPath())

	for _, c := range []*rpc.Client{httpC, wsC, ipcC} {
		if _, err := call(t, c, "web3_clientVersion"); err != nil {
			t.Fatal(err)
		}
	}
	// Invalid params on a known method keeps the method name.
	if _, err := call(t, httpC, "web3_clientVersion", 1); err == nil {
		t.Fatal("web3_clientVersion(1) succeeded")
	}
	// Unknown names (and namespaces not exposed) share one label.
	call(t, httpC, "web3_invented")
	call(t, wsC, "net_version")
	if _, err := call(t, ipcC, "net_version"); err != nil {
		t.Fatal(err)
	}
	post(t, ts.HTTPURL(), `{"id":1,"method":"web3_clientVersion"}`, nil) // no token
	post(t, ts.HTTPURL(), `{"id":1,`, bearer(testToken))                 // parse error
	post(t, ts.HTTPURL(), `[{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"},{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}]`,
		bearer(testToken)) // a batch reusing an id

	for _, c := range []struct {
		method, status string
		want           float64
	}{
		{"web3_clientVersion", statusOK, 5},
		{"web3_clientVersion", statusError, 1},
		{"net_version", statusOK, 1},
		{methodUnknown, statusError, 2},
		{methodNone, statusUnauthorized, 1},
		{methodNone, statusError, 1},
		{"web3_invented", statusError, 0},
	} {
		if got := ts.count(c.method, c.status); got != c.want {
			t.Errorf("rpc_requests_total{method=%q,status=%q} = %v, want %v", c.method, c.status, got, c.want)
		}
	}
	var text bytes.Buffer
	ts.reg.WriteText(&text)
	if !strings.Contains(text.String(), `rpc_requests_total{method="web3_clientVersion",status="ok"} 5`) {
		t.Errorf("exposition lacks the counter:\n%s", text.String())
	}
}

func TestIPCMessageLimitClosesConnection(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTPEnabled, cfg.WSEnabled = false, false
	ts := startServer(t, cfg)
	conn, err := net.Dial("unix", ts.IPCPath())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	msg := `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":["` + strings.Repeat("x", testLimit) + `"]}`
	go conn.Write([]byte(msg)) // may fail half-way once the server hangs up
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err == nil {
		t.Fatalf("oversized IPC message answered: %s", buf[:n])
	}
	eventually(t, "too_large counted", func() bool { return ts.count(methodNone, statusTooLarge) == 1 })
}

func TestWSMessageLimitClosesSession(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := mustDial(t, ts.WSURL(), testToken)
	_, err := call(t, c, "web3_clientVersion", strings.Repeat("x", testLimit))
	if err == nil {
		t.Fatal("oversized WS message answered")
	}
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) {
		t.Fatalf("oversized WS message got a JSON-RPC answer: %v", err)
	}
	eventually(t, "too_large counted", func() bool { return ts.count(methodNone, statusTooLarge) == 1 })
}

// TestNotificationsAreNotAnswers: a subscription notification written to
// the client (as go-ethereum's rpc package encodes it) leaves the pending
// call with the same id waiting; its answer is counted once.
func TestNotificationsAreNotAnswers(t *testing.T) {
	m := newRPCMetrics(metrics.NewRegistry())
	tr := newCallTracker(m)
	tr.requests([]byte(`{"jsonrpc":"2.0","id":7,"method":"web3_clientVersion"}`))
	tr.responses([]byte(`{"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"0x1","result":{"id":7}}}`))
	if got := m.requests.Value("web3_clientVersion", statusOK); got != 0 {
		t.Fatalf("a notification counted as an answer (%v)", got)
	}
	tr.responses([]byte(`{"jsonrpc":"2.0","id":7,"result":"statusd"}`))
	if got := m.requests.Value("web3_clientVersion", statusOK); got != 1 {
		t.Fatalf("answer counted %v times, want 1", got)
	}
}
