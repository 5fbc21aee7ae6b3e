package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"
)

// endpoint is one TCP listener and the http.Server that serves it: HTTP, WS,
// or both when they share a port.
type endpoint struct {
	name  string // "http", "ws" or "http+ws", for logs
	ln    net.Listener
	srv   *http.Server
	conns sync.WaitGroup // connections not yet closed or hijacked
}

// trackConn follows each connection from new to closed or hijacked (the
// terminal states), so Stop can wait for net/http's connection goroutines.
func (ep *endpoint) trackConn(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		ep.conns.Add(1)
	case http.StateClosed, http.StateHijacked:
		ep.conns.Done()
	}
}

// serve runs the http.Server until shutdown; wg.Done when it returns.
func (ep *endpoint) serve(wg *sync.WaitGroup, log *zap.Logger) {
	defer wg.Done()
	if err := ep.srv.Serve(ep.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("RPC endpoint failed", zap.String("endpoint", ep.name), zap.Error(err))
	}
}

// shutdown stops accepting, waits for in-flight requests for up to
// shutdownTimeout, then closes the remaining connections.
func (ep *endpoint) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := ep.srv.Shutdown(ctx); err != nil {
		ep.srv.Close()
		return fmt.Errorf("api: shut down %s endpoint: %w", ep.name, err)
	}
	return nil
}

// listenLocked binds every enabled endpoint and records the URLs. On error
// the caller closes what was opened.
func (s *Server) listenLocked() error {
	if s.cfg.IPCPath != "" {
		l, err := ipcListen(s.cfg.IPCPath)
		if err != nil {
			return err
		}
		s.ipc = l
		s.log.Info("IPC endpoint opened", zap.String("path", s.cfg.IPCPath))
	}
	httpH := s.sessions.wrap(s.guard.checkVHost(s.guard.cors(s.guard.requireToken(
		&httpRPC{rpc: s.public, limit: int64(s.cfg.MaxBodyBytes), m: s.m, log: s.log, formAsJSON: !s.cfg.NoAuth}))))
	wsH := s.sessions.wrap(s.guard.requireToken(newWSRPC(s.public, s.guard, s.cfg.MaxBodyBytes, s.m, s.log, s.conns)))
	switch {
	case s.cfg.sharedPort():
		both := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isWebsocket(r) {
				wsH.ServeHTTP(w, r)
			} else {
				httpH.ServeHTTP(w, r)
			}
		})
		ep, err := s.openEndpoint("http+ws", s.cfg.httpEndpoint(), both)
		if err != nil {
			return err
		}
		s.httpURL, s.wsURL = s.scheme("http")+ep.ln.Addr().String(), s.scheme("ws")+ep.ln.Addr().String()
	default:
		if s.cfg.HTTPEnabled {
			ep, err := s.openEndpoint("http", s.cfg.httpEndpoint(), httpH)
			if err != nil {
				return err
			}
			s.httpURL = s.scheme("http") + ep.ln.Addr().String()
		}
		if s.cfg.WSEnabled {
			ep, err := s.openEndpoint("ws", s.cfg.wsEndpoint(), wsH)
			if err != nil {
				return err
			}
			s.wsURL = s.scheme("ws") + ep.ln.Addr().String()
		}
	}
	return nil
}

// scheme is the URL scheme of base ("http" or "ws") with "://", with TLS
// when Config.TLS is set.
func (s *Server) scheme(base string) string {
	if s.cfg.TLS != nil {
		return base + "s://"
	}
	return base + "://"
}

func (s *Server) openEndpoint(name, addr string, h http.Handler) (*endpoint, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("api: listen %s on %s: %w", name, addr, err)
	}
	if s.cfg.TLS != nil {
		tc := s.cfg.TLS.Clone()
		tc.NextProtos = []string{"http/1.1"} // WebSocket upgrades need HTTP/1.1
		ln = tls.NewListener(ln, tc)
	}
	ep := &endpoint{name: name, ln: ln, srv: newHTTPServer(h, s.log)}
	ep.srv.ConnState = ep.trackConn
	s.endpoints = append(s.endpoints, ep)
	host, _, _ := net.SplitHostPort(addr)
	s.log.Info("RPC endpoint opened", zap.String("endpoint", name), zap.Stringer("addr", ln.Addr()),
		zap.Strings("modules", s.cfg.Modules), zap.Bool("noauth", s.cfg.NoAuth), zap.Bool("tls", s.cfg.TLS != nil))
	if s.cfg.NoAuth && !isLoopback(host) {
		s.log.Warn("RPC endpoint reachable from the network without a token", zap.String("endpoint", name))
	}
	return ep, nil
}

// closeListenersLocked undoes listenLocked after a failed Start.
func (s *Server) closeListenersLocked() {
	for _, ep := range s.endpoints {
		ep.ln.Close()
	}
	s.endpoints = nil
	s.httpURL, s.wsURL = "", ""
	if s.ipc != nil {
		s.closeIPC()
		s.ipc = nil
	}
}

// closeIPC closes the IPC listener and makes sure the socket file is gone.
func (s *Server) closeIPC() error {
	err := s.ipc.Close() // unlinks the socket file
	if rmErr := os.Remove(s.cfg.IPCPath); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
		return errors.Join(err, fmt.Errorf("api: remove IPC socket: %w", rmErr))
	}
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// acceptIPC serves IPC connections until the listener is closed. Each
// connection gets every registered namespace and runs in the session group.
func (s *Server) acceptIPC(l *net.UnixListener) {
	defer s.serving.Done()
	backoff := time.Duration(0)
	for {
		conn, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Resource exhaustion (EMFILE and the like): back off as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("IPC accept failed", zap.Error(err), zap.Duration("retry_in", backoff))
			if !s.sessions.sleep(backoff) {
				return
			}
			continue
		}
		backoff = 0
		if !s.sessions.enter() {
			conn.Close()
			return
		}
		go func() {
			defer s.sessions.leave()
			ic := newIPCConn(conn, s.cfg.MaxBodyBytes, s.m)
			ic.name, ic.ended = s.conns.open("ipc", "")
			defer ic.ended()
			s.all.ServeCodec(rpc.NewCodec(ic), 0)
		}()
	}
}
