package api

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// coalesceLimit bounds the bytes a coalescingConn holds for its writer;
// Write blocks beyond it, as a socket write blocks on a full buffer.
const coalesceLimit = 256 << 10

// errConnClosed is what Write returns once Close was called.
var errConnClosed = errors.New("api: connection closed")

// coalescingConn is the connection under a WebSocket session. Write only
// queues the bytes; one writer goroutine sends everything queued with a
// single write. The frames of notifications written back to back (one
// per event of a busy subscription) while the previous write is in the
// kernel thus leave in one system call instead of one each, and an idle
// session pays one goroutine wake-up per write. Reads pass through.
//
// Write returns once its bytes are queued, in order; a failed socket
// write is returned by the Writes after it (the session then ends, as it
// would have on the failed write itself). The write deadline set last
// (gorilla sets one before every frame) bounds each socket write. Close
// gives the writer up to wsCloseDeadline to send what is queued, then
// closes the connection and waits for the writer goroutine to exit.
type coalescingConn struct {
	net.Conn

	mu       sync.Mutex
	cond     sync.Cond // signalled when pending or closed changes, or a write ends
	pending  []byte    // queued bytes; guarded by mu
	spare    []byte    // the writer's last buffer, reused; guarded by mu
	deadline time.Time // write deadline for the next socket write; guarded by mu
	err      error     // the first failed socket write; guarded by mu
	closed   bool      // Close was called; guarded by mu

	done      chan struct{} // closed when the writer exits
	closeOnce sync.Once
	closeErr  error
}

// newCoalescingConn wraps c and starts its writer goroutine; Close stops it.
func newCoalescingConn(c net.Conn) *coalescingConn {
	cc := &coalescingConn{Conn: c, done: make(chan struct{})}
	cc.cond.L = &cc.mu
	go cc.run()
	return cc
}

// Write queues p (copied) for the writer. It blocks while coalesceLimit
// bytes wait, and fails after Close or a failed socket write.
func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.pending) >= coalesceLimit && c.err == nil && !c.closed {
		c.cond.Wait()
	}
	switch {
	case c.err != nil:
		return 0, c.err
	case c.closed:
		return 0, errConnClosed
	}
	wake := len(c.pending) == 0
	c.pending = append(c.pending, p...)
	if wake {
		c.cond.Broadcast()
	}
	return len(p), nil
}

// SetWriteDeadline sets the deadline of the writer's next socket writes.
func (c *coalescingConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	return nil
}

// SetDeadline sets the read deadline on the connection and the write
// deadline as SetWriteDeadline does.
func (c *coalescingConn) SetDeadline(t time.Time) error {
	c.SetWriteDeadline(t) //nolint:errcheck // cannot fail
	return c.Conn.SetReadDeadline(t)
}

// run is the writer goroutine.
func (c *coalescingConn) run() {
	defer close(c.done)
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for len(c.pending) == 0 && !c.closed {
			c.cond.Wait()
		}
		if len(c.pending) == 0 {
			return // closed and drained
		}
		buf := c.pending
		c.pending, c.spare = c.spare[:0], nil
		deadline, failed := c.deadline, c.err != nil
		c.mu.Unlock()
		var err error
		if !failed { // after a failure, queued bytes are dropped
			if err = c.Conn.SetWriteDeadline(deadline); err == nil {
				_, err = c.Conn.Write(buf)
			}
		}
		c.mu.Lock()
		if err != nil && c.err == nil {
			c.err = err
		}
		c.spare = buf[:0]
		c.cond.Broadcast() // room for blocked Writes
	}
}

// Close lets the writer send what is queued (for up to wsCloseDeadline),
// closes the connection and waits for the writer to exit. It is
// idempotent.
func (c *coalescingConn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.cond.Broadcast()
		c.mu.Unlock()
		t := time.NewTimer(wsCloseDeadline)
		select {
		case <-c.done:
		case <-t.C:
		}
		t.Stop()
		c.closeErr = c.Conn.Close() // ends a write still blocked
		<-c.done
	})
	return c.closeErr
}

// coalescingHijacker hands the WebSocket upgrader a coalescingConn in
// place of the hijacked connection.
type coalescingHijacker struct {
	http.ResponseWriter
}

// Hijack implements http.Hijacker.
func (h coalescingHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("api: response writer cannot be hijacked")
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	return newCoalescingConn(conn), rw, nil
}
