package node

import (
	"context"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/statusnode/statusd/api/shhext"
	"github.com/statusnode/statusd/api/statusd"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/whisperadapter"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// lightKDFIterations is the session-store PBKDF2 count with --lightkdf
// (tests); otherwise storage/sessions' default applies.
const lightKDFIterations = 1024

// startMessenger creates the messenger over the node's database and
// Whisper router, with the account key as its identity, and starts it
// before devp2p so that its filters (and the bloom they widen) are in place
// when the first peer connects. The adapter is pushed first so that, on
// the way down, the messenger stops before the adapter, the adapter before
// Whisper, and all of them before the database closes.
func (n *Node) startMessenger() error {
	tr := whisperadapter.New(n.whisper, n.account.PrivateKey, whisperadapter.Config{Logger: n.log, Now: n.clock.Now,
		MailServerConfirmations: n.cfg.Mailserver.Confirmations, IsMailserver: n.isMailserver})
	if err := tr.Start(); err != nil {
		return err
	}
	n.stack.push("whisper adapter", tr.Stop)
	m, err := messenger.New(n.messengerConfig(), n.db, tr)
	if err != nil {
		return err
	}
	if err := m.Start(); err != nil {
		return err
	}
	n.messenger = m
	n.settled.Store(m)
	n.stack.push("messenger", m.Stop)
	return nil
}

// messengerConfig is the messenger's configuration from the node's.
func (n *Node) messengerConfig() messenger.Config {
	retainIDs, _ := time.ParseDuration(n.cfg.DataSync.RetainIDs) // checked by config.Validate
	cfg := messenger.Config{
		Identity:          n.account.PrivateKey,
		DataSyncRetainIDs: retainIDs,
		StorePassword:     []byte(n.opts.Password),
		Name:              "statusd",
		ENSName:           n.cfg.ENS.Name,
		Logger:            n.log,
		Metrics:           n.metrics,
		Now:               n.clock.Now,
	}
	if n.cfg.LightKDF {
		cfg.KDFIterations = lightKDFIterations
	}
	return cfg
}

// isMailserver reports whether peer is one of the mailserver client's
// mailservers ([mailserver] servers and the fleet's): with [mailserver]
// confirmations, only their acknowledgements make a message sent.
func (n *Node) isMailserver(peer enode.ID) bool {
	for _, ms := range n.mailclient.Mailservers() {
		if ms.ID() == peer {
			return true
		}
	}
	return false
}

// Messenger is the application layer; valid between Start and Stop.
func (n *Node) Messenger() *messenger.Messenger { return n.messenger }

// messengerAPI is the messenger as the shhext/statusd namespaces consume
// it: the coordinator's methods, plus the group and installation
// operations that live on its Groups() and Pairing() parts.
type messengerAPI struct{ *messenger.Messenger }

var (
	_ shhext.Messenger  = messengerAPI{}
	_ statusd.Messenger = messengerAPI{}
)

func (a messengerAPI) GroupEvents(chatID string) []messenger.GroupEvent {
	return a.Groups().Events(chatID)
}

func (a messengerAPI) CreateGroup(ctx context.Context, name string, members []string) (*messenger.Chat, error) {
	return a.Groups().CreateGroup(ctx, name, members)
}

func (a messengerAPI) AddMembers(ctx context.Context, chatID string, members ...string) (*messenger.Chat, error) {
	return a.Groups().AddMembers(ctx, chatID, members...)
}

func (a messengerAPI) RemoveMember(ctx context.Context, chatID, member string) (*messenger.Chat, error) {
	return a.Groups().RemoveMember(ctx, chatID, member)
}

func (a messengerAPI) JoinGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return a.Groups().JoinGroup(ctx, chatID)
}

func (a messengerAPI) DeclineGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return a.Groups().DeclineGroup(ctx, chatID)
}

func (a messengerAPI) SendGroupUpdates(ctx context.Context, p *message.MembershipUpdateMessage) (*messenger.Chat, string, error) {
	return a.Groups().SendUpdates(ctx, p)
}

func (a messengerAPI) MakeAdmin(ctx context.Context, chatID, member string) (*messenger.Chat, error) {
	return a.Groups().MakeAdmin(ctx, chatID, member)
}

func (a messengerAPI) Rename(ctx context.Context, chatID, name string) (*messenger.Chat, error) {
	return a.Groups().Rename(ctx, chatID, name)
}

func (a messengerAPI) LeaveGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return a.Groups().LeaveGroup(ctx, chatID)
}

func (a messengerAPI) Installations() ([]messenger.Installation, error) {
	return a.Pairing().Installations()
}

func (a messengerAPI) EnableInstallation(id string) error { return a.Pairing().EnableInstallation(id) }

func (a messengerAPI) DisableInstallation(id string) error {
	return a.Pairing().DisableInstallation(id)
}

func (a messengerAPI) SetInstallationMetadata(id string, md encryption.InstallationMetadata) error {
	return a.Pairing().SetInstallationMetadata(id, md)
}

func (a messengerAPI) SendPairInstallation(ctx context.Context) error {
	return a.Pairing().SendPairInstallation(ctx)
}

func (a messengerAPI) SendPairingMessage(ctx context.Context, payload []byte, dh bool) (string, error) {
	return a.Pairing().SendPayload(ctx, payload, dh)
}

func (a messengerAPI) SyncDevices(ctx context.Context) error { return a.Pairing().SyncDevices(ctx) }

func (a messengerAPI) PublishBundle() error { return a.Pairing().PublishBundle() }

func (a messengerAPI) ContactCode() ([]byte, error) { return a.Pairing().ContactCode() }
