package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// cpuTicks is the user+system CPU time of process pid, in clock ticks
// (1/100 s on Linux).
func cpuTicks(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name may hold spaces; the fields after it do not.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return utime + stime
}

// heavyPost is an shh_post at the maxima (powTarget 100, powTime 30) on an
// envelope large and long-lived enough that the target cannot be reached:
// it keeps every core sealing for 30 s unless something stops it.
func heavyPost(sym string) map[string]any {
	return map[string]any{"symKeyID": sym, "topic": "0x01020304", "payload": "0x" + strings.Repeat("ab", 10<<10),
		"ttl": 100000, "powTarget": 100, "powTime": 30}
}

// waitBusy waits until the daemon burns CPU (sealing has started).
func waitBusy(t *testing.T, pid int) {
	t.Helper()
	start := cpuTicks(t, pid)
	testutil.WaitFor(t, 10*time.Second, "sealing to start", func() bool {
		return cpuTicks(t, pid)-start >= 20 // 200 ms of CPU
	})
}

// TestSealEndsWithItsCaller: a WebSocket client that asks for the
// heaviest seal and goes away stops it — the node's CPU is back to idle
// within a second — and SIGTERM during such a seal exits 0 within 2 s.
func TestSealEndsWithItsCaller(t *testing.T) {
	p := newPeer(t, "sealer")
	p.mustStart()
	d := p.daemon()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	ws, err := d.DialWS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sym string
	if err := ws.CallContext(ctx, &sym, "shh_newSymKey"); err != nil {
		t.Fatal(err)
	}
	go ws.Call(nil, "shh_post", heavyPost(sym)) // returns when ws closes
	waitBusy(t, d.Pid())
	ws.Close()
	deadline := time.Now().Add(time.Second)
	idle := false
	for !idle && time.Now().Before(deadline.Add(250*time.Millisecond)) {
		before := cpuTicks(t, d.Pid())
		time.Sleep(250 * time.Millisecond) // a sampling window of CPU time, not a wait for a condition
		idle = cpuTicks(t, d.Pid())-before <= 3
	}
	if !idle {
		t.Fatal("the node still burns CPU a second after the client left")
	}

	// SIGTERM during a seal (over IPC this time).
	ipc, err := d.DialIPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ipc.Close()
	go ipc.Call(nil, "shh_post", heavyPost(sym))
	waitBusy(t, d.Pid())
	start := time.Now()
	if err := d.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.Exited():
	case <-time.After(5 * time.Second):
		t.Fatal("statusd did not exit within 5 s of SIGTERM")
	}
	if took := time.Since(start); took > 2*time.Second || d.ExitCode() != 0 {
		t.Fatalf("exit code %d after %v, want 0 within 2 s\n%s", d.ExitCode(), took, d.Logs())
	}
}
