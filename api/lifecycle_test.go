package api

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestConfigValidation(t *testing.T) {
	for name, mutate := range map[string]func(*Config){
		"token empty without NoAuth": func(c *Config) { c.Token = "" },
		"no body limit":              func(c *Config) { c.MaxBodyBytes = 0 },
		"HTTP address empty":         func(c *Config) { c.HTTPAddr = "" },
		"WS port out of range":       func(c *Config) { c.WSPort = 70000 },
		"IPC path too long":          func(c *Config) { c.IPCPath = "/tmp/" + strings.Repeat("a", 200) },
		"empty module":               func(c *Config) { c.Modules = []string{""} },
	} {
		cfg := testConfig(t)
		mutate(&cfg)
		if _, err := NewServer(cfg, zap.NewNop(), nil); !errors.Is(err, errConfig) {
			t.Errorf("%s: NewServer error %v, want errConfig", name, err)
		}
	}
}

func TestRegisterRules(t *testing.T) {
	srv, err := NewServer(testConfig(t), zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mustRegister(t, srv, "web3", NewWeb3API(testVersion))
	if err := srv.Register("web3", NewWeb3API(testVersion)); !errors.Is(err, errRegistered) {
		t.Errorf("second web3: %v, want errRegistered", err)
	}
	if err := srv.Register("empty", struct{}{}); err == nil {
		t.Error("a service without methods registered")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Register("net", NewNetAPI(newFakeP2P(), 1)); !errors.Is(err, errStarted) {
		t.Errorf("Register after Start: %v, want errStarted", err)
	}
	if err := srv.Start(); !errors.Is(err, errStarted) {
		t.Errorf("second Start: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); !errors.Is(err, errStopped) {
		t.Errorf("Start after Stop: %v", err)
	}
}

func TestStartFailsOnPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := testConfig(t)
	cfg.WSPort = busy.Addr().(*net.TCPAddr).Port // HTTP and IPC open first, then WS fails

	core, logs := observer.New(zapcore.DebugLevel)
	srv, err := NewServer(cfg, zap.New(core), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Start()
	if err == nil {
		srv.Stop()
		t.Fatal("Start succeeded on a busy port")
	}
	if !strings.Contains(err.Error(), busy.Addr().String()) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("error %q does not name %s or wrap EADDRINUSE", err, busy.Addr())
	}
	opened := logs.FilterMessage("RPC endpoint opened").All()
	if len(opened) != 1 {
		t.Fatalf("want the HTTP endpoint opened before the failure, logs: %v", logs.All())
	}
	httpAddr := opened[0].ContextMap()["addr"].(string)
	if c, err := net.Dial("tcp", httpAddr); err == nil {
		c.Close()
		t.Errorf("HTTP endpoint %s still listening after failed Start", httpAddr)
	}
	if _, err := os.Lstat(cfg.IPCPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("IPC socket left behind after failed Start: %v", err)
	}
	if srv.HTTPURL() != "" || srv.WSURL() != "" {
		t.Errorf("URLs after failed Start: %q %q", srv.HTTPURL(), srv.WSURL())
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("Stop after failed Start: %v", err)
	}
}

func TestIPCPermissionsAndStop(t *testing.T) {
	cfg := testConfig(t)
	ts := startServer(t, cfg)
	dirInfo, err := os.Stat(filepath.Dir(cfg.IPCPath))
	if err != nil {
		t.Fatal(err)
	}
	if dirInfo.Mode().Perm() != 0o700 {
		t.Errorf("IPC directory mode %v, want 0700", dirInfo.Mode().Perm())
	}
	sockInfo, err := os.Lstat(cfg.IPCPath)
	if err != nil {
		t.Fatal(err)
	}
	if sockInfo.Mode().Type() != fs.ModeSocket || sockInfo.Mode().Perm() != 0o600 {
		t.Fatalf("IPC socket mode %v, want socket 0600", sockInfo.Mode())
	}

	// Open sessions on every transport; Stop must end them.
	clients := []*struct {
		name string
		url  string
	}{{"http", ts.HTTPURL()}, {"ws", ts.WSURL()}, {"ipc", ""}}
	for _, c := range clients {
		cl := mustDialIPC(t, cfg.IPCPath)
		if c.url != "" {
			cl = mustDial(t, c.url, testToken)
		}
		if _, err := call(t, cl, "web3_clientVersion"); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		defer cl.Close()
	}
	if err := ts.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := ts.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Lstat(cfg.IPCPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("IPC socket still there after Stop: %v", err)
	}
	for _, addr := range []string{ts.HTTPURL()[len("http://"):], ts.WSURL()[len("ws://"):]} {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Errorf("%s still listening after Stop", addr)
		}
	}
}

func TestStaleIPCSocketReplacedLiveOneRefused(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTPEnabled, cfg.WSEnabled = false, false
	if err := os.MkdirAll(filepath.Dir(cfg.IPCPath), 0o700); err != nil {
		t.Fatal(err)
	}
	// A stale socket: bound, then closed without unlinking.
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: cfg.IPCPath, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	ts := startServer(t, cfg)
	if _, err := call(t, mustDialIPC(t, cfg.IPCPath), "web3_clientVersion"); err != nil {
		t.Fatalf("over a replaced stale socket: %v", err)
	}
	// A second server on the live socket must refuse, not steal it.
	srv2, err := NewServer(cfg, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv2.Start(); !errors.Is(err, syscall.EADDRINUSE) {
		srv2.Stop()
		t.Fatalf("second server on a live socket: %v", err)
	}
	if _, err := call(t, mustDialIPC(t, ts.IPCPath()), "web3_clientVersion"); err != nil {
		t.Errorf("first server's socket broken by the second: %v", err)
	}
	// A regular file is never removed.
	cfg.IPCPath = filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(cfg.IPCPath, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv3, _ := NewServer(cfg, zap.NewNop(), nil)
	if err := srv3.Start(); !errors.Is(err, fs.ErrExist) {
		srv3.Stop()
		t.Errorf("IPC path on a regular file: %v", err)
	}
}
