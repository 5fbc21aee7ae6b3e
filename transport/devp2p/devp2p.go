// Package devp2p runs statusd's devp2p (RLPx) networking on go-ethereum's
// p2p.Server: the node key, listen address, static and trusted peers,
// bootnodes, optional discovery (v4, and v5 on request) with the search for
// relays and mailservers by their record entries (topics.go), peer limits,
// the peers added at run time (persisted in Config.PeersFile) and a redialer
// that brings a missing static peer back within seconds.
// Sub-protocols such as Whisper plug in through Register before Start.
package devp2p

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/lib/logging"
)

// Sentinel errors.
var (
	ErrBadEnode = errors.New("devp2p: invalid enode URL")
	ErrStarted  = errors.New("devp2p: server already started")
	ErrStopped  = errors.New("devp2p: server stopped")
)

// Config configures a Server. Name and PrivateKey are required.
type Config struct {
	PrivateKey   *ecdsa.PrivateKey
	Name         string // client name sent in the devp2p handshake
	ListenAddr   string // host:port; ":0" picks a free port
	NoDiscovery  bool
	DiscoveryV5  bool     // also run discovery v5 (ignored with NoDiscovery)
	BootNodes    []string // enode URLs
	StaticNodes  []string
	TrustedNodes []string
	MaxPeers     int
	NodeDatabase string // discovery node database directory; "" keeps it in memory
	// PeersFile persists the peers added with AddPeer (and forgotten with
	// RemovePeer) so that a restarted server dials them again; "" keeps
	// them in memory only. The file is written with mode 0600.
	PeersFile string
	// RedialFirst is how long a static peer may be missing before it is
	// dialled again, RedialMax the longest wait between two redials; zero
	// means DefaultRedialFirst and DefaultRedialMax.
	RedialFirst, RedialMax time.Duration
	// Topics advertises this node's roles in its record and searches
	// discovery for others' (topics.go); the zero value does neither.
	Topics Topics
}

// Server owns a p2p.Server. Its methods are safe for concurrent use.
type Server struct {
	log *zap.Logger

	mu      sync.Mutex
	cfg     Config
	protos  []p2p.Protocol
	srv     *p2p.Server
	known   *knownPeers // nil without Config.PeersFile
	redial  *redialer
	topics  *topicSearch // nil without Topics.Search or discovery
	stopped bool
	logQuit chan struct{} // closed by Stop: ends logPeers
	logDone chan struct{} // closed by logPeers on return
}

// New validates cfg, parsing every enode URL, and returns a server that is
// not yet listening.
func New(cfg Config, log *zap.Logger) (*Server, error) {
	if cfg.PrivateKey == nil {
		return nil, errors.New("devp2p: no node key")
	}
	if cfg.MaxPeers <= 0 {
		return nil, errors.New("devp2p: MaxPeers must be positive")
	}
	for _, list := range [][]string{cfg.BootNodes, cfg.StaticNodes, cfg.TrustedNodes} {
		if _, err := ParseNodes(list); err != nil {
			return nil, err
		}
	}
	if cfg.RedialFirst <= 0 {
		cfg.RedialFirst = DefaultRedialFirst
	}
	if cfg.RedialMax <= 0 {
		cfg.RedialMax = DefaultRedialMax
	}
	cfg.RedialMax = max(cfg.RedialMax, cfg.RedialFirst)
	return &Server{log: log.Named("p2p"), cfg: cfg}, nil
}

// ParseNodes parses enode URLs, naming the bad one in the error.
func ParseNodes(urls []string) ([]*enode.Node, error) {
	out := make([]*enode.Node, 0, len(urls))
	for _, u := range urls {
		n, err := ParseNode(u)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseNode parses one enode:// (or enr:) URL that can be dialled: one
// without a host and TCP port ("enode://<id>") is refused, since nothing
// could ever connect to it.
func ParseNode(url string) (*enode.Node, error) {
	n, err := enode.Parse(enode.ValidSchemes, url)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadEnode, url, err)
	}
	if err := Dialable(n); err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrBadEnode, url, err)
	}
	return n, nil
}

// ErrNoHost is wrapped by Dialable's error.
var ErrNoHost = errors.New("it has no host and TCP port: expected enode://<128 hex digits>@<host>:<port>, as the other node's `statusctl info` shows it")

// Dialable reports, wrapping ErrNoHost, an enode that names no IP address
// and TCP port.
func Dialable(n *enode.Node) error {
	if _, ok := n.TCPEndpoint(); !ok {
		return ErrNoHost
	}
	return nil
}

// Register adds sub-protocols; it must be called before Start.
func (s *Server) Register(protos ...p2p.Protocol) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil || s.stopped {
		return ErrStarted
	}
	s.protos = append(s.protos, protos...)
	return nil
}

// Start opens the listener and, unless disabled, discovery. On error
// nothing is left running.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return ErrStarted
	}
	if s.stopped {
		return ErrStopped
	}
	boot, _ := ParseNodes(s.cfg.BootNodes) // validated in New
	static, _ := ParseNodes(s.cfg.StaticNodes)
	if s.cfg.PeersFile != "" {
		known, err := loadKnownPeers(s.cfg.PeersFile)
		if err != nil {
			return err
		}
		s.known = known
		static = append(static, known.list()...)
	}
	trusted, _ := ParseNodes(s.cfg.TrustedNodes)
	protos, topics := s.withTopics()
	srv := &p2p.Server{Config: p2p.Config{
		PrivateKey:       s.cfg.PrivateKey,
		Name:             s.cfg.Name,
		MaxPeers:         s.cfg.MaxPeers,
		ListenAddr:       s.cfg.ListenAddr,
		NoDiscovery:      s.cfg.NoDiscovery,
		DiscoveryV4:      !s.cfg.NoDiscovery,
		DiscoveryV5:      !s.cfg.NoDiscovery && s.cfg.DiscoveryV5,
		BootstrapNodes:   boot,
		BootstrapNodesV5: boot,
		StaticNodes:      static,
		TrustedNodes:     trusted,
		NodeDatabase:     s.cfg.NodeDatabase,
		Protocols:        protos,
		Logger:           log.NewLogger(logging.NewSlogHandler(s.log)),
	}}
	// p2p.Server leaks its node database when Start fails on the listener,
	// so a busy port is found before it is opened.
	if err := checkListen(s.cfg.ListenAddr); err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		srv.Stop()
		return fmt.Errorf("devp2p: listen on %s: %w", s.cfg.ListenAddr, err)
	}
	s.srv = srv
	if topics != nil {
		topics.start(srv)
		s.topics = topics
	}
	s.logQuit, s.logDone = make(chan struct{}), make(chan struct{})
	go s.logPeers(srv, s.logQuit, s.logDone)
	s.redial = newRedialer(srv, s.log, s.cfg.RedialFirst, s.cfg.RedialMax)
	s.redial.start(static)
	s.log.Info("devp2p started", zap.String("enode", srv.Self().URLv4()), zap.String("listen", srv.ListenAddr),
		zap.Bool("discovery", !s.cfg.NoDiscovery), zap.Bool("topic_search", topics != nil), zap.Int("maxpeers", s.cfg.MaxPeers), zap.Int("static", len(static)))
	return nil
}

// Stop disconnects every peer and closes the listener. It is idempotent and
// blocks until the server's goroutines have exited.
func (s *Server) Stop() error {
	s.mu.Lock()
	srv, redial, topics := s.srv, s.redial, s.topics
	s.srv, s.redial, s.topics, s.stopped = nil, nil, nil, true
	s.mu.Unlock()
	if topics != nil {
		topics.stop()
	}
	if redial != nil {
		redial.stop()
	}
	if srv != nil {
		close(s.logQuit)
		<-s.logDone
		srv.Stop()
		s.log.Info("devp2p stopped")
	}
	return nil
}

// withTopics returns the protocols to run: those registered, the one
// Config.Topics names carrying the role entries and, when the search runs,
// the relays found as its dial candidates (which replace go-ethereum's
// dialling of any node discovery finds).
func (s *Server) withTopics() ([]p2p.Protocol, *topicSearch) {
	t := s.cfg.Topics
	protos := slices.Clone(s.protos)
	i := slices.IndexFunc(protos, func(p p2p.Protocol) bool { return t.Protocol != "" && p.Name == t.Protocol })
	if i < 0 {
		return protos, nil
	}
	p := &protos[i]
	p.Attributes = slices.Clone(p.Attributes)
	if t.Relay {
		p.Attributes = append(p.Attributes, &RelayEntry{Version: t.Version})
	}
	if t.Mailserver {
		p.Attributes = append(p.Attributes, &MailserverEntry{Version: t.Version})
	}
	if !t.Search || s.cfg.NoDiscovery {
		return protos, nil
	}
	search := newTopicSearch(t, s.log)
	p.DialCandidates = search.limit
	return protos, search
}

func checkListen(addr string) error {
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("devp2p: listen on %s: %w", addr, err)
	}
	return l.Close()
}

func (s *Server) running() *p2p.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv
}

func (s *Server) runningParts() (*p2p.Server, *knownPeers, *redialer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv, s.known, s.redial
}
