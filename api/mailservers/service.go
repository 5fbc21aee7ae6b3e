package mailservers

import (
	"context"
	"time"

	store "github.com/statusnode/statusd/storage/mailservers"
)

// Store keeps the namespace's records (*storage/mailservers.Store in the
// node; a fake in tests). Implementations must be safe for concurrent use.
// Lists are in ID, topic or chat-ID order, nil when empty, and belong to
// the caller. A record refused for its content is an error wrapping
// store.ErrInvalid.
type Store interface {
	AddMailserver(m store.Mailserver) error
	Mailservers() ([]store.Mailserver, error)
	DeleteMailserver(id string) error

	AddGaps(gaps []store.Gap) error
	Gaps(chatID string) ([]store.Gap, error)
	DeleteGaps(ids []string) error
	DeleteChatGaps(chatID string) error

	AddTopic(t store.Topic) error
	Topics() ([]store.Topic, error)
	DeleteTopic(topic string) error

	AddRange(r store.Range) error
	Ranges() ([]store.Range, error)
	DeleteRange(chatID string) error
}

var _ Store = (*store.Store)(nil)

// Pinger checks that a TCP connection to addr ("ip:port") opens within
// timeout, and returns how long that took. It is called concurrently, once
// per address of a mailservers_ping, and must return once timeout has
// passed or ctx ended. Its error is shown to the frontend as is.
type Pinger interface {
	Ping(ctx context.Context, addr string, timeout time.Duration) (time.Duration, error)
}

// Service owns the namespace. Register API() under "mailservers". It
// keeps no state of its own and starts no goroutine outside a call.
type Service struct {
	st   Store
	ping Pinger
}

// New returns the namespace over st, checking mailservers with ping.
func New(st Store, ping Pinger) *Service { return &Service{st: st, ping: ping} }

// API is the value to register under "mailservers".
func (s *Service) API() *API { return &API{s: s} }

// API is the "mailservers" namespace of status-go v0.35.1. Every exported
// method is a JSON-RPC method mailservers_<lowerCamelName>; all are safe
// for concurrent use and, but ping, answer from the store without waiting
// on the network.
type API struct{ s *Service }
