package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/lib/testutil"
)

// daemon runs statusd's run in the background on a fresh data directory
// with a light KDF and free ports; stop sends SIGTERM and returns the exit
// status.
type daemon struct {
	dir    string
	stderr *testutil.Buffer
	sigs   chan os.Signal
	code   chan int
}

func startDaemon(t *testing.T, env map[string]string, extra ...string) *daemon {
	t.Helper()
	d := &daemon{dir: filepath.Join(t.TempDir(), "data"), stderr: &testutil.Buffer{}, sigs: make(chan os.Signal, 2), code: make(chan int, 1)}
	// No fleet and no SNTP: tests dial nothing beyond loopback.
	args := append([]string{"--datadir", d.dir, "--lightkdf", "--port", "0", "--nodiscover", "--fleet", "none", "--ntp.enabled=false", "--log.format", "json"}, extra...)
	go func() {
		d.code <- run(args, func(k string) string { return env[k] }, &bytes.Buffer{}, d.stderr, d.sigs)
	}()
	t.Cleanup(func() {
		select {
		case d.sigs <- syscall.SIGTERM:
		default:
		}
	})
	return d
}

func (d *daemon) stop(t *testing.T) int {
	t.Helper()
	d.sigs <- syscall.SIGTERM
	select {
	case code := <-d.code:
		return code
	case <-time.After(15 * time.Second):
		t.Fatalf("statusd did not stop:\n%s", d.stderr)
		return -1
	}
}

// listenNotify is a stand-in for systemd's notification socket.
func listenNotify(t *testing.T) (*net.UnixConn, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, path
}

func readNotify(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}

// TestNotifySocket: with NOTIFY_SOCKET set, statusd sends READY=1 once
// JSON-RPC answers, and STOPPING=1 when SIGTERM arrives.
func TestNotifySocket(t *testing.T) {
	conn, path := listenNotify(t)
	d := startDaemon(t, map[string]string{"NOTIFY_SOCKET": path, "STATUSD_PASSWORD": "pw"})
	ready := readNotify(t, conn)
	if !strings.Contains(ready, "READY=1") {
		t.Fatalf("first notification %q", ready)
	}
	// RPC is up when READY=1 arrives: the IPC socket answers at once.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := rpc.DialIPC(ctx, filepath.Join(d.dir, "statusd.ipc"))
	if err != nil {
		t.Fatalf("READY=1 before RPC: %v", err)
	}
	var v string
	if err := c.CallContext(ctx, &v, "net_version"); err != nil || v != "1" {
		t.Fatalf("net_version after READY=1: %q %v", v, err)
	}
	c.Close()
	d.sigs <- syscall.SIGTERM
	if got := readNotify(t, conn); got != "STOPPING=1" {
		t.Fatalf("on SIGTERM: %q", got)
	}
	select {
	case code := <-d.code:
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, d.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("statusd did not stop")
	}
}

// TestCredentialsDirectory: the account password comes from the systemd
// credential "password"; a different STATUSD_PASSWORD does not win over it.
func TestCredentialsDirectory(t *testing.T) {
	creds := t.TempDir()
	if err := os.WriteFile(filepath.Join(creds, "password"), []byte("from-credential\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	conn, path := listenNotify(t)
	env := map[string]string{"CREDENTIALS_DIRECTORY": creds, "NOTIFY_SOCKET": path}
	d := startDaemon(t, env)
	if got := readNotify(t, conn); !strings.Contains(got, "READY=1") {
		t.Fatalf("not ready: %q\n%s", got, d.stderr)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d:\n%s", code, d.stderr)
	}
	// The keystore was created under the credential's password: the same
	// directory opens with it as STATUSD_PASSWORD, and not with another.
	if pw, err := readPassword("", func(k string) string { return env[k] }); err != nil || pw != "from-credential" {
		t.Fatalf("readPassword: %q %v", pw, err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"--datadir", d.dir, "--lightkdf", "--port", "0", "--nodiscover"},
		func(k string) string { return map[string]string{"STATUSD_PASSWORD": "other"}[k] }, &out, &errb, nil)
	if code != 1 || !strings.Contains(errb.String(), "password") {
		t.Fatalf("wrong password accepted: %d %s", code, errb.String())
	}
}

// TestServiceUnitMatchesDaemon: contrib/systemd/statusd.service asks for
// what statusd provides: readiness notification, the credential name
// readPassword reads, JSON logs, its data directory as the StateDirectory,
// and a reload by SIGHUP. (systemd-analyze verify checks the syntax in
// make test.)
func TestServiceUnitMatchesDaemon(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "contrib", "systemd", "statusd.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(data)
	for _, want := range []string{
		"\nType=notify\n",
		"\nLoadCredential=" + credentialName + ":/etc/statusd/password\n",
		"\nExecStart=/usr/local/bin/statusd --datadir /var/lib/statusd --log.format json\n",
		"\nStateDirectory=statusd\n",
		"\nDynamicUser=yes\n",
		"\nExecReload=/bin/kill -HUP $MAINPID\n",
		"\nRestart=on-failure\n",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("the unit lacks %q", strings.TrimSpace(want))
		}
	}
	// The ExecStart flags parse.
	if _, err := config.Load([]string{"--datadir", "/var/lib/statusd", "--log.format", "json"}, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
}
