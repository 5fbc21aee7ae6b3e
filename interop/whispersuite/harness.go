package whispersuite

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

// Node kinds the harness can start (StartNode).
const (
	KindStatusd   = "statusd"
	KindGethRef   = "geth"   // go-ethereum v1.9.20 whisperv6, interop/whisper-geth/cmd/refnode
	KindStatusRef = "status" // status-im/whisper v1.6.2, interop/whisper-status/cmd/refnode
)

// Program is a main package the harness builds (Build).
type Program struct {
	// Name names the binary; Build builds each Name once per test binary
	// run, so two Programs must not share one.
	Name string
	// ModuleDir is the directory of the Go module the package belongs to,
	// slash-separated and relative to the statusd repository root
	// ("." for statusd's own module). The build runs there, with that
	// module's go.mod.
	ModuleDir string
	// Pkg is the package, relative to ModuleDir ("./cmd/refnode").
	Pkg string
}

// nodePrograms are the programs of the node kinds.
var nodePrograms = map[string]Program{
	KindStatusd:   {KindStatusd, ".", "./cmd/statusd"},
	KindGethRef:   {KindGethRef, "interop/whisper-geth", "./cmd/refnode"},
	KindStatusRef: {KindStatusRef, "interop/whisper-status", "./cmd/refnode"},
}

// builds caches what Build produced: one build per program and test binary
// run, shared by every test of the run; Main removes the directory.
var builds struct {
	mu   sync.Mutex
	dir  string
	done map[string]buildResult
}

type buildResult struct {
	path string
	err  error
}

// Build builds p the first time it is asked for in this test binary run and
// returns the binary's path; later calls return the same path (or fail t
// with the same error). It fails t when the build fails. It is safe for
// concurrent use; a call blocks while another build runs. The binaries
// live in a temporary directory that Main removes.
//
// ModuleDir is resolved against the repository root, which Build finds by
// walking up from the working directory (go test runs a test binary in its
// package's directory) to the go.mod of module
// github.com/statusnode/statusd.
func Build(t testing.TB, p Program) string {
	t.Helper()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if r, ok := builds.done[p.Name]; ok {
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.path
	}
	if builds.done == nil {
		dir, err := os.MkdirTemp("", "whisper-interop-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir = dir
		builds.done = map[string]buildResult{}
	}
	r := buildResult{path: filepath.Join(builds.dir, p.Name)}
	root, err := repoRoot()
	if err == nil {
		cmd := exec.Command("go", "build", "-o", r.path, p.Pkg)
		cmd.Dir = filepath.Join(root, filepath.FromSlash(p.ModuleDir))
		if out, berr := cmd.CombinedOutput(); berr != nil {
			err = fmt.Errorf("building %s in %s: %w\n%s", p.Pkg, cmd.Dir, berr, out)
		}
	}
	r.err = err
	builds.done[p.Name] = r
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.path
}

// rootModule is the module line of the repository root's go.mod.
const rootModule = "module github.com/statusnode/statusd\n"

// repoRoot returns the nearest directory at or above the working directory
// whose go.mod declares statusd's root module.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the statusd repository: %w", err)
	}
	for dir := wd; ; {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte(rootModule)) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of %q at or above %s", strings.TrimSpace(rootModule), wd)
		}
		dir = parent
	}
}

// Main runs the tests and benchmarks of m, then removes the binaries Build
// produced, and returns m's exit code. A module's TestMain calls it:
// os.Exit(whispersuite.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
		builds.dir, builds.done = "", nil
	}
	return code
}

// Node is one running Whisper node under test, reached over HTTP JSON-RPC.
// StartNode fills it; its fields are not to be changed.
type Node struct {
	Kind  string // one of the Kind constants
	Name  string // for messages: what StartNode was given
	Enode string // its enode URL, on 127.0.0.1
	HTTP  string // its JSON-RPC URL
	PID   int    // its process

	token string // bearer token, statusd only
	logs  *SyncBuffer
}

// Logs returns what the node has logged so far (its standard error).
func (n *Node) Logs() string { return n.logs.String() }

// SyncBuffer is a bytes.Buffer that is safe for concurrent Write and
// String, for capturing a process's output while a test reads it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns a copy of everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartTimeout bounds how long a node or helper process may take to report
// that it is up.
const StartTimeout = 60 * time.Second

// StartNode builds (Build) and starts a node of the given kind, with
// devp2p and HTTP JSON-RPC on free loopback ports and no discovery, and
// returns once it serves JSON-RPC. It fails t if the node does not start
// within StartTimeout. The node is killed when t ends, and its log is
// printed if t failed. The environment is passed on, so a test can set a
// node's options with t.Setenv before starting it.
func StartNode(t testing.TB, kind, name string) *Node {
	t.Helper()
	if kind == KindStatusd {
		return startStatusd(t, name)
	}
	if _, ok := nodePrograms[kind]; !ok {
		t.Fatalf("no node kind %q", kind)
	}
	return startRef(t, kind, name)
}

// startRef runs a reference node. It prints one JSON line with its enode
// and RPC URLs on stdout, and exits when its stdin closes, so a test binary
// that dies cannot leave it behind.
func startRef(t testing.TB, kind, name string) *Node {
	t.Helper()
	cmd := exec.Command(Build(t, nodePrograms[kind]), "-verbosity", "3") // info, as statusd's --log.level info
	KillWithParent(cmd)
	n := &Node{Kind: kind, Name: name, logs: &SyncBuffer{}}
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
	n.PID = cmd.Process.Pid
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
		n.Enode, n.HTTP = rec["enode"], rec["http"]
		t.Logf("%s: %s at %s", name, rec["impl"], n.HTTP)
	case <-exited:
		t.Fatalf("%s exited before it started:\n%s", name, n.Logs())
	case <-time.After(StartTimeout):
		t.Fatalf("%s did not start:\n%s", name, n.Logs())
	}
	return n
}

// startStatusd runs statusd on a fresh data directory with HTTP JSON-RPC on
// loopback, the shh namespace (and statusd's messenger namespaces) served,
// devp2p on a free port, no discovery, no fleet and no SNTP.
// It reads the endpoints from the "statusd started" JSON log line.
func startStatusd(t testing.TB, name string) *Node {
	t.Helper()
	datadir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(Build(t, nodePrograms[KindStatusd]), "--datadir", datadir, "--port", "0", "--nodiscover", "--ntp.enabled=false", "--fleet", "none",
		"--lightkdf", "--log.format", "json", "--log.level", "info", "--ipcdisable",
		"--http", "--http.port", "0", "--rpc.modules", "web3,net,admin,shh,shhext,statusd", "--shh.pow", "0.001")
	cmd.Env = append(os.Environ(), "STATUSD_PASSWORD=interop password")
	KillWithParent(cmd)
	n := &Node{Kind: KindStatusd, Name: name, logs: &SyncBuffer{}}
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(pw, n.logs)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.PID = cmd.Process.Pid
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
		n.Enode, _ = rec["enode"].(string)
		n.HTTP, _ = rec["http"].(string)
	case <-exited:
		t.Fatalf("%s exited before it started:\n%s", name, n.Logs())
	case <-time.After(StartTimeout):
		t.Fatalf("%s did not start:\n%s", name, n.Logs())
	}
	tok, err := os.ReadFile(filepath.Join(datadir, "rpc.token"))
	if err != nil {
		t.Fatal(err)
	}
	n.token = strings.TrimSpace(string(tok))
	t.Logf("%s: statusd at %s", name, n.HTTP)
	return n
}

// watchProcess kills cmd when t ends (closing stdin first, if not nil) and
// prints its log if t failed. The returned channel closes when the process
// exits.
func watchProcess(t testing.TB, n *Node, cmd *exec.Cmd, stdin io.Closer) <-chan struct{} {
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
			t.Logf("--- log of %s (%s) ---\n%s", n.Name, n.Kind, tail(n.Logs(), 30000))
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

// RPCError is a JSON-RPC error object, as CallErr returns it.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

var httpClient = &http.Client{Timeout: 30 * time.Second}

// CallErr calls method with params (none when params is nil) and returns
// the raw result. A JSON-RPC error comes back as a *RPCError; transport
// and decoding errors as other errors. It may be called from any
// goroutine, also after the test has ended (the node is then gone and the
// call fails).
func (n *Node) CallErr(method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest("POST", n.HTTP, bytes.NewReader(body))
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
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("HTTP %d, not a JSON-RPC response: %.300q", resp.StatusCode, data)
	}
	if out.Error != nil {
		return nil, out.Error
	}
	return out.Result, nil
}

// Call is CallErr that fails t on error and decodes the result into out
// (when out is not nil). Being able to fail t, it must run on the test's
// goroutine.
func (n *Node) Call(t testing.TB, out any, method string, params ...any) {
	t.Helper()
	res, err := n.CallErr(method, params...)
	if err != nil {
		t.Fatalf("%s: %s: %v", n.Name, method, err)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s: %s: result %s: %v", n.Name, method, res, err)
		}
	}
}

// Str is Call for a method that returns a string.
func (n *Node) Str(t testing.TB, method string, params ...any) string {
	t.Helper()
	var s string
	n.Call(t, &s, method, params...)
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

// HasShhPeer reports whether n lists (admin_peers) a peer with the given
// enode URL that runs shh past its handshake.
func (n *Node) HasShhPeer(enode string) (bool, error) {
	res, err := n.CallErr("admin_peers")
	if err != nil {
		return false, err
	}
	var peers []struct {
		Enode     string                     `json:"enode"`
		Protocols map[string]json.RawMessage `json:"protocols"`
	}
	if err := json.Unmarshal(res, &peers); err != nil {
		return false, fmt.Errorf("admin_peers: %w", err)
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

// Connect makes a dial b (admin_addPeer) and waits up to 30 s until each
// lists the other as an shh peer; it fails t otherwise.
func Connect(t testing.TB, a, b *Node) {
	t.Helper()
	var ok bool
	a.Call(t, &ok, "admin_addPeer", b.Enode)
	if !ok {
		t.Fatalf("%s: admin_addPeer returned false", a.Name)
	}
	WaitFor(t, 30*time.Second, fmt.Sprintf("%s and %s peered over shh", a.Name, b.Name), func() (bool, error) {
		x, err := a.HasShhPeer(b.Enode)
		if !x || err != nil {
			return false, err
		}
		return b.HasShhPeer(a.Enode)
	})
}

// WaitFor calls cond at once and then every 50 ms, on the calling
// goroutine, until it returns true, and fails t if that has not happened
// within timeout. An error from cond does not end the wait: the last one
// is reported on timeout.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
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
