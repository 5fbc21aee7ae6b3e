package api

import (
	"context"
	"strconv"
	"sync"

	"github.com/ethereum/go-ethereum/rpc"
)

// connContexts gives each WebSocket and IPC connection a context that ends
// when the connection does, and every call one that also ends when the
// server stops. go-ethereum cancels a call's own context on those
// transports only after the call has returned, so a long call (sealing
// with a large powTime) would otherwise outlive its client and hold up
// shutdown. HTTP requests need no entry: their context ends when the
// client goes away.
//
// A connection is named by the unique RemoteAddr its codec reports, which
// go-ethereum puts in each call's rpc.PeerInfo.
type connContexts struct {
	life   context.Context // ends at Server.Stop
	cancel context.CancelFunc

	mu   sync.Mutex
	next uint64
	m    map[string]context.Context
}

func newConnContexts() *connContexts {
	life, cancel := context.WithCancel(context.Background())
	return &connContexts{life: life, cancel: cancel, m: make(map[string]context.Context)}
}

// open registers a new connection of kind ("ipc", "ws") and returns its
// name and a function to call once, when the connection ends.
func (c *connContexts) open(kind, remote string) (string, func()) {
	ctx, cancel := context.WithCancel(c.life)
	c.mu.Lock()
	c.next++
	name := kind + "#" + strconv.FormatUint(c.next, 10)
	if remote != "" {
		name += " " + remote
	}
	c.m[name] = ctx
	c.mu.Unlock()
	var once sync.Once
	return name, func() {
		once.Do(func() {
			cancel()
			c.mu.Lock()
			delete(c.m, name)
			c.mu.Unlock()
		})
	}
}

// CallContext returns a context for the work of one RPC call that ends
// when ctx does, when the call's WebSocket or IPC connection closes, or
// when the server stops, whichever comes first; release frees it. Methods
// that may run long (sealing) use it instead of the context go-ethereum
// hands them.
func (s *Server) CallContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return s.conns.work(ctx, rpc.PeerInfoFromContext(ctx).RemoteAddr)
}

// work is CallContext for a call on the connection named remote.
func (c *connContexts) work(ctx context.Context, remote string) (context.Context, context.CancelFunc) {
	out, cancel := context.WithCancel(ctx)
	stops := []func() bool{context.AfterFunc(c.life, cancel)}
	c.mu.Lock()
	conn := c.m[remote]
	c.mu.Unlock()
	if conn != nil {
		stops = append(stops, context.AfterFunc(conn, cancel))
	}
	return out, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
