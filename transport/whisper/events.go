package whisper

import (
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"
)

// EventKind says what a router Event reports. Append-only.
type EventKind uint8

const (
	// EventEnvelopeSent: an envelope posted locally (Send) was written to
	// a peer. Reported once per peer that received it.
	EventEnvelopeSent EventKind = iota + 1
	// EventEnvelopeExpired: an envelope posted locally left the pool
	// because its expiry passed (the sweeper, §5.8). Reported once.
	EventEnvelopeExpired
	// EventPeerAdded: a peer completed the Whisper handshake.
	EventPeerAdded
	// EventPeerDropped: a peer that had completed the handshake left.
	EventPeerDropped
)

func (k EventKind) String() string {
	switch k {
	case EventEnvelopeSent:
		return "envelope.sent"
	case EventEnvelopeExpired:
		return "envelope.expired"
	case EventPeerAdded:
		return "peer.added"
	case EventPeerDropped:
		return "peer.dropped"
	}
	return "unknown"
}

// Event is one router notification. Hash is set for the envelope kinds,
// Peer for EventEnvelopeSent and the peer kinds.
type Event struct {
	Kind EventKind
	Hash common.Hash
	Peer enode.ID
}

// EventSubscription receives router events through a bounded channel. The
// router never blocks on it: an event that does not fit is dropped for
// this subscriber and counted (Dropped).
type EventSubscription struct {
	ev      *events
	ch      chan Event
	dropped atomic.Uint64
}

// C is the event channel; it is closed by Unsubscribe and by Whisper.Stop.
func (s *EventSubscription) C() <-chan Event { return s.ch }

// Dropped is the number of events lost because C was full.
func (s *EventSubscription) Dropped() uint64 { return s.dropped.Load() }

// Unsubscribe stops delivery and closes C. Idempotent; safe from any
// goroutine.
func (s *EventSubscription) Unsubscribe() { s.ev.remove(s) }

// SubscribeEvents returns a subscription to the router's events with a
// channel of the given capacity (0: 1024). Events are published from the
// peer writer goroutines (sent), the sweeper (expired) and the peer loops
// (added, dropped); order across kinds is not guaranteed. After Stop the
// returned subscription's channel is already closed.
func (w *Whisper) SubscribeEvents(capacity int) *EventSubscription {
	return w.events.subscribe(capacity)
}

// events fans router events out; publish never blocks. The mutex guards
// subs and closed.
type events struct {
	mu     sync.Mutex
	subs   map[*EventSubscription]struct{}
	closed bool
}

func newEvents() *events { return &events{subs: make(map[*EventSubscription]struct{})} }

func (e *events) subscribe(capacity int) *EventSubscription {
	if capacity <= 0 {
		capacity = 1024
	}
	s := &EventSubscription{ev: e, ch: make(chan Event, capacity)}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		close(s.ch)
		return s
	}
	e.subs[s] = struct{}{}
	return s
}

func (e *events) remove(s *EventSubscription) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.subs[s]; ok {
		delete(e.subs, s)
		close(s.ch)
	}
}

func (e *events) publish(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.subs {
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
		}
	}
}

func (e *events) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	for s := range e.subs {
		delete(e.subs, s)
		close(s.ch)
	}
}
