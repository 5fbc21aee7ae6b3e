// Package e2e holds the process-level tests: whole statusd processes
// (built once per test process and run by lib/testutil/daemon), alone or
// against each other over loopback, driven only through their command line,
// signals and JSON-RPC APIs. daemon_test.go checks one daemon's endpoints,
// lifecycle and refusals of bad input; messenger_test.go runs public, 1:1
// and group chats across four daemons; contacts_test.go a contact request
// with profiles between two; crash_test.go kills and restarts
// them while they chat; bench_test.go measures 1:1 throughput and latency,
// catchup_test.go catching up from a mailserver.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/lib/testutil/daemon"
)

func TestMain(m *testing.M) {
	code := m.Run()
	daemon.Cleanup()
	os.Exit(code)
}

// callTimeout bounds one JSON-RPC call.
const callTimeout = 15 * time.Second

// peer is one statusd identity on a fixed datadir and devp2p port, so that
// its enode URL stays the same across restarts and the other side's
// --staticnodes reconnects to it.
type peer struct {
	tb      testing.TB
	name    string
	datadir string
	port    int
	extra   []string // more flags for every start

	mu  sync.Mutex
	d   *daemon.Daemon
	c   *rpc.Client // HTTP
	key string      // chat key, 0x04…; written only by the first start
}

func newPeer(tb testing.TB, name string) *peer {
	return &peer{tb: tb, name: name, datadir: filepath.Join(tb.TempDir(), name), port: daemon.FreePort(tb)}
}

// start runs the daemon with static peers (enode URLs) and dials HTTP.
// It may be called from any goroutine; it reports failures as errors.
func (p *peer) start(static ...string) error {
	args := append([]string{"--port", fmt.Sprint(p.port)}, p.extra...)
	if len(static) > 0 {
		args = append(args, "--staticnodes", strings.Join(static, ","))
	}
	d, err := daemon.Start(p.tb, daemon.Options{Datadir: p.datadir, Args: args})
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	c, err := d.DialHTTP(ctx)
	if err != nil {
		d.Kill()
		return fmt.Errorf("%s: dial: %w", p.name, err)
	}
	var key string
	if err := c.CallContext(ctx, &key, "statusd_chatKey"); err != nil {
		d.Kill()
		return fmt.Errorf("%s: statusd_chatKey: %w", p.name, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.key {
	case "":
		p.key = key // set once, by the first start, so key needs no lock
	case key:
	default:
		return fmt.Errorf("%s: chat key changed across restarts", p.name)
	}
	if p.c != nil {
		p.c.Close()
	}
	p.d, p.c = d, c
	return nil
}

func (p *peer) mustStart(static ...string) {
	p.tb.Helper()
	if err := p.start(static...); err != nil {
		p.tb.Fatal(err)
	}
}

// daemon returns the current process.
func (p *peer) daemon() *daemon.Daemon {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d
}

func (p *peer) client() *rpc.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.c
}

// call runs one JSON-RPC call on the current process.
func (p *peer) call(result any, method string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return p.client().CallContext(ctx, result, method, args...)
}

func (p *peer) mustCall(result any, method string, args ...any) {
	p.tb.Helper()
	if err := p.call(result, method, args...); err != nil {
		p.tb.Fatalf("%s: %s: %v", p.name, method, err)
	}
}

// peers is statusd_info's Whisper peer count (-1 on error).
func (p *peer) peers() int {
	var info struct{ Peers int }
	if err := p.call(&info, "statusd_info"); err != nil {
		return -1
	}
	return info.Peers
}

// messages returns every message of chatID, oldest first.
func (p *peer) messages(chatID string) ([]*messenger.Message, error) {
	var all []*messenger.Message
	cursor := ""
	for {
		var page messenger.Page
		if err := p.call(&page, "statusd_messages", chatID, cursor, 500); err != nil {
			return nil, err
		}
		all = append(all, page.Messages...)
		if page.Cursor == "" || len(page.Messages) == 0 {
			break
		}
		cursor = page.Cursor
	}
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all, nil
}

// waitPeered waits until a and b each have a Whisper peer.
func waitPeered(tb testing.TB, timeout time.Duration, a, b *peer) {
	tb.Helper()
	testutil.WaitFor(tb, timeout, a.name+" and "+b.name+" peered", func() bool {
		return a.peers() >= 1 && b.peers() >= 1
	})
}
