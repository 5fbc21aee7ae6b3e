package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// ipcListen creates the Unix socket at path so that only the owner can use
// it: the parent directory is created 0700 if missing (an existing one is left
// as it is), and the socket is made 0600 before bind, so there is no moment
// when others may connect. A stale socket left by a crash is replaced; a live
// one (something answers on it) or a file that is not a socket is an error.
func ipcListen(path string) (*net.UnixListener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("api: create IPC directory for %s: %w", path, err)
	}
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var chmodErr error
		err := c.Control(func(fd uintptr) {
			// Linux takes a Unix socket file's mode from its inode at bind.
			chmodErr = syscall.Fchmod(int(fd), 0o600)
		})
		return errors.Join(err, chmodErr)
	}}
	l, err := lc.Listen(context.Background(), "unix", path)
	if err != nil {
		return nil, fmt.Errorf("api: listen on IPC socket %s: %w", path, err)
	}
	// Elsewhere fchmod before bind may not count; make sure.
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("api: chmod IPC socket %s: %w", path, err)
	}
	return l.(*net.UnixListener), nil
}

// removeStaleSocket removes path if it is a socket nobody listens on.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("api: IPC path %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("api: IPC path %s exists and is not a socket: %w", path, fs.ErrExist)
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return fmt.Errorf("api: IPC socket %s is in use by another process: %w", path, syscall.EADDRINUSE)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("api: remove stale IPC socket %s: %w", path, err)
	}
	return nil
}

// ipcConn wraps an accepted IPC connection for rpc.NewCodec. Reads pass
// through a jsonFramer, which finds each request in the byte stream so it can
// be counted and refuses a message over the size limit (the connection is then
// closed); each Write is one whole answer and is counted.
type ipcConn struct {
	net.Conn
	calls  *callTracker
	m      *rpcMetrics
	framer jsonFramer
	name   string // unique, see connContexts
	ended  func() // ends the connection's context; set by the accept loop
}

func newIPCConn(c net.Conn, limit int, m *rpcMetrics) *ipcConn {
	ic := &ipcConn{Conn: c, m: m, calls: newCallTracker(m)}
	ic.framer.limit = limit
	return ic
}

// Read implements io.Reader. It is called from one goroutine only.
func (c *ipcConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil && c.ended != nil {
		c.ended() // the client has gone: its calls' work can stop
	}
	if ferr := c.framer.feed(p[:n], c.calls.requests); ferr != nil {
		c.m.refused(statusTooLarge)
		return 0, ferr
	}
	return n, err
}

// Write implements io.Writer.
func (c *ipcConn) Write(p []byte) (int, error) {
	c.calls.responses(p)
	return c.Conn.Write(p)
}

// RemoteAddr names the connection in go-ethereum's logs and in each call's
// rpc.PeerInfo (rpc.ConnRemoteAddr): "ipc#N", unique per connection.
func (c *ipcConn) RemoteAddr() string {
	if c.name == "" {
		return "ipc"
	}
	return c.name
}
