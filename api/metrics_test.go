package api

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
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

// TestAnswerHeadMatchesFullDecode: for every answer layout go-ethereum
// writes, the head reader finds the id, the error flag and the code a full
// decode finds; anything else is left to the full decode.
func TestAnswerHeadMatchesFullDecode(t *testing.T) {
	for _, raw := range []string{
		`{"jsonrpc":"2.0","id":1,"result":"statusd"}` + "\n",
		`{"jsonrpc":"2.0","id":-12,"result":{"id":"x","error":{"code":1}}}`,
		`{"jsonrpc":"2.0","id":1.5e3,"result":null}`,
		`{"jsonrpc":"2.0","id":"a\"b,\\\"c","result":[1,2]}`,
		`{"jsonrpc":"2.0","id":"\u00e9\\","result":true}`,
		`{"jsonrpc":"2.0","id":"","result":0}`,
		`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`,
		`{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"the method x does not exist/is not available"}}`,
		`{"jsonrpc":"2.0","id":"q","error":{"code":3,"message":"execution reverted","data":"0x"}}`,
		`{"jsonrpc":"2.0","id":8,"error":{"code":0}}`,
	} {
		id, isErr, code, ok := answerHead([]byte(raw))
		if !ok {
			t.Errorf("%s: head not read", raw)
			continue
		}
		msgs := decodeWire([]byte(raw))
		if len(msgs) != 1 {
			t.Fatalf("%s: full decode gives %d messages", raw, len(msgs))
		}
		want := msgs[0]
		wantCode := 0
		if want.Error != nil {
			wantCode = want.Error.Code
		}
		if string(id) != string(want.ID) || isErr != (want.Error != nil) || code != wantCode {
			t.Errorf("%s: head id %s err %v code %d; full decode id %s err %v code %d",
				raw, id, isErr, code, want.ID, want.Error != nil, wantCode)
		}
	}
	for _, raw := range []string{
		`[{"jsonrpc":"2.0","id":1,"result":"a"}]`,
		`{"id":1,"jsonrpc":"2.0","result":"a"}`,
		`{"jsonrpc":"2.0","id":{"a":1},"result":"a"}`,
		`{"jsonrpc":"2.0","id":"open`,
		`{"jsonrpc":"2.0","id":1,"error":{"message":"m","code":1}}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":12345678901234,"message":"m"}}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":-,"message":"m"}}`,
		`{"jsonrpc":"2.0","id":1,"method":"x","params":[]}`,
		`{"jsonrpc":"2.0","id":1}`,
	} {
		if _, _, _, ok := answerHead([]byte(raw)); ok {
			t.Errorf("%s: head read; want the full decode", raw)
		}
	}
}

// TestTrackerCountsOddIDsBatchesAndErrors: answers are paired with their
// calls by raw id, whether read from the head or decoded whole, in single
// messages and in batches.
func TestTrackerCountsOddIDsBatchesAndErrors(t *testing.T) {
	m := newRPCMetrics(metrics.NewRegistry())
	tr := newCallTracker(m)
	tr.requests([]byte(`[{"jsonrpc":"2.0","id":"a\"b","method":"m_one"},{"jsonrpc":"2.0","id":-1.5,"method":"m_two"},` +
		`{"jsonrpc":"2.0","id":3,"method":"m_three"},{"jsonrpc":"2.0","id":3,"method":"m_three"},{"jsonrpc":"2.0","method":"m_note"}]`))
	tr.requests([]byte(`{"jsonrpc":"2.0","id":"x","method":"m_gone"}`))
	tr.requests([]byte(`{"id":4,"method":"m_four","jsonrpc":"2.0"}`))
	tr.responses([]byte(`{"jsonrpc":"2.0","id":"a\"b","result":{"big":"` + strings.Repeat("z", 1<<16) + `"}}`))
	tr.responses([]byte(`{"jsonrpc":"2.0","id":-1.5,"error":{"code":-32000,"message":"failed"}}`))
	tr.responses([]byte(`[{"jsonrpc":"2.0","id":3,"result":1},{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad"}}]`))
	tr.responses([]byte(`{"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"the method m_gone does not exist/is not available"}}`))
	tr.responses([]byte(`{"jsonrpc":"2.0","id":4,"result":"ok"}`))
	tr.responses([]byte(`{"jsonrpc":"2.0","id":99,"result":"unasked"}`))
	tr.responses([]byte(`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`))
	for _, c := range []struct {
		method, status string
		want           float64
	}{
		{"m_one", statusOK, 1},
		{"m_two", statusError, 1},
		{"m_three", statusOK, 1},
		{"m_three", statusError, 1},
		{methodNotification, statusOK, 1},
		{methodUnknown, statusError, 1},
		{"m_four", statusOK, 1},
		{methodNone, statusOK, 1},
		{methodNone, statusError, 1},
	} {
		if got := m.requests.Value(c.method, c.status); got != c.want {
			t.Errorf("rpc_requests_total{method=%q,status=%q} = %v, want %v", c.method, c.status, got, c.want)
		}
	}
	if tr.npending != 0 || len(tr.pending) != 0 {
		t.Errorf("%d calls still pending", tr.npending)
	}
}

type headService struct{}

func (headService) Echo(s string) string { return s }

// TestGoEthereumAnswersTakeTheHeadPath: the layout answerHead expects is
// the one the pinned go-ethereum writes, for results and for errors, so
// the full decode stays a fallback.
func TestGoEthereumAnswersTakeTheHeadPath(t *testing.T) {
	srv := rpc.NewServer()
	defer srv.Stop()
	if err := srv.RegisterName("head", headService{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		body  string
		isErr bool
		code  int
	}{
		{`{"jsonrpc":"2.0","id":"k\"1","method":"head_echo","params":["` + strings.Repeat("x", 4096) + `"]}`, false, 0},
		{`{"jsonrpc":"2.0","id":2,"method":"head_missing","params":[]}`, true, CodeMethodNotFound},
		{`{"jsonrpc":"2.0","id":3,"method":"head_echo","params":[1]}`, true, -32602},
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		id, isErr, code, ok := answerHead(w.Body.Bytes())
		want := decodeWire([]byte(c.body))[0].ID
		if !ok || string(id) != string(want) || isErr != c.isErr || code != c.code {
			t.Errorf("answer %s: head id %s err %v code %d ok %v", w.Body.Bytes(), id, isErr, code, ok)
		}
	}
}
