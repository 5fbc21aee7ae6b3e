// Code shared by the Whisper interop modules: whisper-geth/harness_test.go
// and whisper-status/harness_test.go must stay byte-identical
// (TestSharedFilesInSync checks it). It builds and runs the nodes as
// processes and talks to them only over JSON-RPC, so it depends on no
// go-ethereum API and compiles against either module's go-ethereum.

package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Node kinds the harness can start.
const (
	kindStatusd   = "statusd"
	kindGethRef   = "geth"   // go-ethereum v1.9.20 whisperv6, ../whisper-geth/cmd/refnode
	kindStatusRef = "status" // status-im/whisper v1.6.2, ../whisper-status/cmd/refnode
)

// buildDirs says where each kind's main package is, relative to this
// module's directory, and which module directory to build it from.
var buildDirs = map[string]struct{ moduleDir, pkg string }{
	kindStatusd:   {"../..", "./cmd/statusd"},
	kindGethRef:   {"../whisper-geth", "./cmd/refnode"},
	kindStatusRef: {"../whisper-status", "./cmd/refnode"},
}

var builds struct {
	mu   sync.Mutex
	dir  string
	done map[string]buildResult
}

type buildResult struct {
	path string
	err  error
}

// binary builds kind's program once per test binary run and returns its path.
func binary(t testing.TB, kind string) string {
	t.Helper()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if r, ok := builds.done[kind]; ok {
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.path
	}
	if builds.done == nil {
		builds.done = map[string]buildResult{}
		dir, err := os.MkdirTemp("", "whisper-interop-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir = dir
	}
	bd := buildDirs[kind]
	r := buildResult{path: filepath.Join(builds.dir, kind)}
	cmd := exec.Command("go", "build", "-o", r.path, bd.pkg)
	cmd.Dir = bd.moduleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		r.err = fmt.Errorf("building %s in %s: %v\n%s", bd.pkg, bd.moduleDir, err, out)
	}
	builds.done[kind] = r
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

// node is one running Whisper node under test, reached over HTTP JSON-RPC.
type node struct {
	kind  string
	name  string // for messages: kind plus a letter
	enode string
	http  string
	token string // bearer token, statusd only
	logs  *syncBuffer
	pid   int // its process
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const startTimeout = 60 * time.Second

// startNode starts a node of the given kind; it is killed when t ends, and
// its log is printed if t failed.
func startNode(t testing.TB, kind, name string) *node {
	t.Helper()
	if kind == kindStatusd {
		return startStatusd(t, name)
	}
	return startRef(t, kind, name)
}

// startRef runs a reference node. It prints one JSON line with its enode
// and RPC URLs on stdout, and exits when its stdin closes, so a test binary
// that dies cannot leave it behind.
func startRef(t testing.TB, kind, name string) *node {
	t.Helper()
	cmd := exec.Command(binary(t, kind), "-verbosity", "3") // info, as statusd's --log.level info
	killWithParent(cmd)
	n := &node{kind: kind, name: name, logs: &syncBuffer{}}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = n.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.pid = cmd.Process.Pid
	exited := watchProcess(t, n, cmd, stdin)
	lines := make(chan map[string]string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var rec map[string]string
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["enode"] != "" {
				lines <- rec
			}
		}
	}()
	select {
	case rec := <-lines:
		n.enode, n.http = rec["enode"], rec["http"]
		t.Logf("%s: %s at %s", name, rec["impl"], n.http)
	case <-exited:
		t.Fatalf("%s exited before it started:\n%s", name, n.logs.String())
	case <-time.After(startTimeout):
		t.Fatalf("%s did not start:\n%s", name, n.logs.String())
	}
	return n
}

// startStatusd runs statusd on a fresh data directory with HTTP JSON-RPC on
// loopback, the shh namespace (and statusd's messenger namespaces) served,
// devp2p on a free port, no discovery.
// It reads the endpoints from the "statusd started" JSON log line.
func startStatusd(t testing.TB, name string) *node {
	t.Helper()
	datadir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(binary(t, kindStatusd), "--datadir", datadir, "--port", "0", "--nodiscover", "--ntp.enabled=false", "--fleet", "none",
		"--lightkdf", "--log.format", "json", "--log.level", "info", "--ipcdisable",
		"--http", "--http.port", "0", "--rpc.modules", "web3,net,admin,shh,shhext,statusd", "--shh.pow", "0.001")
	cmd.Env = append(os.Environ(), "STATUSD_PASSWORD=interop password")
	killWithParent(cmd)
	n := &node{kind: kindStatusd, name: name, logs: &syncBuffer{}}
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(pw, n.logs)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.pid = cmd.Process.Pid
	exited := watchProcess(t, n, cmd, nil)
	go func() { <-exited; pw.Close() }()
	started := make(chan map[string]any, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "statusd started" {
				started <- rec
			}
		}
	}()
	select {
	case rec := <-started:
		n.enode, _ = rec["enode"].(string)
		n.http, _ = rec["http"].(string)
	case <-exited:
		t.Fatalf("%s exited before it started:\n%s", name, n.logs.String())
	case <-time.After(startTimeout):
		t.Fatalf("%s did not start:\n%s", name, n.logs.String())
	}
	tok, err := os.ReadFile(filepath.Join(datadir, "rpc.token"))
	if err != nil {
		t.Fatal(err)
	}
	n.token = strings.TrimSpace(string(tok))
	t.Logf("%s: statusd at %s", name, n.http)
	return n
}

// watchProcess kills cmd when t ends (closing stdin first, if not nil) and
// prints its log if t failed. The returned channel closes when the process
// exits.
func watchProcess(t testing.TB, n *node, cmd *exec.Cmd, stdin io.Closer) <-chan struct{} {
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		if stdin != nil {
			stdin.Close()
		}
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("--- log of %s (%s) ---\n%s", n.name, n.kind, tail(n.logs.String(), 30000))
		}
	})
	return exited
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

var httpClient = &http.Client{Timeout: 30 * time.Second}

// callErr calls method with params and returns the raw result.
func (n *node) callErr(method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest("POST", n.http, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if n.token != "" {
		req.Header.Set("Authorization", "Bearer "+n.token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("HTTP %d, not a JSON-RPC response: %.300q", resp.StatusCode, data)
	}
	if out.Error != nil {
		return nil, out.Error
	}
	return out.Result, nil
}

// call is callErr that fails t on error and decodes the result into out
// (when out is not nil).
func (n *node) call(t testing.TB, out any, method string, params ...any) {
	t.Helper()
	res, err := n.callErr(method, params...)
	if err != nil {
		t.Fatalf("%s: %s: %v", n.name, method, err)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s: %s: result %s: %v", n.name, method, res, err)
		}
	}
}

// str calls a method that returns a string.
func (n *node) str(t testing.TB, method string, params ...any) string {
	t.Helper()
	var s string
	n.call(t, &s, method, params...)
	return s
}

// pubkeyOf returns the 128-hex-digit node public key of an enode URL.
func pubkeyOf(enode string) string {
	s := strings.TrimPrefix(enode, "enode://")
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// hasShhPeer reports whether n lists a peer with the given enode that runs
// shh past its handshake.
func (n *node) hasShhPeer(t testing.TB, enode string) (bool, error) {
	res, err := n.callErr("admin_peers")
	if err != nil {
		return false, err
	}
	var peers []struct {
		Enode     string                     `json:"enode"`
		Protocols map[string]json.RawMessage `json:"protocols"`
	}
	if err := json.Unmarshal(res, &peers); err != nil {
		return false, err
	}
	for _, p := range peers {
		if pubkeyOf(p.Enode) == pubkeyOf(enode) {
			// "handshake": devp2p runs shh, the Whisper Status exchange
			// is not done yet (statusd's router does not know the peer).
			info, ok := p.Protocols["shh"]
			return ok && string(info) != `"handshake"`, nil
		}
	}
	return false, nil
}

// connect makes a dial b and waits until each lists the other as an shh peer.
func connect(t testing.TB, a, b *node) {
	t.Helper()
	var ok bool
	a.call(t, &ok, "admin_addPeer", b.enode)
	if !ok {
		t.Fatalf("%s: admin_addPeer returned false", a.name)
	}
	waitFor(t, 30*time.Second, fmt.Sprintf("%s and %s peered over shh", a.name, b.name), func() (bool, error) {
		x, err := a.hasShhPeer(t, b.enode)
		if !x || err != nil {
			return false, err
		}
		return b.hasShhPeer(t, a.enode)
	})
}

// waitFor polls cond every 50 ms until it returns true, fails or timeout
// passes; an error from cond is remembered and reported on timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		ok, err := cond()
		if ok {
			return
		}
		if err != nil {
			last = err
		}
		select {
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s (last error: %v)", timeout, what, last)
		case <-tick.C:
		}
	}
}
