package whisperadapter

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/messenger"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// Status's sealing values (docs/PROTOCOL.md §4.4).
const (
	// DefaultPoW is the PoW target of posted envelopes (status-go and
	// status-protocol-go whisperPoW).
	DefaultPoW = wproto.StatusPoWTarget
	// DefaultPoWTime bounds the sealing work (status-protocol-go: 5 s).
	DefaultPoWTime = 5 * time.Second
	// DefaultTTL replaces a zero Envelope.TTL (status-protocol-go: 15 s).
	DefaultTTL = time.Duration(wproto.StatusTTL) * time.Second
)

// maxTracked is the number of tracked envelopes past which Post forgets
// those long expired (pruneLocked).
const maxTracked = 16384

// ErrStopped is returned by Post and the Join methods after Stop.
var ErrStopped = errors.New("whisperadapter: stopped")

// Config configures an Adapter; zero fields take the defaults above.
type Config struct {
	PoW     float64
	PoWTime time.Duration
	TTL     time.Duration
	// EventBuffer is the capacity of EnvelopeEvents (default 1024). Events
	// that do not fit wait in the adapter (pendingEvents) until the
	// messenger takes them; none is dropped. Received messages have no
	// buffer here: the router hands them to the messenger's Sink directly.
	EventBuffer int
	// MailServerConfirmations is status-go's setting of that name (default
	// off): when set, only a mailserver's word makes an envelope sent — its
	// acknowledgement (code 11), or a write to it when it does not confirm.
	// Writes to and acknowledgements by other peers are not reported;
	// refusals (code 12) still are, from any peer.
	MailServerConfirmations bool
	// IsMailserver tells whether a peer is one of our mailservers; it is
	// called on the event goroutine and must not block. Nil means none is
	// (with MailServerConfirmations, nothing is then ever sent).
	IsMailserver func(enode.ID) bool
	Now          func() time.Time // default time.Now
	Rand         io.Reader        // default crypto/rand
	Logger       *zap.Logger      // default nop
}

func (c *Config) setDefaults() {
	if c.PoW == 0 {
		c.PoW = DefaultPoW
	}
	if c.PoWTime == 0 {
		c.PoWTime = DefaultPoWTime
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.EventBuffer <= 0 {
		c.EventBuffer = 1024
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
}

// Adapter is a messenger.Transport over a Whisper router for one identity.
// All methods are safe for concurrent use. Post never calls back into the
// messenger.
type Adapter struct {
	w   *whisper.Whisper
	id  *ecdsa.PrivateKey
	cfg Config
	log *zap.Logger

	events chan messenger.EnvelopeEvent
	quit   chan struct{} // closed by Stop

	mu      sync.Mutex // guards the fields below
	posted  map[common.Hash]*tracked
	subs    map[*subscription]struct{}
	rq      *whisper.EventQueue
	started bool
	stopped bool
	wg      sync.WaitGroup // the event goroutine
}

// tracked is one envelope we posted and have not seen expire.
type tracked struct {
	expiry time.Time
	sent   bool
}

var _ messenger.Transport = (*Adapter)(nil)

// New returns an adapter posting and listening as identity through w. It
// starts nothing.
func New(w *whisper.Whisper, identity *ecdsa.PrivateKey, cfg Config) *Adapter {
	cfg.setDefaults()
	return &Adapter{
		w: w, id: identity, cfg: cfg, log: cfg.Logger.Named("whisperadapter"),
		events: make(chan messenger.EnvelopeEvent, cfg.EventBuffer), quit: make(chan struct{}),
		posted: make(map[common.Hash]*tracked), subs: make(map[*subscription]struct{}),
	}
}

// Start subscribes to the router's events (losslessly: SubscribeEventQueue)
// and starts the event goroutine.
// Call it before the messenger starts (Post works before Start, but its
// envelope events are lost).
func (a *Adapter) Start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.stopped:
		return ErrStopped
	case a.started:
		return errors.New("whisperadapter: already started")
	}
	a.started = true
	a.rq = a.w.SubscribeEventQueue()
	a.wg.Add(1)
	go a.eventLoop(a.rq)
	return nil
}

// Stop removes every open subscription, ends the event goroutine and waits
// for it; the events the messenger has not taken by then are discarded.
// Idempotent.
func (a *Adapter) Stop() error {
	a.mu.Lock()
	if !a.stopped {
		a.stopped = true
		close(a.quit)
	}
	subs := make([]*subscription, 0, len(a.subs))
	for s := range a.subs {
		subs = append(subs, s)
	}
	rq := a.rq
	a.mu.Unlock()
	for _, s := range subs {
		s.Unsubscribe()
	}
	if rq != nil {
		rq.Unsubscribe()
	}
	a.wg.Wait()
	return nil
}

// PeerCount implements messenger.Transport: the router's peers past the
// Whisper handshake.
func (a *Adapter) PeerCount() int { return a.w.PeerCount() }

// EnvelopeEvents implements messenger.Transport. No event is dropped: what
// the messenger has not taken yet waits in the adapter (eventLoop).
func (a *Adapter) EnvelopeEvents() <-chan messenger.EnvelopeEvent { return a.events }

// Post implements messenger.Transport: wrap, sign, encrypt, seal (blocking
// for up to PoWTime, or until ctx ends) and send through the router.
func (a *Adapter) Post(ctx context.Context, env messenger.Envelope) (messenger.EnvelopeHash, error) {
	if (env.SymKey == nil) == (env.PubKey == nil) {
		return messenger.EnvelopeHash{}, fmt.Errorf("%w: exactly one of SymKey and PubKey", wproto.ErrNoKey)
	}
	ttl := env.TTL
	if ttl <= 0 {
		ttl = a.cfg.TTL
	}
	p := &wproto.MessageParams{
		TTL: uint32((ttl + time.Second - 1) / time.Second), Src: a.id, Dst: env.PubKey, KeySym: env.SymKey,
		Topic: env.Topic, PoW: a.cfg.PoW, WorkTime: uint32(a.cfg.PoWTime / time.Second), Payload: env.Payload,
	}
	e, err := wproto.Wrap(p, a.cfg.Now(), a.cfg.Rand)
	if err != nil {
		return messenger.EnvelopeHash{}, err
	}
	if err := whisper.Seal(ctx, e, a.cfg.PoW, a.cfg.PoWTime); err != nil {
		return messenger.EnvelopeHash{}, err
	}
	h := e.Hash()
	if err := a.track(h, time.Unix(int64(e.Expiry), 0)); err != nil {
		return messenger.EnvelopeHash{}, err
	}
	if _, err := a.w.Send(e); err != nil {
		a.untrack(h)
		return messenger.EnvelopeHash{}, err
	}
	return messenger.EnvelopeHash(h), nil
}

// track registers h before it is sent, so that a write event racing the
// return of Send is not lost.
func (a *Adapter) track(h common.Hash, expiry time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return ErrStopped
	}
	if len(a.posted) >= maxTracked {
		a.pruneLocked()
	}
	a.posted[h] = &tracked{expiry: expiry}
	return nil
}

func (a *Adapter) untrack(h common.Hash) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.posted, h)
}

// pruneLocked forgets envelopes that expired a minute ago and more: the
// router reported no expiry for them because they were posted before Start
// (or after the router stopped).
func (a *Adapter) pruneLocked() {
	cutoff := a.cfg.Now().Add(-time.Minute)
	for h, t := range a.posted {
		if t.expiry.Before(cutoff) {
			delete(a.posted, h)
		}
	}
}

// eventLoop is the event goroutine. It turns router events about our
// envelopes into messenger envelope events (classify), and each peer that
// completes the handshake into PeerConnected, and hands them to the
// messenger in order; none is lost. It drains the router's queue whenever
// the router has appended to it — classify is a map lookup, so the router's
// queue stays short and the router never waits — and keeps what the
// messenger has not taken yet in pending (see pendingEvents for its
// bound). A send to the messenger blocks only this goroutine, and it is a
// case of the same select as the router's queue and Stop (quit), which
// ends the goroutine at any point.
func (a *Adapter) eventLoop(rq *whisper.EventQueue) {
	defer a.wg.Done()
	var (
		pending pendingEvents
		in      []whisper.Event
		open    bool
		ready   = rq.Ready()
	)
	for {
		var out chan<- messenger.EnvelopeEvent // nil, never ready, while nothing waits
		var next messenger.EnvelopeEvent
		if pending.len() > 0 {
			out, next = a.events, pending.front()
		}
		select {
		case <-ready:
			if in, open = rq.Drain(in); !open {
				ready = nil // the router stopped: hand over what is left until Stop
			}
			for i, ev := range in {
				for _, e := range a.classify(ev) {
					pending.push(e)
				}
				in[i] = whisper.Event{}
			}
		case out <- next:
			pending.pop()
		case <-a.quit:
			return
		}
	}
}

// counts reports whether a write to peer, or its acknowledgement, may make
// an envelope sent: always, unless MailServerConfirmations limits it to
// mailservers.
func (a *Adapter) counts(peer enode.ID) bool {
	if !a.cfg.MailServerConfirmations {
		return true
	}
	return a.cfg.IsMailserver != nil && a.cfg.IsMailserver(peer)
}

// classify maps one router event to the messenger's (docs/PROTOCOL.md
// §4.6): EnvelopeSent once per envelope, at its first write to a peer that
// does not confirm or its first acknowledgement (code 11) by one that
// does; each acknowledgement and refusal (code 12) as well; the expiry.
// A write to a confirming peer says nothing yet: the peer may refuse it.
// With MailServerConfirmations only mailservers' writes and
// acknowledgements are reported (counts).
func (a *Adapter) classify(ev whisper.Event) []messenger.EnvelopeEvent {
	if ev.Kind == whisper.EventPeerAdded {
		return []messenger.EnvelopeEvent{{Kind: messenger.PeerConnected}}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.posted[ev.Hash]
	if !ok {
		return nil
	}
	h, peer := messenger.EnvelopeHash(ev.Hash), ev.Peer.String()
	var out []messenger.EnvelopeEvent
	switch ev.Kind {
	case whisper.EventEnvelopeSent, whisper.EventEnvelopeAcknowledged:
		if ev.Kind == whisper.EventEnvelopeSent && ev.Confirm {
			return nil
		}
		if !a.counts(ev.Peer) {
			return nil
		}
		if !t.sent {
			t.sent = true
			out = append(out, messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeSent, Peer: peer})
		}
		if ev.Kind == whisper.EventEnvelopeAcknowledged {
			out = append(out, messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeAcknowledged, Peer: peer})
		}
	case whisper.EventEnvelopeRefused:
		out = append(out, messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeRefused, Peer: peer, Reason: ev.Reason})
	case whisper.EventEnvelopeExpired:
		delete(a.posted, ev.Hash)
		out = append(out, messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeExpired})
	}
	return out
}
