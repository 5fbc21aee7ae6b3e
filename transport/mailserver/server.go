package mailserver

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/lib/metrics"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver/archive"
	"github.com/statusnode/statusd/transport/whisper"
)

// Router is what the server role needs of the Whisper router
// (*whisper.Whisper implements it).
type Router interface {
	SetP2PRequestHandler(h func(peer enode.ID, body []byte))
	// Mailserver-to-mailserver sync (sync.go).
	SetSyncRequestHook(h whisper.SyncHook)
	SetSyncResponseHook(h whisper.SyncHook)
	MarkTrustedPeer(id enode.ID) error
	SendP2PPacket(ctx context.Context, id enode.ID, code wproto.PacketCode, body []byte) error
	MaxMessageSize() uint32
	MinPoW() float64
}

// Sentinel errors.
var (
	ErrStopped    = errors.New("mailserver: stopped")
	ErrConfig     = errors.New("mailserver: invalid config")
	ErrRangeLimit = errors.New("mailserver: time range too long")
)

// ServerConfig configures a Server. Zero durations and limits take the
// defaults named below.
type ServerConfig struct {
	Archive  archive.Archive   // required; the caller opens and closes it
	NodeKey  *ecdsa.PrivateKey // opens requests encrypted to the node key
	Password string            // mailserver password; "" accepts only node-key requests
	// Topics, when not empty, is the set of topics archived; others are not.
	Topics []wproto.Topic
	// Retention is how long envelopes are kept (default 30 days); the prune
	// loop runs every PruneInterval (default 1 h).
	Retention     time.Duration
	PruneInterval time.Duration
	// RateLimit is the number of requests one peer may make per minute,
	// also the burst (default 60; negative: unlimited).
	RateLimit int
	// MaxRange is the longest Upper−Lower a request may span (default 31 days).
	MaxRange time.Duration
	// Workers serve requests concurrently (default 2); QueueSize bounds the
	// pending requests (default 64) and archived envelopes (×64).
	Workers   int
	QueueSize int
	Now       func() time.Time // default time.Now
}

func (c *ServerConfig) defaults() error {
	if c.Archive == nil {
		return fmt.Errorf("%w: no archive", ErrConfig)
	}
	if c.NodeKey == nil && c.Password == "" {
		return fmt.Errorf("%w: neither a node key nor a password", ErrConfig)
	}
	setDur(&c.Retention, 30*24*time.Hour)
	setDur(&c.PruneInterval, time.Hour)
	setDur(&c.MaxRange, 31*24*time.Hour)
	if c.RateLimit == 0 {
		c.RateLimit = 60
	}
	setInt(&c.Workers, 2)
	setInt(&c.QueueSize, 64)
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

func setDur(v *time.Duration, d time.Duration) {
	if *v <= 0 {
		*v = d
	}
}

func setInt(v *int, d int) {
	if *v <= 0 {
		*v = d
	}
}

// Server is the mailserver's server role; see the package doc. Start,
// Stop and Accept are safe for concurrent use.
type Server struct {
	cfg    ServerConfig
	router Router
	log    *zap.Logger
	m      *serverMetrics
	keys   requestKeys
	topics map[wproto.Topic]struct{}
	limit  *peerLimiter

	requests chan request
	incoming chan arrival
	quit     chan struct{}
	wg       sync.WaitGroup

	mu      sync.Mutex // guards started, stopped
	started bool
	stopped bool

	syncMu sync.Mutex                  // guards syncs
	syncs  map[enode.ID]chan syncReply // Sync calls waiting, by peer
}

type request struct {
	peer enode.ID
	body []byte
	sync bool // a code-123 sync request
}

type arrival struct {
	env *wproto.Envelope
	at  time.Time
	// barrier, when set (env nil), is closed once everything queued before
	// it is archived (caughtUp).
	barrier chan struct{}
}

// NewServer checks cfg and builds a server for router; nothing runs until
// Start. Deriving the key of cfg.Password takes a moment (PBKDF2, §4.2).
func NewServer(cfg ServerConfig, router Router, log *zap.Logger, reg *metrics.Registry) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	keys, err := newRequestKeys(cfg.NodeKey, cfg.Password)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, router: router, log: log.Named("mailserver"), keys: keys,
		m:        newServerMetrics(reg, cfg.Archive),
		limit:    newPeerLimiter(cfg.RateLimit),
		requests: make(chan request, cfg.QueueSize),
		incoming: make(chan arrival, cfg.QueueSize*64),
		quit:     make(chan struct{}),
		syncs:    map[enode.ID]chan syncReply{},
	}
	if len(cfg.Topics) > 0 {
		s.topics = make(map[wproto.Topic]struct{}, len(cfg.Topics))
		for _, t := range cfg.Topics {
			s.topics[t] = struct{}{}
		}
	}
	return s, nil
}

// Start installs the code-126 handler and starts the archiver, the request
// workers and the prune loop. Install the envelope hook
// (EnvelopeHook(server, client)) on the router as well.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.started {
		return fmt.Errorf("%w: Start after Start or Stop", ErrStopped)
	}
	s.started = true
	s.router.SetP2PRequestHandler(s.handleRequest)
	s.router.SetSyncRequestHook(s.handleSyncRequest)
	s.router.SetSyncResponseHook(s.handleSyncResponse)
	s.wg.Add(2 + s.cfg.Workers)
	go s.archiveLoop()
	go s.pruneLoop()
	for range s.cfg.Workers {
		go s.serveLoop()
	}
	s.log.Info("mailserver started", zap.Duration("retention", s.cfg.Retention), zap.Int("topics", len(s.topics)))
	return nil
}

// Stop removes the handler and waits for the server's goroutines; envelopes
// still queued for the archive are written first. Idempotent.
func (s *Server) Stop() error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.stopped = true
	started := s.started
	s.mu.Unlock()
	if !started {
		return nil
	}
	s.router.SetP2PRequestHandler(nil)
	s.router.SetSyncRequestHook(nil)
	s.router.SetSyncResponseHook(nil)
	close(s.quit)
	s.wg.Wait()
	s.log.Info("mailserver stopped")
	return nil
}

// archiveWait bounds how long Accept waits for room in the archive queue
// before it drops an envelope.
const archiveWait = 5 * time.Second

// Accept queues an envelope the router accepted for the archive, unless its
// topic is not archived. It is the server half of EnvelopeHook, on the
// accepting peer's read loop. When the archive falls behind and its queue
// is full, Accept waits for room — the peer's reads pause and TCP flow
// control slows the sender, so an honest burst is archived late rather
// than lost — and drops the envelope (counted) only after archiveWait, or
// when the server stops.
func (s *Server) Accept(env *wproto.Envelope, arrived time.Time) {
	if s.topics != nil {
		if _, ok := s.topics[env.Topic]; !ok {
			return
		}
	}
	a := arrival{env: env, at: arrived}
	select {
	case s.incoming <- a:
		return
	default:
	}
	t := time.NewTimer(archiveWait)
	defer t.Stop()
	select {
	case s.incoming <- a:
	case <-t.C:
		s.m.archiveDropped.Inc("queue_full")
	case <-s.quit:
		s.m.archiveDropped.Inc("queue_full")
	}
}

// caughtUp waits until every envelope queued for the archive before the
// call is archived (or failed to be), so that a query made next sees all
// that arrived before it: an envelope archived later, under an earlier
// arrival time, would fall behind a client's cursor and never be served.
// It fails when ctx ends or the server stops first.
func (s *Server) caughtUp(ctx context.Context) error {
	b := make(chan struct{})
	select {
	case s.incoming <- arrival{barrier: b}:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return ErrStopped
	}
	select {
	case <-b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return ErrStopped
	}
}

// archiveLoop writes queued envelopes in batches until Stop, then drains.
func (s *Server) archiveLoop() {
	defer s.wg.Done()
	for {
		select {
		case a := <-s.incoming:
			s.archiveBatch(a)
		case <-s.quit:
			for {
				select {
				case a := <-s.incoming:
					s.archiveBatch(a)
				default:
					return
				}
			}
		}
	}
}

// archiveBatch puts first and whatever else is queued (up to 512) under
// first's arrival time.
func (s *Server) archiveBatch(first arrival) {
	if first.barrier != nil {
		close(first.barrier)
		return
	}
	envs := []*wproto.Envelope{first.env}
collect:
	for len(envs) < 512 {
		select {
		case a := <-s.incoming:
			if a.barrier != nil {
				defer close(a.barrier) // after this batch is archived
				break collect
			}
			envs = append(envs, a.env)
		default:
			break collect
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.cfg.Archive.Put(ctx, first.at, envs...); err != nil {
		s.m.archiveDropped.Add(float64(len(envs)), "error")
		s.log.Warn("archive put failed", zap.Int("envelopes", len(envs)), zap.Error(err))
		return
	}
	s.m.archived.Add(float64(len(envs)))
}

func (s *Server) pruneLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.PruneInterval)
	defer t.Stop()
	s.Prune()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			s.Prune()
		}
	}
}

// Prune deletes the envelopes archived before now − Retention and returns
// how many went. The prune loop calls it; tests may too.
func (s *Server) Prune() int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	n, err := s.cfg.Archive.Prune(ctx, s.cfg.Now().Add(-s.cfg.Retention))
	if err != nil {
		s.log.Warn("archive prune failed", zap.Error(err))
	}
	s.m.pruned.Add(float64(n))
	return n
}
