package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

// buildBinary compiles cmd/statusd once per test binary run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func statusdBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "statusd-e2e-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "statusd")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildOnce.path != "" {
		os.RemoveAll(filepath.Dir(buildOnce.path))
	}
	os.Exit(code)
}

// daemon is a statusd process under test.
type daemon struct {
	cmd     *exec.Cmd
	datadir string
	stderr  *syncBuffer
	started map[string]any // the "statusd started" log record
	exited  chan error
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

func baseArgs(datadir string) []string {
	return []string{"--datadir", datadir, "--port", "0", "--nodiscover", "--lightkdf", "--log.format", "json",
		"--http", "--http.port", "0", "--ws", "--ws.port", "0"}
}

// startDaemon runs statusd and waits for its "statusd started" log line or
// its exit, whichever comes first.
func startDaemon(t *testing.T, datadir, password string, extra ...string) (*daemon, error) {
	t.Helper()
	cmd := exec.Command(statusdBinary(t), append(baseArgs(datadir), extra...)...)
	cmd.Env = append(os.Environ(), "STATUSD_PASSWORD="+password)
	pr, pw := io.Pipe()
	d := &daemon{cmd: cmd, datadir: datadir, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = io.MultiWriter(pw, d.stderr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	startedCh := make(chan map[string]any, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "statusd started" {
				startedCh <- rec
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		pw.Close()
		d.exited <- err
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
	})
	select {
	case d.started = <-startedCh:
		return d, nil
	case err := <-d.exited:
		d.exited <- err
		return d, fmt.Errorf("statusd exited: %v\n%s", err, d.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("statusd did not start:\n%s", d.stderr.String())
	}
	return nil, nil
}

func (d *daemon) field(name string) string {
	s, _ := d.started[name].(string)
	return s
}

func (d *daemon) token(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(d.datadir, "rpc.token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func postRPC(t *testing.T, url, token string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// TestDaemonEndToEnd builds the real binary, talks to it over HTTP, WS and
// IPC, checks that a second statusd on the same datadir is refused, and
// that SIGTERM stops it with status 0 within 5 seconds.
func TestDaemonEndToEnd(t *testing.T) {
	datadir := filepath.Join(t.TempDir(), "data")
	d, err := startDaemon(t, datadir, "e2e password")
	if err != nil {
		t.Fatal(err)
	}
	tok := d.token(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, ep := range []struct{ name, url string }{{"http", d.field("http")}, {"ws", d.field("ws")}, {"ipc", d.field("ipc")}} {
		var c *rpc.Client
		var err error
		if ep.name == "ipc" {
			c, err = rpc.DialIPC(ctx, ep.url)
		} else {
			c, err = rpc.DialOptions(ctx, ep.url, rpc.WithHeader("Authorization", "Bearer "+tok))
		}
		if err != nil {
			t.Fatalf("%s dial %q: %v", ep.name, ep.url, err)
		}
		var v string
		if err := c.CallContext(ctx, &v, "web3_clientVersion"); err != nil || !strings.HasPrefix(v, "statusd/") {
			t.Fatalf("%s web3_clientVersion = %q, %v", ep.name, v, err)
		}
		c.Close()
	}

	httpURL := d.field("http")
	call := []byte(`{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":[]}`)
	if code, body := postRPC(t, httpURL, "", call); code != http.StatusUnauthorized || !strings.Contains(body, `"error"`) {
		t.Fatalf("no token: %d %s", code, body)
	}
	// The README's curl example: `curl -d` sends a form content type.
	req, _ := http.NewRequest("POST", strings.Replace(httpURL, "127.0.0.1", "localhost", 1), bytes.NewReader(call))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("curl-style request: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if code, body := postRPC(t, httpURL, tok, []byte(`{"jsonrpc":"2.0","id":1,`)); !strings.Contains(body, "-32700") {
		t.Fatalf("malformed JSON: %d %s", code, body)
	}
	if _, body := postRPC(t, httpURL, tok, []byte(`{"jsonrpc":"2.0","id":1,"method":"nope_nope","params":[]}`)); !strings.Contains(body, "-32601") {
		t.Fatalf("unknown method: %s", body)
	}
	big := append([]byte(`{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":["`), bytes.Repeat([]byte("a"), 6<<20)...)
	big = append(big, `"]}`...)
	if code, _ := postRPC(t, httpURL, tok, big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: status %d", code)
	}
	if _, body := postRPC(t, httpURL, tok, []byte(`[{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"},{"jsonrpc":"2.0","id":2,"method":"net_version"}]`)); !strings.Contains(body, `"id":2`) || !strings.Contains(body, `"result":"1"`) {
		t.Fatalf("batch: %s", body)
	}

	// A second statusd on the same datadir is refused with a clear message.
	second, err := startDaemon(t, datadir, "e2e password")
	if err == nil {
		t.Fatal("second statusd on the same datadir started")
	}
	if code := second.cmd.ProcessState.ExitCode(); code == 0 || !strings.Contains(second.stderr.String(), "in use by another statusd") {
		t.Fatalf("second start: exit %d\n%s", code, second.stderr.String())
	}

	// SIGTERM: exit 0 within 5 s, with the IPC socket removed.
	begin := time.Now()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, d.stderr.String())
		}
		if took := time.Since(begin); took > 5*time.Second {
			t.Fatalf("shutdown took %v", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("statusd still running 5 s after SIGTERM\n%s", d.stderr.String())
	}
	if _, err := os.Stat(d.field("ipc")); !os.IsNotExist(err) {
		t.Fatalf("IPC socket left behind: %v", err)
	}
	if !strings.Contains(d.stderr.String(), `"msg":"statusd stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", d.stderr.String())
	}
	if strings.Contains(d.stderr.String(), tok) || strings.Contains(d.stderr.String(), "e2e password") {
		t.Fatal("a secret was logged")
	}

	// It starts again on the same datadir with the same identity.
	again, err := startDaemon(t, datadir, "e2e password")
	if err != nil {
		t.Fatal(err)
	}
	if again.field("enode")[:80] != d.field("enode")[:80] {
		t.Fatal("node key changed across restarts")
	}
	again.cmd.Process.Signal(syscall.SIGINT)
	if err := <-again.exited; err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
}

// TestDaemonBadInput checks that bad input gives a clear error and a
// non-zero exit status, never a crash.
func TestDaemonBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := fmt.Sprint(busy.Addr().(*net.TCPAddr).Port)
	fileNotDir := write("plainfile", "x")

	// Create an account, so the wrong-password case has one to unlock.
	existing := filepath.Join(dir, "existing")
	d, err := startDaemon(t, existing, "right")
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	<-d.exited

	cases := []struct {
		name     string
		datadir  string
		password string
		args     []string
		want     string
	}{
		{"unknown config key", "", "pw", []string{"--config", write("a.toml", "[p2p]\nmaxpeer = 3\n")}, `line 2: unknown key "p2p.maxpeer"`},
		{"malformed toml", "", "pw", []string{"--config", write("b.toml", "[p2p\n")}, "line 1"},
		{"wrong password", existing, "wrong", nil, "wrong password"},
		{"no password", "", "", nil, "no account password"},
		{"port in use", "", "pw", []string{"--http.port", busyPort}, "address already in use"},
		{"unusable datadir", filepath.Join(fileNotDir, "data"), "pw", nil, "data directory"},
		{"bad flag value", "", "pw", []string{"--maxpeers", "lots"}, "--maxpeers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			datadir := tc.datadir
			if datadir == "" {
				datadir = filepath.Join(t.TempDir(), "data")
			}
			d, err := startDaemon(t, datadir, tc.password, tc.args...)
			if err == nil {
				t.Fatal("statusd started")
			}
			code := d.cmd.ProcessState.ExitCode()
			out := d.stderr.String()
			if code <= 0 || !strings.Contains(out, tc.want) || strings.Contains(out, "panic") {
				t.Fatalf("exit %d, want non-zero and %q in:\n%s", code, tc.want, out)
			}
		})
	}
}
