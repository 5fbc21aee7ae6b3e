package shhext

import (
	"context"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
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

	JoinPublic(name string) (*messenger.Chat, error)
	LeavePublic(name string) error
	StartOneToOne(pubKey string) (*messenger.Chat, error)
	Chats() []*messenger.Chat
	Chat(id string) (*messenger.Chat, error)
	GroupEvents(chatID string) []messenger.GroupEvent
	DeleteChat(id string) error

	Send(ctx context.Context, chatID string, d messenger.Draft) (string, error)
	Messages(chatID, cursor string, limit int) (*messenger.Page, error)
	Message(id string) (*messenger.Message, error)
	SaveMessages(msgs []*messenger.Message) error
	SetOutgoingStatus(id, status string) error
	DeleteMessage(id string) error
	MarkSeen(ids ...string) error

	SetContact(pubKey, name string, added bool) (*messenger.Contact, error)
	BlockContact(pubKey string) (*messenger.Contact, error)
	Contacts() []*messenger.Contact
	SendContactMessage(ctx context.Context, pubKey string, payload []byte) (string, error)

	Installations() ([]messenger.Installation, error)
	EnableInstallation(id string) error
	DisableInstallation(id string) error
	SetInstallationMetadata(id string, md encryption.InstallationMetadata) error

	// SendGroupUpdates is messenger.Groups.SendUpdates (send_group.go).
	SendGroupUpdates(ctx context.Context, p *message.MembershipUpdateMessage) (*messenger.Chat, string, error)

	// SendPairingMessage is messenger.Pairing.SendPayload (send_pairing.go).
	SendPairingMessage(ctx context.Context, payload []byte, dh bool) (string, error)
}

// SymKeys is the part of the Whisper key store (*whisper.KeyStore) that
// shhext_loadFilters uses to hand out symKeyIds usable with shh_ methods.
type SymKeys interface {
	HasSymKey(id string) bool
	AddSymKeyFromPassword(password string) (string, error)
}

// Poster answers shhext_post (*shh.API: it is shh_post).
type Poster interface {
	Post(ctx context.Context, req shh.NewMessage) (hexutil.Bytes, error)
}

var (
	_ SymKeys = (*whisper.KeyStore)(nil)
	_ Poster  = (*shh.API)(nil)
)

// Service owns the namespace. Register ShhExt() under "shhext". Its only
// goroutines are one per signals subscription, ended by Close.
type Service struct {
	core *core
}

// core is the namespace's state.
type core struct {
	m    Messenger
	keys SymKeys
	post Poster
	syms symKeys // loadFilters' symKeyIds
	mail mailRef // shhext_requestMessages(Sync); see mailserver.go
	sig  signals // shhext_subscribe("signals"); see signals.go
	ens  ensRef  // shhext_verifyENSNames; see ens.go
}

// New returns the namespace over a started messenger, the router's key
// store (for the symKeyId of loadFilters) and the shh namespace (which
// answers shhext_post).
func New(m Messenger, keys SymKeys, post Poster) *Service {
	return &Service{core: &core{m: m, keys: keys, post: post, sig: signals{quit: make(chan struct{})}}}
}

// Close ends every signals subscription and waits for their goroutines;
// later subscriptions fail with -32000. Call it after the RPC server
// stopped. It is idempotent.
func (s *Service) Close() error {
	s.core.sig.close()
	return nil
}

// ShhExt is the value to register under "shhext".
func (s *Service) ShhExt() *ShhExtAPI { return &ShhExtAPI{c: s.core} }

// ShhExtAPI is the "shhext" namespace (docs/PROTOCOL.md §7.1–7.2). Every
// exported method is a JSON-RPC method shhext_<lowerCamelName>; all are
// safe for concurrent use. Sending methods block until the message is
// stored and handed to Whisper (public) or MVDS (1:1, group); none waits
// for the network.
type ShhExtAPI struct{ c *core }
