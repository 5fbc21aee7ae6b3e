package messenger

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/lib/eventbus"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
	"github.com/statusnode/statusd/storage/sessions"
)

type runState uint8

const (
	stateNew runState = iota
	stateRunning
	stateStopped
)

// Messenger is the application layer of one installation: chats, messages,
// contacts, installations, delivery states and the event bus, over a
// Transport, the encryption layer and MVDS.
//
// Concurrency. The public methods are safe for concurrent use. One mutex
// (mu) owns the messenger state (chats, contacts, groups, filters) and
// serialises every change to it and to the message store; it is held by
// API calls and by the receive goroutine while it handles one message.
// Delivery records have their own leaf lock (deliveries.mu), because the
// MVDS driver goroutine updates them from Transport sends. Lock order:
// mu → deliveries.mu; nothing is called with deliveries.mu held. mu may be
// held while calling the MVDS driver: the driver goroutine never takes mu.
//
// Goroutines (all started by Start, all ended by Stop): one receive loop,
// one envelope-event loop, and the MVDS driver's goroutine. Received
// messages arrive through the Sinks (inbound.go) on the Transport's own
// delivering goroutine.
type Messenger struct {
	cfg      Config
	self     *ecdsa.PublicKey
	selfHex  string
	selfPeer mvds.PeerID
	tr       Transport
	db       storage.KV
	st       *store
	bus      *eventbus.Bus[Event]
	cnt      *counters
	dl       *deliveries
	keys     *keyCache
	posted   *recentHashes
	rand     io.Reader
	log      *zap.Logger

	enc *encryption.Manager // set by Start
	ds  *datasync.Driver    // set by Start

	mu       sync.Mutex
	state    runState
	chats    map[string]*Chat                      // guarded by mu
	contacts map[string]*Contact                   // guarded by mu
	groups   map[string][]message.MembershipUpdate // guarded by mu
	filters  map[string]Subscription               // guarded by mu
	peers    map[string]bool                       // MVDS peers added; guarded by mu

	in   *inboundQueue
	quit chan struct{} // closed by Stop

	hooks    testHooks // fault injection; zero outside tests
	wg       sync.WaitGroup
	stopOnce sync.Once
	stopErr  error
}

// testHooks are fault-injection points for tests (export_test.go); they
// are set before Start and read only by the receive goroutine.
type testHooks struct {
	// crashBeforeStore is asked before an MVDS delivery is stored; true
	// makes the receive goroutine abandon it unconfirmed, as a process
	// killed at that point would.
	crashBeforeStore func(id mvds.MessageID) bool
	// beforeBatch runs on the receive goroutine before each batch it takes
	// from the inbound queue (tests hold it there to fill the queue).
	beforeBatch func()
}

// New returns a messenger over db (the node's database; the messenger uses
// the tables "messenger", "encryption" and "mvds" in it) and tr. It does not
// touch db or tr until Start. The caller owns db and closes it after Stop.
func New(cfg Config, db storage.KV, tr Transport) (*Messenger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	self := &cfg.Identity.PublicKey
	peer, err := mvds.ParsePeerID(crypto.FromECDSAPub(self))
	if err != nil {
		return nil, fmt.Errorf("%w: identity: %w", ErrInvalidConfig, err)
	}
	log := cfg.Logger.Named("messenger")
	m := &Messenger{
		cfg: cfg, self: self, selfHex: message.PubKeyHex(self), selfPeer: peer,
		tr: tr, db: db, st: newStore(storage.NewTable(db, TableName)),
		bus: eventbus.New[Event](256), cnt: newCounters(cfg.Metrics, log), keys: newKeyCache(),
		posted: newRecentHashes(4096), rand: &lockedReader{r: cfg.Rand}, log: log,
		chats: make(map[string]*Chat), contacts: make(map[string]*Contact),
		groups: make(map[string][]message.MembershipUpdate), filters: make(map[string]Subscription),
		peers: make(map[string]bool), quit: make(chan struct{}),
	}
	m.in = newInboundQueue(cfg.InboundBuffer, m.quit, cfg.Metrics)
	m.dl = newDeliveries(m.st, m.bus, cfg.Now, log)
	return m, nil
}

// Start opens the encryption and MVDS state, loads chats, contacts and
// groups, starts the MVDS driver and the receive goroutines, subscribes to
// every topic of §4.3 (own partitioned, discovery and personal topics, own
// and contacts' contact-code topics, negotiated topics, joined public
// chats), hands MVDS the direct messages a crash left stored but not
// appended (outbox.go) and publishes our bundle on our contact-code topic. On error
// everything started is stopped again; the messenger is then stopped.
func (m *Messenger) Start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch m.state {
	case stateRunning:
		return ErrStarted
	case stateStopped:
		return ErrStopped
	}
	if err := m.open(); err != nil {
		m.state = stateStopped
		return err
	}
	m.state = stateRunning
	m.wg.Add(2)
	go m.receiveLoop()
	go m.envelopeLoop()
	if err := m.subscribeAllLocked(); err != nil {
		m.mu.Unlock()
		m.Stop()
		m.mu.Lock()
		return err
	}
	m.resendOutboxLocked(context.Background())
	if err := m.publishBundleLocked(); err != nil {
		m.log.Warn("publish bundle", zap.Error(err))
	}
	m.log.Info("started", zap.String("installation", m.enc.InstallationID()), zap.Int("chats", len(m.chats)))
	return nil
}

// open brings the messenger table to the current record format, builds the
// encryption manager and the MVDS driver and loads state.
func (m *Messenger) open() error {
	if err := m.st.migrate(); err != nil {
		return err
	}
	begin := time.Now()
	sst, err := sessions.Open(m.db, m.cfg.StorePassword, sessions.Options{KDFIterations: m.cfg.KDFIterations})
	if err != nil {
		return fmt.Errorf("%w: sessions: %w", ErrStore, err)
	}
	// Almost all of this is PBKDF2 deriving the at-rest key from the
	// password; start-up measurements report it with the keystore's.
	m.log.Info("session store unlocked", zap.Duration("kdf", time.Since(begin)))
	inst, err := m.installationID()
	if err != nil {
		return err
	}
	if m.enc, err = encryption.NewManager(encryption.Config{Identity: m.cfg.Identity, InstallationID: inst}, sst); err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	dcfg := datasync.DefaultConfig(m.selfPeer)
	dcfg.TickInterval = m.cfg.DataSyncTick
	dcfg.Node.MaxBackoff = m.cfg.DataSyncMaxBackoff
	dcfg.ConfirmDeliveries = true // receiveDelivered confirms once stored
	dstore := datasyncstore.New(storage.NewTable(m.db, datasyncstore.TableName))
	m.ds, err = datasync.New(dcfg, dstore, mvdsTransport{m}, m.onDelivery,
		datasync.WithAckFunc(m.onAcks), datasync.WithClock(m.cfg.DataSyncClock), datasync.WithLogger(m.cfg.Logger))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDataSync, err)
	}
	if err := m.loadLocked(); err != nil {
		return err
	}
	if err := m.ds.Start(); err != nil {
		return fmt.Errorf("%w: start: %w", ErrDataSync, err)
	}
	return nil
}

// installationID returns the configured, stored or a new installation ID,
// persisting it so that a restart keeps the same device.
func (m *Messenger) installationID() (string, error) {
	stored, ok, err := m.st.meta(metaInstallation)
	if err != nil {
		return "", err
	}
	id := m.cfg.InstallationID
	switch {
	case id == "" && ok:
		return string(stored), nil
	case id == "":
		if id, err = encryption.NewInstallationID(m.rand); err != nil {
			return "", fmt.Errorf("%w: %w", ErrEncryption, err)
		}
	case ok && string(stored) == id:
		return id, nil
	}
	var b storage.Batch
	b.Put(key(pfxMeta, []byte(metaInstallation)), []byte(id))
	return id, m.st.write(&b)
}

// loadLocked reads chats, contacts and groups into memory.
func (m *Messenger) loadLocked() error {
	chats, err := m.st.chats()
	if err != nil {
		return err
	}
	for _, c := range chats {
		m.chats[c.ID] = c
	}
	contacts, err := m.st.contacts()
	if err != nil {
		return err
	}
	for _, c := range contacts {
		m.contacts[c.ID] = c
	}
	return iterateJSON(m.st, []byte{pfxGroup}, func(g *storedGroup) error {
		m.groups[g.ChatID] = g.Updates
		return nil
	})
}

// Stop unsubscribes from the Transport, ends every goroutine the messenger
// started (waiting for them), stops the MVDS driver and closes every event
// subscription. It is idempotent (concurrent calls all wait for the first)
// and safe to call before Start. A stopped messenger cannot be started
// again: build a new one over the same database. The database stays open
// (the caller owns it).
func (m *Messenger) Stop() error {
	m.stopOnce.Do(func() { m.stopErr = m.stop() })
	return m.stopErr
}

func (m *Messenger) stop() error {
	m.mu.Lock()
	wasRunning := m.state == stateRunning
	m.state = stateStopped
	subs := m.filters
	m.filters = make(map[string]Subscription)
	m.mu.Unlock()
	close(m.quit)
	for _, s := range subs {
		s.Unsubscribe()
	}
	m.wg.Wait()
	var err error
	if m.ds != nil {
		err = m.ds.Stop()
	}
	m.bus.Close()
	if wasRunning {
		m.log.Info("stopped")
	}
	return err
}

// running reports whether API calls may proceed; callers hold mu.
func (m *Messenger) runningLocked() error {
	switch m.state {
	case stateNew:
		return ErrNotStarted
	case stateStopped:
		return ErrStopped
	}
	return nil
}

// Subscribe returns a subscription to the event bus with a channel of the
// given capacity (0: 256). Events published while the channel is full are
// lost for that subscriber and counted (EventSubscription.Dropped).
func (m *Messenger) Subscribe(capacity int) *EventSubscription { return m.bus.Subscribe(capacity) }

// PublicKey returns our identity as 0x04… hex.
func (m *Messenger) PublicKey() string { return m.selfHex }

// InstallationID returns this device's installation ID (after Start).
func (m *Messenger) InstallationID() string {
	if m.enc == nil {
		return ""
	}
	return m.enc.InstallationID()
}

// Dropped returns how many received payloads were not shown, by reason
// (message.Rule names such as "transit", "signature", "text-too-long",
// "duplicate", and the Reason… constants and "decrypt-…" labels).
func (m *Messenger) Dropped() map[string]uint64 { return m.cnt.snapshot() }
