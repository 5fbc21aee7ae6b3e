package api

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// gatedConn is a net.Conn whose every Write is reported on started and
// then waits for release (or fails with fail when it is set).
type gatedConn struct {
	net.Conn // nil: only Write, SetWriteDeadline and Close are used

	started chan []byte
	release chan struct{}

	mu     sync.Mutex
	fail   error
	closed bool
}

func newGatedConn() *gatedConn {
	return &gatedConn{started: make(chan []byte, 16), release: make(chan struct{})}
}

func (g *gatedConn) Write(p []byte) (int, error) {
	g.started <- append([]byte(nil), p...)
	g.mu.Lock()
	err := g.fail
	g.mu.Unlock()
	if err != nil {
		return 0, err
	}
	<-g.release
	return len(p), nil
}

func (g *gatedConn) SetWriteDeadline(time.Time) error { return nil }

func (g *gatedConn) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.closed = true
		close(g.release) // unblocks a write in progress
	}
	return nil
}

func nextWrite(t *testing.T, g *gatedConn) string {
	t.Helper()
	select {
	case p := <-g.started:
		return string(p)
	case <-time.After(5 * time.Second):
		t.Fatal("no socket write")
		return ""
	}
}

func TestCoalescingConnJoinsQueuedWrites(t *testing.T) {
	g := newGatedConn()
	c := newCoalescingConn(g)
	defer c.Close()
	if _, err := c.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	if got := nextWrite(t, g); got != "a" {
		t.Fatalf("first socket write %q, want %q", got, "a")
	}
	// The writer is inside the socket write: these two wait and leave together.
	for _, s := range []string{"b", "cd"} {
		if _, err := c.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	g.release <- struct{}{}
	if got := nextWrite(t, g); got != "bcd" {
		t.Fatalf("second socket write %q, want %q (queued writes joined, in order)", got, "bcd")
	}
	g.release <- struct{}{}
}

func TestCoalescingConnReportsFailedWrite(t *testing.T) {
	g := newGatedConn()
	g.fail = errors.New("broken pipe")
	c := newCoalescingConn(g)
	defer c.Close()
	if _, err := c.Write([]byte("a")); err != nil {
		t.Fatalf("first write: %v (queued, the failure comes later)", err)
	}
	nextWrite(t, g)
	testutil.WaitFor(t, 5*time.Second, "the failed socket write reported", func() bool {
		_, err := c.Write([]byte("b"))
		return err != nil && err.Error() == "broken pipe"
	})
}

func TestCoalescingConnCloseSendsQueuedAndStops(t *testing.T) {
	g := newGatedConn()
	c := newCoalescingConn(g)
	if _, err := c.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	nextWrite(t, g)
	if _, err := c.Write([]byte("b")); err != nil {
		t.Fatal(err)
	}
	go func() { // "a" completes, then "b", queued before the close
		g.release <- struct{}{}
		g.release <- struct{}{}
	}()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got := nextWrite(t, g); got != "b" {
		t.Fatalf("write before close %q, want %q", got, "b")
	}
	select {
	case <-c.done:
	default:
		t.Fatal("writer goroutine still running after Close")
	}
	if _, err := c.Write([]byte("c")); !errors.Is(err, errConnClosed) {
		t.Fatalf("write after Close: %v, want %v", err, errConnClosed)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
