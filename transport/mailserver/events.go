package mailserver

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/lib/eventbus"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// EventKind says what a client Event reports. Append-only.
type EventKind uint8

const (
	// EventRequestCompleted: a completion (code 125) arrived for one page.
	EventRequestCompleted EventKind = iota + 1
	// EventRequestExpired: no completion arrived within the timeout.
	EventRequestExpired
	// EventGapFound: a missing range of a topic is about to be requested.
	EventGapFound
	// EventGapFilled: a missing range of a topic was fetched completely.
	EventGapFilled
)

var eventNames = [...]string{
	EventRequestCompleted: "mailserver.request.completed",
	EventRequestExpired:   "mailserver.request.expired",
	EventGapFound:         "mailserver.gap.found",
	EventGapFilled:        "mailserver.gap.filled",
}

// String is the event's name, as status-go signals are named (§7.3).
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "unknown"
}

// Event is one client notification. RequestID is set for the request
// kinds; Completion and Envelopes for EventRequestCompleted; Topic and
// Range for the gap kinds.
type Event struct {
	Kind       EventKind
	RequestID  common.Hash
	Completion *msproto.Completion
	// Envelopes is how many envelopes the mailserver delivered while the
	// page was pending (all of the page's, and any other request's to the
	// same mailserver at the same time).
	Envelopes int
	Topic     wproto.Topic
	Range     Range
}

// Subscription receives client events on a bounded channel; the client
// never blocks on it and drops what does not fit. C is closed by
// Unsubscribe or Client.Stop.
type Subscription = eventbus.Subscription[Event]
