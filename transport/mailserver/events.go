package mailserver

import (
	"sync"

	"github.com/ethereum/go-ethereum/common"

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
// kinds; Completion for EventRequestCompleted; Topic and Range for the gap
// kinds.
type Event struct {
	Kind       EventKind
	RequestID  common.Hash
	Completion *msproto.Completion
	Topic      wproto.Topic
	Range      Range
}

// Subscription receives client events on a bounded channel; the client
// never blocks on it and drops what does not fit.
type Subscription struct {
	f  *fanout
	ch chan Event
}

// C is the event channel, closed by Unsubscribe or Client.Stop.
func (s *Subscription) C() <-chan Event { return s.ch }

// Unsubscribe stops delivery and closes C; idempotent.
func (s *Subscription) Unsubscribe() { s.f.remove(s) }

type fanout struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

func (f *fanout) subscribe(capacity int) *Subscription {
	s := &Subscription{f: f, ch: make(chan Event, max(capacity, 1))}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(s.ch)
		return s
	}
	if f.subs == nil {
		f.subs = make(map[*Subscription]struct{})
	}
	f.subs[s] = struct{}{}
	return s
}

func (f *fanout) remove(s *Subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[s]; ok {
		delete(f.subs, s)
		close(s.ch)
	}
}

func (f *fanout) publish(ev Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		select {
		case s.ch <- ev:
		default:
		}
	}
}

func (f *fanout) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		delete(f.subs, s)
		close(s.ch)
	}
}
