package api

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/statusnode/statusd/lib/metrics"
	"go.uber.org/zap"
)

// Server is statusd's JSON-RPC server: HTTP, WebSocket and IPC endpoints in
// front of two go-ethereum rpc.Servers, one holding the namespaces allowed by
// Config.Modules (HTTP and WS) and one holding every namespace (IPC).
//
// Call order: NewServer, Register (any number of times), Start once, Stop
// (any number of times). All methods are safe for concurrent use.
type Server struct {
	cfg   Config
	log   *zap.Logger
	m     *rpcMetrics
	guard *guard

	public *rpc.Server // namespaces in cfg.Modules: HTTP and WS
	all    *rpc.Server // every namespace: IPC

	mu         sync.Mutex // guards the fields below
	state      serverState
	registered map[string]bool
	regs       []registration // every Register call, for rpc_discover
	docs       *Docs          // doc comments for rpc_discover (SetDocs)
	endpoints  []*endpoint    // open HTTP/WS listeners and their servers
	ipc        *net.UnixListener
	httpURL    string
	wsURL      string
	stopped    chan struct{}  // closed when Stop has finished
	serving    sync.WaitGroup // Serve and accept loops
	sessions   group          // HTTP requests, WS sessions, IPC connections
	conns      *connContexts  // per-connection contexts (CallContext)
}

type serverState int

const (
	stateNew serverState = iota
	stateRunning
	stateStopped
)

// Errors returned by the lifecycle methods.
var (
	errStarted    = errors.New("api: server already started")
	errStopped    = errors.New("api: server stopped")
	errRegistered = errors.New("api: namespace already registered")
)

// NewServer validates cfg and returns a server that is not yet listening.
// It registers rpc_requests_total in reg (a nil reg gets a private registry);
// reg must not already hold that metric, so there is one Server per registry.
func NewServer(cfg Config, log *zap.Logger, reg *metrics.Registry) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	cfg.Modules = append([]string(nil), cfg.Modules...)
	log = log.Named("rpc")
	m := newRPCMetrics(reg)
	s := &Server{
		cfg:        cfg,
		log:        log,
		m:          m,
		guard:      newGuard(&cfg, log, m),
		public:     newRPCServer(cfg.MaxBodyBytes),
		all:        newRPCServer(cfg.MaxBodyBytes),
		registered: make(map[string]bool),
		stopped:    make(chan struct{}),
		conns:      newConnContexts(),
	}
	if err := s.registerDiscover(); err != nil {
		return nil, err
	}
	return s, nil
}

func newRPCServer(bodyLimit int) *rpc.Server {
	srv := rpc.NewServer()
	srv.SetBatchLimits(batchItemLimit, batchResponseLimit)
	srv.SetHTTPBodyLimit(bodyLimit)
	srv.SetWebsocketReadLimit(int64(bodyLimit))
	return srv
}

// Register exposes service's exported methods as namespace_method, with
// go-ethereum's rpc.Server.RegisterName rules (methods named in lowerCamel
// case, an optional context.Context first argument, results (T, error), (T) or
// (error)). Every namespace is reachable over IPC; over HTTP and WS only those
// in Config.Modules. It must be called before Start; it fails for a namespace
// registered twice or a service with no suitable methods. rpc_discover
// describes every registered service (see discover.go).
func (s *Server) Register(namespace string, service any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.state != stateNew:
		return fmt.Errorf("api: register %q: %w", namespace, errStarted)
	case namespace == "":
		return fmt.Errorf("api: register: empty namespace: %w", errConfig)
	case s.registered[namespace]:
		return fmt.Errorf("api: register %q: %w", namespace, errRegistered)
	}
	if err := s.all.RegisterName(namespace, service); err != nil {
		return fmt.Errorf("api: register %q: %w", namespace, err)
	}
	if s.cfg.moduleAllowed(namespace) {
		if err := s.public.RegisterName(namespace, service); err != nil {
			return fmt.Errorf("api: register %q: %w", namespace, err)
		}
	}
	s.registered[namespace] = true
	s.regs = append(s.regs, registration{namespace, service})
	return nil
}

// Start binds every enabled endpoint, then serves them in the background. If
// any bind fails (a port in use, a bad IPC path) it closes what it had opened
// and returns an error that names the address. Start may be called once.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case stateRunning:
		return errStarted
	case stateStopped:
		return errStopped
	}
	if err := s.listenLocked(); err != nil {
		s.closeListenersLocked()
		return err
	}
	s.state = stateRunning
	s.warnUnknownModulesLocked()
	for _, ep := range s.endpoints {
		s.serving.Add(1)
		go ep.serve(&s.serving, s.log)
	}
	if s.ipc != nil {
		s.serving.Add(1)
		go s.acceptIPC(s.ipc)
	}
	return nil
}

// Stop closes the listeners, lets in-flight HTTP requests finish (for up to
// shutdownTimeout, then cuts them), closes WebSocket and IPC sessions, and
// returns once every goroutine the server started has exited and the IPC
// socket file is removed. It is idempotent; a Server cannot start again.
func (s *Server) Stop() error {
	s.mu.Lock()
	prev := s.state
	s.state = stateStopped
	s.mu.Unlock()
	switch prev {
	case stateNew:
		close(s.stopped)
		return nil
	case stateStopped:
		<-s.stopped // a concurrent Stop may still be at work
		return nil
	}
	defer close(s.stopped)
	s.conns.cancel() // long calls end now, so their sessions can close
	// Start has returned and state is stopped, so the fields below no longer change.
	var errs []error
	for _, ep := range s.endpoints {
		errs = append(errs, ep.shutdown())
	}
	if s.ipc != nil {
		errs = append(errs, s.closeIPC())
	}
	s.public.Stop() // closes WS sessions
	s.all.Stop()    // closes IPC sessions
	s.sessions.closeAndWait()
	s.serving.Wait()
	for _, ep := range s.endpoints {
		ep.conns.Wait() // after Serve returned: no more StateNew
	}
	s.log.Info("RPC server stopped")
	return errors.Join(errs...)
}

// HTTPURL returns the HTTP endpoint, e.g. "http://127.0.0.1:8545", with the
// bound port once started; before Start, and when HTTP is disabled, "".
func (s *Server) HTTPURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.httpURL
}

// WSURL returns the WebSocket endpoint, e.g. "ws://127.0.0.1:8546", with the
// bound port once started; before Start, and when WS is disabled, "".
func (s *Server) WSURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wsURL
}

// IPCPath returns the IPC socket path; "" when IPC is disabled.
func (s *Server) IPCPath() string {
	return s.cfg.IPCPath
}

// warnUnknownModulesLocked logs modules allowed by the config that no service
// registered, as geth does.
func (s *Server) warnUnknownModulesLocked() {
	for _, m := range s.cfg.Modules {
		if !s.registered[m] {
			s.log.Warn("RPC module allowed but not available", zap.String("module", m))
		}
	}
}
