package api

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
	"go.uber.org/zap"
)

// serverGoroutines lists goroutines running server code: this package's
// types, net/http's server side and go-ethereum's rpc server side.
func serverGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	markers := []string{"statusd/api.(*", "net/http.(*conn).serve", "net/http.(*Server).Serve",
		"rpc.(*Server).ServeCodec", "rpc.(*Client).dispatch", "rpc.(*handler)"}
	// Skipped: a goroutine in rpc.(*Client).read. go-ethereum's ServeCodec
	// returns once that goroutine has handed over its final read error, so it
	// may still be on its way out (it has nothing left to do).
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if lines := strings.SplitN(g, "\n", 3); len(lines) > 1 &&
			strings.HasPrefix(lines[1], "github.com/ethereum/go-ethereum/rpc.(*Client).read(") {
			continue
		}
		for _, m := range markers {
			if strings.Contains(g, m) {
				found = append(found, g)
				break
			}
		}
	}
	return found
}

func TestStopEndsEveryServerGoroutine(t *testing.T) {
	cfg := testConfig(t)
	srv, err := NewServer(cfg, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mustRegister(t, srv, "web3", NewWeb3API(testVersion))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// Raw clients start no goroutines, so whatever runs serving code after
	// Stop is the server's. Each leaves a session open: Stop must end them.
	const req = `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}`
	ws, _, err := websocket.DefaultDialer.Dial(srv.WSURL(), http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(req)); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ws.ReadMessage(); err != nil || !strings.Contains(string(msg), testVersion) {
		t.Fatalf("WS answer %s, %v", msg, err)
	}
	ipc, err := net.Dial("unix", cfg.IPCPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ipc.Close()
	if _, err := ipc.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(ipc).ReadString('\n'); err != nil || !strings.Contains(line, testVersion) {
		t.Fatalf("IPC answer %s, %v", line, err)
	}
	keepAlive := rawHTTPPost(t, srv.HTTPURL(), req)
	defer keepAlive.Close()
	resp, err := http.ReadResponse(bufio.NewReader(keepAlive), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP answer %v, %v", resp, err)
	}
	resp.Body.Close()

	stopWithin(t, srv, 10*time.Second)
	wantNoServerGoroutines(t)
	if _, _, err := ws.ReadMessage(); err == nil {
		t.Error("WS session still open after Stop")
	}
	if _, err := ipc.Read(make([]byte, 1)); err == nil {
		t.Error("IPC session still open after Stop")
	}
	ws.Close()
	ipc.Close()
	keepAlive.Close()
	goleak.VerifyNone(t)
}

// slowAPI is a namespace whose calls block until released, to catch Stop
// in the act.
type slowAPI struct {
	entered  chan struct{}
	release  chan struct{}
	stopDone chan struct{}
	violated atomic.Bool // a call saw Stop return before it finished
}

// Wait is slow_wait.
func (s *slowAPI) Wait() bool {
	s.entered <- struct{}{}
	select {
	case <-s.stopDone:
		s.violated.Store(true)
	case <-s.release:
	}
	return true
}

func TestStopWaitsForInFlightCalls(t *testing.T) {
	cfg := testConfig(t)
	cfg.Modules = append(cfg.Modules, "slow")
	srv, err := NewServer(cfg, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	slow := &slowAPI{entered: make(chan struct{}, 3), release: make(chan struct{}), stopDone: make(chan struct{})}
	mustRegister(t, srv, "slow", slow)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	const req = `{"jsonrpc":"2.0","id":7,"method":"slow_wait"}`
	ws, _, err := websocket.DefaultDialer.Dial(srv.WSURL(), http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteMessage(websocket.TextMessage, []byte(req))
	ipc, err := net.Dial("unix", cfg.IPCPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ipc.Close()
	ipc.Write([]byte(req))
	hc := rawHTTPPost(t, srv.HTTPURL(), req)
	defer hc.Close()
	for range 3 {
		select {
		case <-slow.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("calls did not start")
		}
	}

	go func() {
		srv.Stop()
		close(slow.stopDone)
	}()
	// Proving that Stop has not returned needs a bounded wait.
	select {
	case <-slow.stopDone:
		t.Fatal("Stop returned while calls were in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(slow.release)
	select {
	case <-slow.stopDone:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return after the calls finished")
	}
	if slow.violated.Load() {
		t.Error("a call was still running when Stop returned")
	}
	wantNoServerGoroutines(t)
	// The HTTP request in flight was allowed to finish.
	resp, err := http.ReadResponse(bufio.NewReader(hc), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("in-flight HTTP call: %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// rawHTTPPost sends one keep-alive request on a plain connection, which
// starts no client goroutines, and returns the connection to read from.
func rawHTTPPost(t *testing.T, url, body string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", testToken, len(body), body)
	return c
}

// stopWithin fails the test if Stop does not return in time (a Stop that
// never returns would otherwise hang the whole test binary).
func stopWithin(t *testing.T, srv *Server, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- srv.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
	case <-time.After(d):
		t.Fatalf("Stop did not return within %v", d)
	}
}

// wantNoServerGoroutines fails unless serving goroutines are gone. It allows a
// moment for goroutines that Stop saw finish their last action but that have
// not yet returned; Stop's waiting itself is tested by
// TestStopWaitsForInFlightCalls.
func wantNoServerGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.NewTimer(2 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		left := serverGoroutines()
		if len(left) == 0 {
			return
		}
		select {
		case <-deadline.C:
			t.Fatalf("%d server goroutines running after Stop:\n%s", len(left), strings.Join(left, "\n\n"))
		case <-tick.C:
		}
	}
}
