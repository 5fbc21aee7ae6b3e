package messenger_test

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"fmt"
	"github.com/statusnode/statusd/internal/messenger"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/internal/messenger/transporttest"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// ignoreLevelDB: goleveldb's mpoolDrain goroutine lingers up to 1 s after
// Close by design (as internal/node/node_test.go does).
var ignoreLevelDB = goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, ignoreLevelDB) }

var t0 = time.Unix(1570000000, 0)

const wait = 10 * time.Second

// harness is a fake network shared by the messengers of one test.
type harness struct {
	t   *testing.T
	net *transporttest.Network
}

func newHarness(t *testing.T) *harness {
	net := transporttest.NewNetwork(t0)
	t.Cleanup(net.Close)
	return &harness{t: t, net: net}
}

// node is one messenger on the harness network.
type node struct {
	*messenger.Messenger
	key *ecdsa.PrivateKey
	ep  *transporttest.Endpoint
	db  storage.KV
}

type nodeOpt func(*messenger.Config)

// PublicKey is our chat key (ChatKey), the name the scenarios use.
func (n *node) PublicKey() string { return n.ChatKey() }

// SendText sends a text message (Send with a text Draft).
func (n *node) SendText(ctx context.Context, chatID, text string) (string, error) {
	return n.Send(ctx, chatID, messenger.Draft{Text: text})
}

func withInstallation(id string) nodeOpt { return func(c *messenger.Config) { c.InstallationID = id } }
func withName(n string) nodeOpt          { return func(c *messenger.Config) { c.Name = n } }

func (h *harness) config(key *ecdsa.PrivateKey, opts ...nodeOpt) messenger.Config {
	cfg := messenger.Config{Identity: key, StorePassword: []byte("pw"), KDFIterations: 1,
		DataSyncTick: 5 * time.Millisecond, DataSyncMaxBackoff: 8, Now: h.net.Now,
		Logger: zaptest.NewLogger(h.t)}
	for _, o := range opts {
		o(&cfg)
	}
	// Each node's lines carry its name (or installation) in the logger name.
	if label := cmp.Or(cfg.Name, cfg.InstallationID); label != "" {
		cfg.Logger = cfg.Logger.Named(label)
	}
	return cfg
}

// start runs a messenger for key over db on a new endpoint; it is stopped
// at cleanup.
func (h *harness) start(key *ecdsa.PrivateKey, db storage.KV, opts ...nodeOpt) *node {
	h.t.Helper()
	ep := h.net.Join(key)
	m, err := messenger.New(h.config(key, opts...), db, ep)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { m.Stop() })
	return &node{Messenger: m, key: key, ep: ep, db: db}
}

func (h *harness) newNode(opts ...nodeOpt) *node {
	return h.start(newKey(h.t), storage.NewMemory(), opts...)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openLevelDB(t *testing.T, dir string) *storage.LevelDB {
	db, err := storage.OpenLevelDB(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// texts returns a chat's message texts, oldest first.
func texts(t *testing.T, n *node, chatID string) []string {
	t.Helper()
	p, err := n.Messages(chatID, "", 1000)
	if err != nil {
		return nil
	}
	out := make([]string, len(p.Messages))
	for i, m := range p.Messages {
		out[len(out)-1-i] = m.Text
	}
	return out
}

func waitTexts(t *testing.T, n *node, chatID string, count int) []string {
	t.Helper()
	testutil.WaitFor(t, wait, fmt.Sprintf("%d messages in %.20s", count, chatID), func() bool {
		return len(texts(t, n, chatID)) >= count
	})
	return texts(t, n, chatID)
}

func waitDropped(t *testing.T, n *node, reason string, count uint64) {
	t.Helper()
	testutil.WaitFor(t, wait, fmt.Sprintf("%d drops for %s", count, reason), func() bool {
		return n.Dropped()[reason] >= count
	})
}

func mustJoin(t *testing.T, name string, ns ...*node) {
	t.Helper()
	for _, n := range ns {
		if _, err := n.JoinPublic(name); err != nil {
			t.Fatal(err)
		}
	}
}

// publicC4 builds a c4 public message (bare Transit bytes).
func publicC4(t *testing.T, chat, text string, clock int64) []byte {
	t.Helper()
	raw, err := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePublicGroup,
		Clock: clock, Timestamp: t0.UnixMilli(), Content: message.Content{ChatID: chat, Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func publicEnvelope(t *testing.T, chat string, payload []byte) messenger.Envelope {
	t.Helper()
	k, err := whisper.SymKeyFromPassword(chat)
	if err != nil {
		t.Fatal(err)
	}
	return messenger.Envelope{Topic: whisper.TopicFromName(chat), SymKey: &k, Payload: payload}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, wait, what, cond)
}

// The group and installation operations live on Messenger.Groups() and
// Messenger.Pairing(); these forwarders keep the scenarios readable.

func (n *node) CreateGroup(ctx context.Context, name string, members []string) (*messenger.Chat, error) {
	return n.Groups().CreateGroup(ctx, name, members)
}

func (n *node) AddMembers(ctx context.Context, chatID string, members ...string) (*messenger.Chat, error) {
	return n.Groups().AddMembers(ctx, chatID, members...)
}

func (n *node) RemoveMember(ctx context.Context, chatID, member string) (*messenger.Chat, error) {
	return n.Groups().RemoveMember(ctx, chatID, member)
}

func (n *node) MakeAdmin(ctx context.Context, chatID, member string) (*messenger.Chat, error) {
	return n.Groups().MakeAdmin(ctx, chatID, member)
}

func (n *node) JoinGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return n.Groups().JoinGroup(ctx, chatID)
}

func (n *node) DeclineGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return n.Groups().DeclineGroup(ctx, chatID)
}

func (n *node) LeaveGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return n.Groups().LeaveGroup(ctx, chatID)
}

func (n *node) Rename(ctx context.Context, chatID, name string) (*messenger.Chat, error) {
	return n.Groups().Rename(ctx, chatID, name)
}

func (n *node) Installations() ([]messenger.Installation, error) { return n.Pairing().Installations() }

func (n *node) EnableInstallation(id string) error { return n.Pairing().EnableInstallation(id) }

func (n *node) SendPairInstallation(ctx context.Context) error {
	return n.Pairing().SendPairInstallation(ctx)
}

func (n *node) SyncDevices(ctx context.Context) error { return n.Pairing().SyncDevices(ctx) }

func (n *node) PublishBundle() error { return n.Pairing().PublishBundle() }

func (n *node) DisableInstallation(id string) error { return n.Pairing().DisableInstallation(id) }
