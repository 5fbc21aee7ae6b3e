package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/lib/testutil/daemon"
)

func TestMain(m *testing.M) {
	code := m.Run()
	daemon.Cleanup()
	os.Exit(code)
}

// A daemon starts, answers over HTTP and WS with its token, keeps its
// enode on a fixed port across a SIGKILL, and stops on SIGTERM.
func TestStartKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs statusd")
	}
	opts := daemon.Options{Datadir: filepath.Join(t.TempDir(), "data"),
		Args: []string{"--port", itoa(daemon.FreePort(t))}}
	d, err := daemon.Start(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, dial := range []func(context.Context) (*rpc.Client, error){d.DialHTTP, d.DialWS} {
		c, err := dial(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := c.CallContext(ctx, &v, "web3_clientVersion"); err != nil || !strings.HasPrefix(v, "statusd/") {
			t.Fatalf("web3_clientVersion = %q, %v", v, err)
		}
		c.Close()
	}
	d.Kill()
	if d.Err() == nil {
		t.Fatal("no exit error after SIGKILL")
	}
	again, err := daemon.Start(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Enode != d.Enode {
		t.Fatalf("enode %s after restart, want %s", again.Enode, d.Enode)
	}
	if err := again.Stop(10 * time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, again.Logs())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
