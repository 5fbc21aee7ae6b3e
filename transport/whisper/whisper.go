package whisper

import (
	"crypto/ecdsa"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/lib/eventbus"
	"github.com/statusnode/statusd/lib/metrics"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// Whisper is the Whisper v6 router: the shh/6 devp2p sub-protocol, the
// envelope pool, forwarding, filters and the key store.
//
// Lifecycle: New, then Protocol (registered with the devp2p server before it
// starts), then Start before the devp2p server starts so no peer arrives
// before the sweeper runs, and Stop after the devp2p server has stopped.
// Stop is idempotent; it disconnects any peer still running and blocks until
// every goroutine the service owns (sweeper, per-peer writers, peer loops)
// has exited. All exported methods are safe for concurrent use.
type Whisper struct {
	cfg     Config
	log     *zap.Logger
	m       *routerMetrics
	pool    *pool
	filters *Filters
	keys    *KeyStore
	set     settings
	events  *eventbus.Bus[Event]

	mu      sync.RWMutex // guards peers, started, stopped, and peerVals
	peers   map[enode.ID]*peer
	started bool
	stopped bool
	wg      sync.WaitGroup // sweeper, writers, peer loops
	quit    chan struct{}

	// peerVals holds the values of peers (mu), for broadcast: ranging over
	// a slice costs less than starting a map iteration for every envelope.
	peerVals []*peer

	p2pRequest func(peer enode.ID, body []byte) // code 126 handler; nil ignores
	hooks      mailHooks                        // mailserver hooks (mailhooks.go)

	powScratch sync.Pool  // *powScratch for prepare, one per goroutine at a time
	inflight   deliveries // deliveries under way, for Settle (settle.go)
}

// New builds a service from cfg (validated, zero knobs defaulted). identity,
// if not nil, is added to the key store as a key pair (the node's identity).
// reg receives the router's metrics; nil gets a private registry. Nothing
// runs until Start.
func New(cfg Config, identity *ecdsa.PrivateKey, log *zap.Logger, reg *metrics.Registry) (*Whisper, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	w := &Whisper{
		cfg:    cfg,
		log:    log.Named("whisper"),
		m:      newRouterMetrics(reg),
		pool:   newPool(),
		keys:   NewKeyStore(cfg.Rand, cfg.MaxKeys),
		peers:  make(map[enode.ID]*peer),
		quit:   make(chan struct{}),
		events: eventbus.New[Event](1024),
	}
	w.filters = newFilters(w)
	w.set.init(cfg)
	if identity != nil {
		if _, err := w.keys.AddKeyPair(identity); err != nil {
			return nil, fmt.Errorf("whisper: identity key: %w", err)
		}
	}
	reg.GaugeFunc("whisper_peers", "Peers that completed the Whisper handshake.", func() float64 { return float64(w.PeerCount()) })
	reg.GaugeFunc("whisper_pool_envelopes", "Envelopes in the pool.", func() float64 { n, _ := w.pool.stats(); return float64(n) })
	reg.GaugeFunc("whisper_pool_bytes", "RLP bytes of the envelopes in the pool.", func() float64 { _, b := w.pool.stats(); return float64(b) })
	return w, nil
}

// Protocol returns the shh/6 capability to register with the devp2p server.
// Its Run is called by p2p on the peer's own goroutine and returns when the
// peer disconnects or misbehaves.
func (w *Whisper) Protocol() p2p.Protocol {
	return p2p.Protocol{
		Name:    wproto.ProtocolName,
		Version: uint(wproto.ProtocolVersion),
		Length:  wproto.NumberOfMessageCodes,
		Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
			return w.runPeer(p.ID(), p.Fullname(), ownedPayloads{rw}, p.Trusted(), func() { p.Disconnect(p2p.DiscSubprotocolError) })
		},
		NodeInfo: func() any {
			return map[string]any{"version": wproto.ProtocolVersionString, "maxMessageSize": w.MaxMessageSize(), "minimumPoW": w.MinPoW()}
		},
		// A peer past the Whisper handshake is described; before it (or
		// after it failed), nil makes p2p report "handshake" (admin_peers).
		PeerInfo: func(id enode.ID) any {
			p, err := w.peer(id)
			if err != nil {
				return nil
			}
			return p.info()
		},
	}
}

// Start starts the expiry sweeper. It must be called once, before peers
// connect.
func (w *Whisper) Start() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.stopped:
		return ErrStopped
	case w.started:
		return fmt.Errorf("whisper: already started")
	}
	w.started = true
	w.wg.Add(1)
	go w.sweepLoop()
	w.log.Info("whisper started", zap.Float64("min_pow", w.MinPoW()), zap.Uint32("max_message_size", w.MaxMessageSize()),
		zap.Bool("light", w.LightClient()))
	return nil
}

// Stop ends the service; see the type's contract.
func (w *Whisper) Stop() error {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		w.wg.Wait()
		return nil
	}
	w.stopped = true
	close(w.quit)
	peers := make([]*peer, 0, len(w.peers))
	for _, p := range w.peers {
		peers = append(peers, p)
	}
	w.mu.Unlock()
	for _, p := range peers {
		p.disconnect()
	}
	w.wg.Wait()
	w.filters.closeAll()
	w.events.Close()
	w.log.Info("whisper stopped")
	return nil
}

func (w *Whisper) sweepLoop() {
	defer w.wg.Done()
	t := time.NewTicker(wproto.ExpirationCycle)
	defer t.Stop()
	for {
		select {
		case <-w.quit:
			return
		case <-t.C:
			w.sweep()
		}
	}
}

// sweep drops expired envelopes from the pool and the peers' known sets.
func (w *Whisper) sweep() {
	now := w.cfg.Now()
	_, local := w.pool.sweep(now)
	for _, h := range local {
		w.events.Publish(Event{Kind: EventEnvelopeExpired, Hash: h})
	}
	for _, p := range w.peerList() {
		p.forgetExpired(now)
	}
}

// SetP2PRequestHandler installs the handler of P2P Request packets (code
// 126, mailserver requests). It is called on the requesting peer's read
// goroutine with the raw packet body, which it owns; it must not block for
// long. Call it before Start.
func (w *Whisper) SetP2PRequestHandler(h func(peer enode.ID, body []byte)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.p2pRequest = h
}

// Keys is the key store (key pairs and symmetric keys).
func (w *Whisper) Keys() *KeyStore { return w.keys }

// Filters is the filter registry.
func (w *Whisper) Filters() *Filters { return w.filters }

// PeerCount is the number of peers past the handshake.
func (w *Whisper) PeerCount() int {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return len(w.peers)
}

func (w *Whisper) peerList() []*peer {
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make([]*peer, 0, len(w.peers))
	for _, p := range w.peers {
		out = append(out, p)
	}
	return out
}

func (w *Whisper) peer(id enode.ID) (*peer, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	p, ok := w.peers[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrPeerNotFound, id.TerminalString())
	}
	return p, nil
}

// HasPeer reports whether id is connected and past the Whisper handshake.
func (w *Whisper) HasPeer(id enode.ID) bool {
	_, err := w.peer(id)
	return err == nil
}

// MarkTrustedPeer lets the connected peer id send P2P messages (code 127)
// and exempts it from rate limits (shh_markTrustedPeer).
func (w *Whisper) MarkTrustedPeer(id enode.ID) error {
	p, err := w.peer(id)
	if err != nil {
		return err
	}
	p.setTrusted()
	return nil
}

// Info is shh_info's result (§5.11).
type Info struct {
	Memory         int     `json:"memory"`
	Messages       int     `json:"messages"`
	MinPow         float64 `json:"minPow"`
	MaxMessageSize uint32  `json:"maxMessageSize"`
}

// Info reports the pool's size in bytes and envelopes and the settings.
func (w *Whisper) Info() Info {
	n, b := w.pool.stats()
	return Info{Memory: b, Messages: n, MinPow: w.MinPoW(), MaxMessageSize: w.MaxMessageSize()}
}
