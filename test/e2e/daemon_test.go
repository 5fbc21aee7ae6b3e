package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/lib/testutil/daemon"
)

// startDaemon runs statusd on datadir with password and extra flags and
// waits for it to start; the error carries its output if it exits first.
func startDaemon(t *testing.T, datadir, password string, extra ...string) (*daemon.Daemon, error) {
	t.Helper()
	return daemon.Start(t, daemon.Options{Datadir: datadir, Password: password, NoPassword: password == "", Args: extra})
}

func mustToken(t *testing.T, d *daemon.Daemon) string {
	t.Helper()
	tok, err := d.Token()
	if err != nil {
		t.Fatal(err)
	}
	return tok
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
	tok := mustToken(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, ep := range []struct {
		name string
		dial func(context.Context) (*rpc.Client, error)
	}{{"http", d.DialHTTP}, {"ws", d.DialWS}, {"ipc", d.DialIPC}} {
		c, err := ep.dial(ctx)
		if err != nil {
			t.Fatalf("%s dial: %v", ep.name, err)
		}
		var v string
		if err := c.CallContext(ctx, &v, "web3_clientVersion"); err != nil || !strings.HasPrefix(v, "statusd/") {
			t.Fatalf("%s web3_clientVersion = %q, %v", ep.name, v, err)
		}
		c.Close()
	}

	httpURL := d.HTTP
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
	if code := second.ExitCode(); code == 0 || !strings.Contains(second.Logs(), "in use by another statusd") {
		t.Fatalf("second start: exit %d\n%s", code, second.Logs())
	}

	// SIGTERM: exit 0 within 5 s, with the IPC socket removed.
	begin := time.Now()
	if err := d.Stop(5 * time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, d.Logs())
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Fatalf("shutdown took %v", took)
	}
	if _, err := os.Stat(d.IPC); !os.IsNotExist(err) {
		t.Fatalf("IPC socket left behind: %v", err)
	}
	if !strings.Contains(d.Logs(), `"msg":"statusd stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", d.Logs())
	}
	if strings.Contains(d.Logs(), tok) || strings.Contains(d.Logs(), "e2e password") {
		t.Fatal("a secret was logged")
	}

	// It starts again on the same datadir with the same identity.
	again, err := startDaemon(t, datadir, "e2e password")
	if err != nil {
		t.Fatal(err)
	}
	if again.Enode[:80] != d.Enode[:80] {
		t.Fatal("node key changed across restarts")
	}
	again.Signal(syscall.SIGINT)
	<-again.Exited()
	if err := again.Err(); err != nil {
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
	d.Signal(syscall.SIGTERM)
	<-d.Exited()

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
			if d == nil {
				t.Fatal(err)
			}
			code := d.ExitCode()
			out := d.Logs()
			if code <= 0 || !strings.Contains(out, tc.want) || strings.Contains(out, "panic") {
				t.Fatalf("exit %d, want non-zero and %q in:\n%s", code, tc.want, out)
			}
		})
	}
}
