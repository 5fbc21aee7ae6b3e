package api

import (
	"bytes"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"
	"go.uber.org/zap"
)

const (
	wsBufferSize    = 1024
	wsCloseDeadline = time.Second // for the close frame sent on shutdown
)

// wsRPC serves JSON-RPC over WebSocket from an rpc.Server. It runs behind the
// guard's token check; the Origin check happens in the handshake. It upgrades
// the connection itself (rather than using rpc.Server.WebsocketHandler) so that
// every message passes through a wsConn, where it is size-limited and counted.
//
// ServeHTTP blocks for the life of the session: it returns when the client
// leaves or the rpc.Server is stopped.
type wsRPC struct {
	rpc      *rpc.Server
	conns    *connContexts
	upgrader websocket.Upgrader
	limit    int64
	m        *rpcMetrics
	log      *zap.Logger
}

func newWSRPC(srv *rpc.Server, g *guard, limit int, m *rpcMetrics, log *zap.Logger, conns *connContexts) *wsRPC {
	return &wsRPC{
		rpc:   srv,
		conns: conns,
		upgrader: websocket.Upgrader{
			ReadBufferSize:  wsBufferSize,
			WriteBufferSize: wsBufferSize,
			CheckOrigin:     g.wsOriginAllowed,
		},
		limit: int64(limit),
		m:     m,
		log:   log,
	}
}

func (h *wsRPC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The session's frames go out through a coalescingConn: the frames of
	// notifications written back to back share one socket write.
	conn, err := h.upgrader.Upgrade(coalescingHijacker{w}, r, nil) // answers the client itself on failure
	if err != nil {
		h.m.refused(statusRejected)
		h.log.Debug("websocket upgrade failed", zap.String("remote", r.RemoteAddr), zap.Error(err))
		return
	}
	conn.SetReadLimit(h.limit)
	h.log.Debug("websocket session opened", zap.String("remote", r.RemoteAddr))
	wc := newWSConn(conn, h.m)
	if h.conns != nil {
		wc.name, wc.ended = h.conns.open("ws", r.RemoteAddr)
		defer wc.ended()
	}
	h.rpc.ServeCodec(rpc.NewCodec(wc), 0)
	h.log.Debug("websocket session closed", zap.String("remote", r.RemoteAddr))
}

// wsConn presents a WebSocket as the byte stream rpc.NewCodec expects: Read
// returns one message at a time followed by a newline, and each Write (the
// codec writes one whole answer per call, under its own lock) becomes one text
// message. Both directions pass through a callTracker.
//
// Read is called from one goroutine only; Write, Close and SetWriteDeadline
// may be called from others.
type wsConn struct {
	conn  *websocket.Conn
	calls *callTracker
	m     *rpcMetrics
	rest  []byte // unread part of the current message
	name  string // unique, see connContexts
	ended func() // ends the connection's context

	closeOnce sync.Once
}

func newWSConn(conn *websocket.Conn, m *rpcMetrics) *wsConn {
	return &wsConn{conn: conn, calls: newCallTracker(m), m: m}
}

// Read implements io.Reader.
func (c *wsConn) Read(p []byte) (int, error) {
	for len(c.rest) == 0 {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			if c.ended != nil {
				c.ended() // the client has gone: its calls' work can stop
			}
			if errors.Is(err, websocket.ErrReadLimit) {
				c.m.refused(statusTooLarge)
			}
			return 0, err
		}
		c.calls.requests(msg)
		// The newline ends a bare scalar, so two messages never merge.
		c.rest = append(msg, '\n')
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

// Write implements io.Writer: p is one complete answer.
func (c *wsConn) Write(p []byte) (int, error) {
	c.calls.responses(p)
	if err := c.conn.WriteMessage(websocket.TextMessage, bytes.TrimRight(p, "\n")); err != nil {
		return 0, err
	}
	return len(p), nil
}

// SetWriteDeadline implements rpc.Conn.
func (c *wsConn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// RemoteAddr names the connection in go-ethereum's logs and in each call's
// rpc.PeerInfo (rpc.ConnRemoteAddr): "ws#N host:port", unique per
// connection.
func (c *wsConn) RemoteAddr() string {
	if c.name == "" {
		return c.conn.RemoteAddr().String()
	}
	return c.name
}

// Close sends a normal-closure frame, best effort, and closes the connection.
func (c *wsConn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wsCloseDeadline))
		err = c.conn.Close()
	})
	return err
}
