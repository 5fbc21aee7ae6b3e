package whisper

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/statusnode/statusd/lib/eventbus"
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
	// EventEnvelopeAcknowledged: a peer acknowledged (code 11, §4.6) the
	// batch that carried an envelope posted locally, and did not refuse
	// it. Reported once per acknowledging peer, possibly before the
	// EventEnvelopeSent for that peer (the writer reports after its write).
	EventEnvelopeAcknowledged
	// EventEnvelopeRefused: a peer's Message Response (code 12) refused an
	// envelope posted locally; Reason says why.
	EventEnvelopeRefused
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
	case EventEnvelopeAcknowledged:
		return "envelope.acknowledged"
	case EventEnvelopeRefused:
		return "envelope.refused"
	}
	return "unknown"
}

// Event is one router notification. Hash is set for the envelope kinds,
// Peer for the kinds a peer caused (sent, acknowledged, refused, the peer
// kinds), Reason for EventEnvelopeRefused.
type Event struct {
	Kind   EventKind
	Hash   common.Hash
	Peer   enode.ID
	Reason string
	// Confirm is set on EventEnvelopeSent when the peer advertised
	// confirmations (§4.6): the batch waits for its acknowledgement, and
	// the envelope's fate there follows as EventEnvelopeAcknowledged or
	// EventEnvelopeRefused (unless the peer leaves first). When the
	// acknowledgement is still awaited after maxPendingBatches newer
	// batches to that peer, the router stops waiting and reports the
	// envelope again as EventEnvelopeSent without Confirm.
	Confirm bool
}

// EventSubscription receives router events through a bounded channel. The
// router never blocks on it: an event that does not fit is dropped for
// this subscriber and counted (Dropped). C is closed by Unsubscribe and by
// Whisper.Stop.
type EventSubscription = eventbus.Subscription[Event]

// SubscribeEvents returns a subscription to the router's events with a
// channel of the given capacity (0: 1024). Events are published from the
// peer writer goroutines (sent), the sweeper (expired), the peer loops
// (added, dropped) and the confirmation handler (acknowledged, refused);
// order across kinds is not guaranteed. After Stop the returned
// subscription's channel is already closed.
func (w *Whisper) SubscribeEvents(capacity int) *EventSubscription {
	return w.events.Subscribe(capacity)
}

// EventQueue receives router events losslessly: the router appends each
// event to it and never waits for its reader, which drains it (Ready,
// Drain). Nothing bounds it but its reader, so the reader must never block
// between drains (the messenger's Whisper adapter only sorts the events
// into its own state). Ready is closed by Unsubscribe and by Whisper.Stop;
// the events queued before are still drained.
type EventQueue = eventbus.Queue[Event]

// SubscribeEventQueue returns a lossless subscription to the router's
// events: the same events, from the same goroutines, as SubscribeEvents,
// none of them dropped. After Stop the returned queue is already closed.
func (w *Whisper) SubscribeEventQueue() *EventQueue {
	return w.events.SubscribeQueue()
}
