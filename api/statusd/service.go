package statusd

import (
	"context"
	"sync"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/transport/whisper"
)

// Messenger is what the namespace needs from the messenger (in the node,
// *messenger.Messenger with its Groups() and Pairing() parts flattened in
// by internal/node's messengerAPI; a fake in tests). Implementations must
// be safe for concurrent use: RPC calls arrive on many goroutines. Methods
// taking a context may block until the message is stored and handed to the
// transport, never on the network. Errors wrap the messenger's sentinels
// (messenger.ErrChatNotFound, …), which the namespace maps to JSON-RPC
// codes. Returned values belong to the caller.
type Messenger interface {
	ChatKey() string
	InstallationID() string
	ContactCode() ([]byte, error)

	JoinPublic(name string) (*messenger.Chat, error)
	LeavePublic(name string) error
	StartOneToOne(pubKey string) (*messenger.Chat, error)
	CreateGroup(ctx context.Context, name string, members []string) (*messenger.Chat, error)
	AddMembers(ctx context.Context, chatID string, members ...string) (*messenger.Chat, error)
	RemoveMember(ctx context.Context, chatID, member string) (*messenger.Chat, error)
	MakeAdmin(ctx context.Context, chatID, member string) (*messenger.Chat, error)
	Rename(ctx context.Context, chatID, name string) (*messenger.Chat, error)
	LeaveGroup(ctx context.Context, chatID string) (*messenger.Chat, error)
	JoinGroup(ctx context.Context, chatID string) (*messenger.Chat, error)
	DeclineGroup(ctx context.Context, chatID string) (*messenger.Chat, error)
	Chats() []*messenger.Chat
	Chat(id string) (*messenger.Chat, error)

	Send(ctx context.Context, chatID string, d messenger.Draft) (string, error)
	Messages(chatID, cursor string, limit int) (*messenger.Page, error)
	Message(id string) (*messenger.Message, error)
	DeliveryState(id string) (*messenger.Delivery, error)

	SaveContact(ctx context.Context, pubKey, name string) (*messenger.Contact, error)
	RequestContact(ctx context.Context, pubKey string) (*messenger.Contact, error)
	AcceptContact(ctx context.Context, pubKey string) (*messenger.Contact, error)
	BlockContact(pubKey string) (*messenger.Contact, error)
	Contacts() []*messenger.Contact
	Profile() messenger.Profile
	SetProfile(ctx context.Context, name, image string) (messenger.Profile, error)

	Installations() ([]messenger.Installation, error)
	EnableInstallation(id string) error
	SendPairInstallation(ctx context.Context) error
	SyncDevices(ctx context.Context) error
	PublishBundle() error

	// Subscribe returns a subscription to the messenger's events; the
	// caller unsubscribes. Its channel closes when the messenger stops.
	Subscribe(capacity int) *messenger.EventSubscription
}

// Router is what the namespace needs from the Whisper router
// (*whisper.Whisper in the node; a fake in tests): the peer count and the
// peer events. Both must be safe for concurrent use and never block.
type Router interface {
	PeerCount() int
	// SubscribeEvents returns a subscription to the router's events; the
	// caller unsubscribes. Its channel closes when the router stops.
	SubscribeEvents(capacity int) *whisper.EventSubscription
}

var (
	_ Router = (*whisper.Whisper)(nil)
)

// Service owns the namespace and its subscription goroutines. Register
// API() under "statusd"; call Close after the RPC server has stopped.
type Service struct {
	m      Messenger
	w      Router
	health func() error // nil: always healthy (WithHealth)
	names  *names       // alias and identicon per chat key

	mu     sync.Mutex // guards closed and wg.Add
	closed bool
	quit   chan struct{}
	wg     sync.WaitGroup // subscription goroutines
}

// New returns the namespace over a started messenger and the router it
// uses (for the peer count and the peer events).
func New(m Messenger, w Router) *Service {
	return &Service{m: m, w: w, names: newNames(), quit: make(chan struct{})}
}

// WithHealth sets the check statusd_health reports: nil while the node can
// store what it sends and receives, else why not (e.g. node.Node.Health).
// It must be called before the API is registered.
func (s *Service) WithHealth(check func() error) *Service {
	s.health = check
	return s
}

// API is the value to register under "statusd".
func (s *Service) API() *API { return &API{s: s} }

// Close ends every subscription and waits for their goroutines.
// Idempotent.
func (s *Service) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.quit)
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// API is the "statusd" namespace: a friendlier API over the messenger for
// scripts and new frontends. Results are the namespace's own types
// (types.go, snake_case JSON), converted from the messenger's. Every exported method is a JSON-RPC method
// statusd_<lowerCamelName>; all are safe for concurrent use.
type API struct{ s *Service }
