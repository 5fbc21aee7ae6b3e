package transporttest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/whisper"
)

// ErrClosed is returned by Post after Network.Close.
var ErrClosed = errors.New("transporttest: network closed")

// Network connects Endpoints. All methods are safe for concurrent use.
type Network struct {
	mu     sync.Mutex
	clock  time.Time
	eps    []*Endpoint
	cut    map[[2]*Endpoint]bool
	drop   func(from, to *Endpoint, env messenger.Envelope) bool
	lose   func(to *Endpoint, ev messenger.EnvelopeEvent) bool
	delay  func(from, to *Endpoint) time.Duration
	pool   []pooled
	nonce  uint64
	timers map[*time.Timer]struct{}
	closed bool
	wg     sync.WaitGroup // delayed deliveries and endpoint delivery goroutines
	stats  Stats
}

type pooled struct {
	hash   messenger.EnvelopeHash
	from   *Endpoint
	expiry time.Time
}

// Stats counts what the network did.
type Stats struct {
	Posted    int // envelopes posted
	Delivered int // envelope copies handed to an endpoint
	Dropped   int // copies lost to the drop function
	Overflow  int // envelope events lost to a full channel
}

// NewNetwork returns an empty network whose clock stands at now.
func NewNetwork(now time.Time) *Network {
	return &Network{clock: now, cut: make(map[[2]*Endpoint]bool), timers: make(map[*time.Timer]struct{})}
}

// Now returns the network clock (moved only by Advance).
func (n *Network) Now() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.clock
}

// Join adds an online endpoint for identity key (PeerConnected is
// reported to every online endpoint).
//
// Each endpoint has a delivery goroutine, the stand-in for a router's: it
// hands the endpoint's incoming messages to the matching Sinks in order and
// waits while a Sink blocks (the network never drops for a slow Sink).
// Close stops it.
func (n *Network) Join(key *ecdsa.PrivateKey) *Endpoint {
	e := &Endpoint{net: n, key: key, online: true, subs: make(map[*subscription]struct{}),
		events: make(chan messenger.EnvelopeEvent, 4096), ready: make(chan struct{}, 1), quit: make(chan struct{})}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, o := range n.eps {
		if o.online {
			n.eventLocked(o, messenger.EnvelopeEvent{Kind: messenger.PeerConnected})
		}
	}
	n.eps = append(n.eps, e)
	if !n.closed {
		n.wg.Add(1)
		go e.deliverLoop()
	}
	return e
}

// SetOnline takes e offline (it neither sends to nor receives from anyone)
// or back online.
// Bringing e online reports PeerConnected to e and to every other online
// endpoint not partitioned from it (a new link for each).
func (n *Network) SetOnline(e *Endpoint, on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	was := e.online
	e.online = on
	if !on || was {
		return
	}
	for _, o := range n.eps {
		if o != e && o.online && !n.cut[[2]*Endpoint{e, o}] {
			n.eventLocked(o, messenger.EnvelopeEvent{Kind: messenger.PeerConnected})
			n.eventLocked(e, messenger.EnvelopeEvent{Kind: messenger.PeerConnected})
		}
	}
}

// peerCount is the number of online endpoints e can reach (0 when e is
// offline).
func (n *Network) peerCount(e *Endpoint) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !e.online {
		return 0
	}
	c := 0
	for _, o := range n.eps {
		if o != e && o.online && !n.cut[[2]*Endpoint{e, o}] {
			c++
		}
	}
	return c
}

// Partition cuts (or, with cut false, heals) the link between a and b.
func (n *Network) Partition(a, b *Endpoint, cut bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut[[2]*Endpoint{a, b}] = cut
	n.cut[[2]*Endpoint{b, a}] = cut
}

// SetDrop sets a function deciding per copy whether it is lost (nil: none).
func (n *Network) SetDrop(f func(from, to *Endpoint, env messenger.Envelope) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.drop = f
}

// SetLoseEvents sets a function deciding per envelope event whether it is
// lost before reaching its endpoint, as a full event channel loses it
// (nil: none; counted as Overflow).
func (n *Network) SetLoseEvents(f func(to *Endpoint, ev messenger.EnvelopeEvent) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lose = f
}

// SetDelay sets a per-copy delivery delay (nil or 0: immediate, in order).
// Random delays reorder envelopes.
func (n *Network) SetDelay(f func(from, to *Endpoint) time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delay = f
}

// Stats returns the counters.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

// Advance moves the clock by d and reports EnvelopeExpired to the poster
// of every envelope whose TTL has passed.
func (n *Network) Advance(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.clock = n.clock.Add(d)
	keep := n.pool[:0]
	for _, p := range n.pool {
		if p.expiry.After(n.clock) {
			keep = append(keep, p)
			continue
		}
		n.eventLocked(p.from, messenger.EnvelopeEvent{Hash: p.hash, Kind: messenger.EnvelopeExpired})
	}
	n.pool = keep
}

// Inject delivers a hand-made envelope signed by signer (nil: unsigned) to
// every online endpoint, ignoring partitions, drops and delays. It returns
// the envelope hash.
func (n *Network) Inject(signer *ecdsa.PublicKey, env messenger.Envelope) messenger.EnvelopeHash {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := n.hashLocked(env)
	msg := messenger.ReceivedMessage{Payload: env.Payload, Signer: signer, Topic: env.Topic, Hash: h, Sent: n.clock}
	for _, e := range n.eps {
		if e.online {
			n.deliverLocked(e, env, msg)
		}
	}
	return h
}

// Close cancels delayed deliveries not yet fired, stops every endpoint's
// delivery goroutine (messages not yet handed over are lost) and waits for
// them. A Sink blocked at that point must be released by its owner (the
// messenger's Stop). Posts fail afterwards.
func (n *Network) Close() {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		for t := range n.timers {
			if t.Stop() {
				n.wg.Done()
			}
		}
		n.timers = nil
		for _, e := range n.eps {
			close(e.quit)
		}
	}
	n.mu.Unlock()
	n.wg.Wait()
}

func (n *Network) hashLocked(env messenger.Envelope) messenger.EnvelopeHash {
	n.nonce++
	var h messenger.EnvelopeHash
	copy(h[:], crypto.Keccak256(env.Topic[:], env.Payload, binary.BigEndian.AppendUint64(nil, n.nonce)))
	return h
}

func (n *Network) post(from *Endpoint, env messenger.Envelope) (messenger.EnvelopeHash, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return messenger.EnvelopeHash{}, ErrClosed
	}
	h := n.hashLocked(env)
	n.stats.Posted++
	ttl := env.TTL
	if ttl == 0 {
		ttl = 15 * time.Second
	}
	n.pool = append(n.pool, pooled{hash: h, from: from, expiry: n.clock.Add(ttl)})
	msg := messenger.ReceivedMessage{Payload: env.Payload, Signer: &from.key.PublicKey, Topic: env.Topic, Hash: h, Sent: n.clock}
	reached := false
	for _, to := range n.eps {
		if to == from || !from.online || !to.online || n.cut[[2]*Endpoint{from, to}] {
			continue
		}
		reached = true
		if n.drop != nil && n.drop(from, to, env) {
			n.stats.Dropped++
			continue
		}
		n.scheduleLocked(from, to, env, msg)
	}
	if reached {
		n.eventLocked(from, messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeSent})
	}
	return h, nil
}

func (n *Network) scheduleLocked(from, to *Endpoint, env messenger.Envelope, msg messenger.ReceivedMessage) {
	var d time.Duration
	if n.delay != nil {
		d = n.delay(from, to)
	}
	if d <= 0 {
		n.deliverLocked(to, env, msg)
		return
	}
	n.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		defer n.wg.Done()
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.timers != nil {
			delete(n.timers, t)
		}
		if !n.closed && to.online {
			n.deliverLocked(to, env, msg)
		}
	})
	n.timers[t] = struct{}{}
}

// deliverLocked queues msg for to's delivery goroutine; it never blocks.
func (n *Network) deliverLocked(to *Endpoint, env messenger.Envelope, msg messenger.ReceivedMessage) {
	n.stats.Delivered++
	to.incoming = append(to.incoming, arrival{env: env, msg: msg})
	select {
	case to.ready <- struct{}{}:
	default:
	}
}

type arrival struct {
	env messenger.Envelope
	msg messenger.ReceivedMessage
}

// deliverLoop is the endpoint's delivery goroutine: it calls the Sink of
// every subscription matching each arrival, outside the network lock,
// waiting for each call to return.
func (e *Endpoint) deliverLoop() {
	n := e.net
	defer n.wg.Done()
	for {
		select {
		case <-e.ready:
		case <-e.quit:
			return
		}
		n.mu.Lock()
		batch := e.incoming
		e.incoming = nil
		n.mu.Unlock()
		for _, a := range batch {
			for _, sink := range e.sinks(a.env) {
				sink(a.msg)
			}
			select {
			case <-e.quit:
				return
			default:
			}
		}
	}
}

// sinks returns the Sinks of the live subscriptions matching env.
func (e *Endpoint) sinks(env messenger.Envelope) []messenger.Sink {
	e.net.mu.Lock()
	defer e.net.mu.Unlock()
	var out []messenger.Sink
	for s := range e.subs {
		if s.matches(e, env) {
			out = append(out, s.sink)
		}
	}
	return out
}

func (n *Network) eventLocked(e *Endpoint, ev messenger.EnvelopeEvent) {
	if n.lose != nil && n.lose(e, ev) {
		n.stats.Overflow++
		return
	}
	select {
	case e.events <- ev:
	default:
		n.stats.Overflow++
	}
}

// Endpoint is one node's Transport.
type Endpoint struct {
	net    *Network
	key    *ecdsa.PrivateKey
	online bool                       // guarded by net.mu
	subs   map[*subscription]struct{} // guarded by net.mu
	events chan messenger.EnvelopeEvent

	incoming []arrival     // guarded by net.mu; read by deliverLoop
	ready    chan struct{} // capacity 1: "incoming may be non-empty"
	quit     chan struct{} // closed by Network.Close
}

var _ messenger.Transport = (*Endpoint)(nil)

// JoinSymmetric implements messenger.Transport.
func (e *Endpoint) JoinSymmetric(topic whisper.Topic, key whisper.SymKey, sink messenger.Sink) (messenger.Subscription, error) {
	return e.subscribe(&subscription{sym: &key, topics: []whisper.Topic{topic}, sink: sink}), nil
}

// JoinAsymmetric implements messenger.Transport.
func (e *Endpoint) JoinAsymmetric(topics []whisper.Topic, sink messenger.Sink) (messenger.Subscription, error) {
	return e.subscribe(&subscription{topics: append([]whisper.Topic(nil), topics...), sink: sink}), nil
}

// Post implements messenger.Transport.
func (e *Endpoint) Post(_ context.Context, env messenger.Envelope) (messenger.EnvelopeHash, error) {
	return e.net.post(e, env)
}

// EnvelopeEvents implements messenger.Transport.
func (e *Endpoint) EnvelopeEvents() <-chan messenger.EnvelopeEvent { return e.events }

// PeerCount implements messenger.Transport: the online endpoints e can
// reach.
func (e *Endpoint) PeerCount() int { return e.net.peerCount(e) }

// Subscriptions returns the number of live subscriptions.
func (e *Endpoint) Subscriptions() int {
	e.net.mu.Lock()
	defer e.net.mu.Unlock()
	return len(e.subs)
}

func (e *Endpoint) subscribe(s *subscription) *subscription {
	s.ep = e
	e.net.mu.Lock()
	defer e.net.mu.Unlock()
	e.subs[s] = struct{}{}
	return s
}

type subscription struct {
	ep     *Endpoint
	sym    *whisper.SymKey
	topics []whisper.Topic
	sink   messenger.Sink
}

func (s *subscription) Unsubscribe() {
	n := s.ep.net
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(s.ep.subs, s)
}

func (s *subscription) matches(to *Endpoint, env messenger.Envelope) bool {
	found := false
	for _, t := range s.topics {
		found = found || t == env.Topic
	}
	switch {
	case !found:
		return false
	case s.sym != nil:
		return env.SymKey != nil && *env.SymKey == *s.sym
	default:
		return env.PubKey != nil && bytes.Equal(crypto.FromECDSAPub(env.PubKey), crypto.FromECDSAPub(&to.key.PublicKey))
	}
}
