// Package daemon runs the real statusd binary in tests: it builds
// cmd/statusd once per test process (or runs the executable named by
// $STATUSD_TEST_BINARY), starts, stops and kills daemons on a
// data directory, reads the endpoints each one logs in its "statusd
// started" record and the RPC token in its data directory, and dials
// JSON-RPC clients to them.
//
// Every daemon is started with --log.format json, --lightkdf, --nodiscover,
// --ntp.enabled=false, --fleet none (tests reach nothing but loopback) and HTTP and WebSocket JSON-RPC on 127.0.0.1 port 0, plus the caller's
// extra flags (later flags win). A daemon still running when its test ends
// is killed.
package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/statusnode/statusd/lib/testutil"
)

// Package is the import path Binary builds.
const Package = "github.com/statusnode/statusd/cmd/statusd"

// StartTimeout bounds how long Start waits for the "statusd started" record.
const StartTimeout = 60 * time.Second

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// BinaryEnv names the environment variable that, when set, holds the path
// of a statusd executable to run instead of building cmd/statusd: a
// benchmark can then compare two builds (say, main's and a branch's) in
// one run on the same machine.
const BinaryEnv = "STATUSD_TEST_BINARY"

// Binary builds cmd/statusd once per test process and returns the path of
// the executable, or returns $STATUSD_TEST_BINARY (BinaryEnv) unchanged
// when it is set. It fails tb if the build fails. Call Cleanup from
// TestMain to remove the build directory.
func Binary(tb testing.TB) string {
	tb.Helper()
	path, err := binary()
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

func binary() (string, error) {
	build.once.Do(func() {
		if p := os.Getenv(BinaryEnv); p != "" {
			build.path = p
			return
		}
		build.dir, build.err = os.MkdirTemp("", "statusd-bin-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "statusd")
		out, err := exec.Command("go", "build", "-o", build.path, Package).CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build %s: %v\n%s", Package, err, out)
		}
	})
	return build.path, build.err
}

// Cleanup removes the binary Binary built, if any. Call it from TestMain
// after m.Run.
func Cleanup() {
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago (it
// listens on port 0 and closes). Use it for flags that must keep the same
// port across restarts, such as --port with --staticnodes.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Options say how to start a daemon.
type Options struct {
	Datadir  string   // required
	Password string   // STATUSD_PASSWORD; "" means "statusd test password"
	Args     []string // extra flags, after the defaults
	// NoPassword starts the daemon with STATUSD_PASSWORD set empty (and
	// Password ignored), to test how it refuses to run without one.
	NoPassword bool
}

// Daemon is one running (or exited) statusd process.
type Daemon struct {
	// Started is the "statusd started" log record.
	Started map[string]any
	// Enode, HTTP, WS and IPC are the endpoints from Started.
	Enode, HTTP, WS, IPC string

	datadir string
	cmd     *exec.Cmd
	logs    *testutil.Buffer
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done
}

// Start runs statusd with opts and waits for its "statusd started" record.
// It returns an error (with the daemon's output) if the process exits
// first or the record does not come within StartTimeout (the process is
// then killed); the Daemon is nil only when the process could not be
// started. It never calls tb.Fatal, so any goroutine may call it. The
// daemon is killed when tb ends, if still running.
func Start(tb testing.TB, opts Options) (*Daemon, error) {
	tb.Helper()
	if opts.Datadir == "" {
		return nil, errors.New("daemon: Options.Datadir is required")
	}
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	switch {
	case opts.NoPassword:
		opts.Password = ""
	case opts.Password == "":
		opts.Password = "statusd test password"
	}
	args := []string{"--datadir", opts.Datadir, "--log.format", "json", "--lightkdf", "--nodiscover",
		"--ntp.enabled=false", "--fleet", "none", "--port", "0", "--http", "--http.port", "0", "--ws", "--ws.port", "0"}
	cmd := exec.Command(bin, append(args, opts.Args...)...)
	cmd.Env = append(os.Environ(), "STATUSD_PASSWORD="+opts.Password)
	d := &Daemon{datadir: opts.Datadir, cmd: cmd, logs: &testutil.Buffer{}, done: make(chan struct{})}
	pr, pw := io.Pipe()
	cmd.Stdout = d.logs
	cmd.Stderr = io.MultiWriter(pw, d.logs)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("daemon: start %s: %w", bin, err)
	}
	tb.Cleanup(func() { d.Kill() })
	started := make(chan map[string]any, 1)
	go scanStarted(pr, started)
	go func() {
		d.waitErr = cmd.Wait()
		pw.Close()
		close(d.done)
	}()
	select {
	case rec := <-started:
		d.setStarted(rec)
		return d, nil
	case <-d.done:
		return d, fmt.Errorf("statusd exited before starting: %v\n%s", d.waitErr, d.Logs())
	case <-time.After(StartTimeout):
		d.Kill()
		return d, fmt.Errorf("statusd did not start within %v:\n%s", StartTimeout, d.Logs())
	}
}

// scanStarted sends the "statusd started" record to started and drains r
// until it ends.
func scanStarted(r io.Reader, started chan<- map[string]any) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "statusd started" {
			select {
			case started <- rec:
			default:
			}
		}
	}
	io.Copy(io.Discard, r)
}

func (d *Daemon) setStarted(rec map[string]any) {
	d.Started = rec
	field := func(name string) string { s, _ := rec[name].(string); return s }
	d.Enode, d.HTTP, d.WS, d.IPC = field("enode"), field("http"), field("ws"), field("ipc")
}

// Datadir is the daemon's data directory.
func (d *Daemon) Datadir() string { return d.datadir }

// Pid is the process ID.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Logs returns everything the daemon wrote to stdout and stderr so far.
func (d *Daemon) Logs() string { return d.logs.String() }

// Token reads the bearer token from <datadir>/rpc.token.
func (d *Daemon) Token() (string, error) {
	data, err := os.ReadFile(filepath.Join(d.datadir, "rpc.token"))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// Exited is closed once the process has exited.
func (d *Daemon) Exited() <-chan struct{} { return d.done }

// Err is the process's exit error once Exited is closed (nil for status 0).
func (d *Daemon) Err() error {
	select {
	case <-d.done:
		return d.waitErr
	default:
		return nil
	}
}

// ExitCode is the process's exit status once Exited is closed: -1 while it
// runs or if a signal ended it.
func (d *Daemon) ExitCode() int {
	select {
	case <-d.done:
		return d.cmd.ProcessState.ExitCode()
	default:
		return -1
	}
}

// Signal sends sig to the process; wait on Exited for its exit.
func (d *Daemon) Signal(sig os.Signal) error { return d.cmd.Process.Signal(sig) }

// Kill sends SIGKILL and waits for the process to exit. It is safe to call
// on an exited daemon.
func (d *Daemon) Kill() {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

// Stop sends SIGTERM and waits up to timeout for the process to exit,
// returning its exit error; after timeout it kills it and says so.
func (d *Daemon) Stop(timeout time.Duration) error {
	select {
	case <-d.done:
		return d.waitErr
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		return d.waitErr
	case <-time.After(timeout):
		d.Kill()
		return fmt.Errorf("statusd still running %v after SIGTERM; killed", timeout)
	}
}

// DialHTTP returns a JSON-RPC client over HTTP with the bearer token.
func (d *Daemon) DialHTTP(ctx context.Context) (*rpc.Client, error) { return d.dial(ctx, d.HTTP) }

// DialWS returns a JSON-RPC client over WebSocket with the bearer token
// (subscriptions work on it).
func (d *Daemon) DialWS(ctx context.Context) (*rpc.Client, error) { return d.dial(ctx, d.WS) }

// DialIPC returns a JSON-RPC client over the IPC socket, which needs no
// token.
func (d *Daemon) DialIPC(ctx context.Context) (*rpc.Client, error) {
	if d.IPC == "" {
		return nil, errors.New("daemon: IPC endpoint not enabled")
	}
	return rpc.DialIPC(ctx, d.IPC)
}

func (d *Daemon) dial(ctx context.Context, url string) (*rpc.Client, error) {
	if url == "" {
		return nil, errors.New("daemon: endpoint not enabled")
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	return rpc.DialOptions(ctx, url, rpc.WithHeader("Authorization", "Bearer "+tok))
}
