package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/statusnode/statusd/lib/metrics"
	"github.com/statusnode/statusd/lib/testutil"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	testToken   = "s3cret-t0ken"
	testVersion = "statusd/v0.0.0-test"
	testLimit   = 64 * 1024
	testOrigin  = "http://allowed.example"
)

// testConfig enables every transport on loopback with free ports and an IPC
// socket in a directory the server has to create.
func testConfig(t *testing.T) Config {
	return Config{
		HTTPEnabled:  true,
		HTTPAddr:     "127.0.0.1",
		WSEnabled:    true,
		WSAddr:       "127.0.0.1",
		IPCPath:      filepath.Join(t.TempDir(), "rpc", "statusd.ipc"),
		Modules:      []string{"web3", "net"},
		Token:        testToken,
		CORSDomains:  []string{testOrigin},
		VHosts:       []string{"localhost"},
		MaxBodyBytes: testLimit,
	}
}

type testServer struct {
	*Server
	reg *metrics.Registry
	p2p *fakeP2P
}

// startServer starts a server with web3, net and admin registered; Stop runs
// at cleanup.
func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	reg := metrics.NewRegistry()
	srv, err := NewServer(cfg, zaptest.NewLogger(t), reg)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ts := &testServer{Server: srv, reg: reg, p2p: newFakeP2P()}
	mustRegister(t, srv, "web3", NewWeb3API(testVersion))
	mustRegister(t, srv, "net", NewNetAPI(ts.p2p, 1))
	mustRegister(t, srv, "admin", NewAdminAPI(ts.p2p, nil))
	if err := srv.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return ts
}

func mustRegister(t *testing.T, s *Server, ns string, svc any) {
	t.Helper()
	if err := s.Register(ns, svc); err != nil {
		t.Fatalf("Register(%s): %v", ns, err)
	}
}

func (ts *testServer) count(method, status string) float64 {
	return ts.m.requests.Value(method, status)
}

// httpClient does not keep connections, so no client goroutine outlives a test.
func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
}

// post sends body to url with the given headers and returns the status and body.
func post(t *testing.T, url, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := httpClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// rpcAnswer is a decoded JSON-RPC answer.
type rpcAnswer struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func decodeAnswer(t *testing.T, b []byte) rpcAnswer {
	t.Helper()
	var a rpcAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("answer %q is not JSON-RPC: %v", b, err)
	}
	return a
}

func wantErrorCode(t *testing.T, b []byte, code int) rpcAnswer {
	t.Helper()
	a := decodeAnswer(t, b)
	if a.Error == nil || a.Error.Code != code {
		t.Fatalf("answer %s: want error code %d", b, code)
	}
	return a
}

// dial opens a go-ethereum RPC client on url with an optional bearer token.
func dial(t *testing.T, url, token string) (*rpc.Client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := []rpc.ClientOption{rpc.WithHTTPClient(httpClient())}
	if token != "" {
		opts = append(opts, rpc.WithHeader("Authorization", "Bearer "+token))
	}
	return rpc.DialOptions(ctx, url, opts...)
}

func mustDial(t *testing.T, url, token string) *rpc.Client {
	t.Helper()
	c, err := dial(t, url, token)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(c.Close)
	return c
}

func mustDialIPC(t *testing.T, path string) *rpc.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := rpc.DialIPC(ctx, path)
	if err != nil {
		t.Fatalf("dial IPC %s: %v", path, err)
	}
	t.Cleanup(c.Close)
	return c
}

// call invokes method and returns its result as a string of JSON.
func call(t *testing.T, c *rpc.Client, method string, args ...any) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var raw json.RawMessage
	err := c.CallContext(ctx, &raw, method, args...)
	return string(bytes.TrimSpace(raw)), err
}

// eventually polls cond until it holds or 5 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, 5*time.Second, what, cond)
}
