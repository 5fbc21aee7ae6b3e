package mailserver

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/transport/mailserver"
)

// Event type names: the "type" of an Event notification, status-go's
// signal names where it had one (§7.3).
const (
	EventRequestCompleted = "mailserver.request.completed" // RequestCompletedEvent
	EventRequestExpired   = "mailserver.request.expired"   // RequestExpiredEvent
	EventGapFound         = "mailserver.gap.found"         // GapEvent
	EventGapFilled        = "mailserver.gap.filled"        // GapEvent
)

// Event is one notification of mailserver_subscribe("events"): {"type":
// "<name>", "event": {…}}, the envelope status-go used for its signals.
// The payloads by type: mailserver.request.completed:
// RequestCompletedEvent {requestID, lastEnvelopeHash, cursor,
// errorMessage, envelopes}; mailserver.request.expired: RequestExpiredEvent {hash};
// mailserver.gap.found and mailserver.gap.filled: GapEvent {topic, from,
// to}. Hashes are 0x hex, the cursor hex without 0x ("" when the server
// has no more), topics 4-byte 0x hex, times inclusive Unix seconds.
type Event struct {
	// Type is the event name: mailserver.request.completed,
	// mailserver.request.expired, mailserver.gap.found or
	// mailserver.gap.filled.
	Type string `json:"type"`
	// Event is the payload: RequestCompletedEvent, RequestExpiredEvent or
	// GapEvent, by Type.
	Event any `json:"event"`
}

// RequestCompletedEvent (mailserver.request.completed): a mailserver
// answered one request page (code 125), status-go's signal shape. RequestID
// is the request envelope's hash (what shhext_requestMessages returned for
// the first page); LastEnvelopeHash the last envelope sent (zero hash when
// none); Cursor the hex (no 0x) of the cursor for the next page, "" when
// the server has no more; ErrorMessage the server's failure text, "" on
// success.
type RequestCompletedEvent struct {
	RequestID        string `json:"requestID"`
	LastEnvelopeHash string `json:"lastEnvelopeHash"`
	Cursor           string `json:"cursor"`
	ErrorMessage     string `json:"errorMessage"`
	// Envelopes is the number of envelopes the mailserver delivered for
	// the page (a statusd addition, for progress).
	Envelopes int `json:"envelopes"`
}

// RequestExpiredEvent (mailserver.request.expired): no completion arrived
// for the request Hash within its timeout.
type RequestExpiredEvent struct {
	Hash string `json:"hash"`
}

// GapEvent (mailserver.gap.found, mailserver.gap.filled): a missing range
// [From, To] (inclusive Unix seconds) of Topic is about to be requested by
// mailserver_fillGaps or the backfill, or was fetched completely.
type GapEvent struct {
	Topic string `json:"topic"`
	From  uint32 `json:"from"`
	To    uint32 `json:"to"`
}

// Events is mailserver_subscribe("events"): push every mailserver client
// event (request completed or expired, gap found or filled) as an Event
// notification (mailserver_subscription) as it happens, over WebSocket or
// IPC. It ends with mailserver_unsubscribe, when the connection closes or
// when the node stops. Events that do not fit a slow client's queue are
// dropped, never blocking the node.
//
// Notification: Event
//
// Example: Watch history requests
//
//	params: []
//	result: {"type":"mailserver.request.completed","event":{"requestID":"0x6f1c…","lastEnvelopeHash":"0x0e5a…","cursor":"","errorMessage":""}}
func (a *API) Events(ctx context.Context) (*rpc.Subscription, error) {
	notifier, ok := rpc.NotifierFromContext(ctx)
	if !ok {
		return nil, rpc.ErrNotificationsUnsupported
	}
	sub := notifier.CreateSubscription()
	csub := a.s.c.Subscribe(256)
	if !a.s.spawn(func() { forward(a.s.ctx, notifier, sub, csub) }) {
		csub.Unsubscribe()
		return nil, rpcError(errClosed)
	}
	return sub, nil
}

// forward is one events subscription's goroutine: it ends when the client
// unsubscribes or leaves, the mail client stops, or ctx (Service.Close)
// ends.
func forward(ctx context.Context, n *rpc.Notifier, sub *rpc.Subscription, csub *mailserver.Subscription) {
	defer csub.Unsubscribe()
	for {
		select {
		case e, ok := <-csub.C():
			if !ok {
				return
			}
			if ev := toEvent(e); ev != nil && n.Notify(sub.ID, ev) != nil {
				return
			}
		case <-sub.Err():
			return
		case <-ctx.Done():
			return
		}
	}
}

// toEvent converts a client event; nil for kinds this API does not know.
func toEvent(e mailserver.Event) *Event {
	switch e.Kind {
	case mailserver.EventRequestCompleted:
		ev := RequestCompletedEvent{RequestID: e.RequestID.Hex(), LastEnvelopeHash: common.Hash{}.Hex(), Envelopes: e.Envelopes}
		if c := e.Completion; c != nil {
			ev.LastEnvelopeHash, ev.Cursor, ev.ErrorMessage = c.LastEnvelopeHash.Hex(), cursorHex(c.Cursor), c.Error
		}
		return &Event{EventRequestCompleted, ev}
	case mailserver.EventRequestExpired:
		return &Event{EventRequestExpired, RequestExpiredEvent{Hash: e.RequestID.Hex()}}
	case mailserver.EventGapFound, mailserver.EventGapFilled:
		t := EventGapFound
		if e.Kind == mailserver.EventGapFilled {
			t = EventGapFilled
		}
		return &Event{t, GapEvent{Topic: e.Topic.String(), From: e.Range.From, To: e.Range.To}}
	}
	return nil
}
