package messenger

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/statusnode/statusd/storage/topickeys"
)

type runState uint8

const (
	stateNew runState = iota
	stateStarting
	stateRunning
	stateStopped
)

// Messenger is the application layer of one installation: a thin
// coordinator over parts that each own their state — the chat book (chat
// records and their messages), public chats, 1:1 chats (and the MVDS
// peers), Groups, contacts, Pairing (installations), the dispatcher
// (inbound path) and the delivery tracker — over a Transport, the
// encryption layer and MVDS. The API calls the exported methods here;
// group and installation operations are on Groups() and Pairing().
// Messenger keeps at most 31 exported methods (TestMessengerMethodBudget;
// test-only helpers in export_test.go aside):
// an operation beyond them belongs on the part that owns its state.
//
// Concurrency. Every exported method is safe for concurrent use. Each
// part guards its own state with its own mutex (or, for the dispatcher,
// its goroutine). The rule every part keeps: NO MUTEX IS HELD WHILE
// SENDING ON A CHANNEL OR WAITING FOR ANOTHER GOROUTINE — not while calling
// the MVDS driver (AddPeer, Append, Confirm), not while joining or leaving
// Transport subscriptions or posting, not while publishing events (they go
// out after the lock is released), not while pushing into the inbound
// queue. A locked section reads and writes its own maps and the store, and
// may take a leaf lock below it: the order is Groups.mu → chatBook.mu and
// deliveries.mu → chatBook.mu (a delivery state rewrites its message
// record, which the chat book owns) → pendingWrites.mu (its writes); the
// chat book (but for pendingWrites), contacts, profile, subscriptions,
// 1:1 peers, inbound queue, key cache and event bus locks are leaves. This is what lets the MVDS driver goroutine call back
// (Transport sends, deliveries, ACKs) while any API call or the receive
// goroutine waits for it.
//
// Goroutines (all started by Start, all ended by Stop): the receive
// goroutine (dispatcher.run), one envelope-event loop, the public re-post
// loop (publicChats.run), the bundle re-publication loop
// (Pairing.maintain), the contact-update loop (maintainContactUpdate),
// the loop writing again the delivery-path records whose write failed
// (pendingWrites.run), the loop syncing what Send stored (sendSync.run),
// the send workers (sendpool.go) and the MVDS driver's goroutine.
// Received messages arrive through the Sinks (inbound.go) on the
// Transport's own delivering goroutine.
type Messenger struct {
	c        *core
	db       storage.KV
	in       *inboundQueue
	chats    *chatBook
	subs     *subscriptions
	public   *publicChats
	direct   *directChats
	groups   *Groups
	contacts *contactBook
	profile  *profile
	pairing  *Pairing
	disp     *dispatcher
	sends    *sendPool        // runs Send's work (sendpool.go)
	driver   *datasync.Driver // set by Start; c.ds is the same driver

	mu        sync.Mutex
	state     runState      // guarded by mu
	startDone chan struct{} // closed when Start has finished (either way)
	quit      chan struct{} // closed by Stop
	wg        sync.WaitGroup
	stopOnce  sync.Once
	stopErr   error
}

// testHooks are fault-injection points for tests (export_test.go); they
// are set before Start and read only by the receive goroutine (but
// dataSyncStore, read by Start).
type testHooks struct {
	// crashBeforeStore is asked before an MVDS delivery is stored; true
	// makes the receive goroutine abandon it unconfirmed, as a process
	// killed at that point would.
	crashBeforeStore func(id mvds.MessageID) bool
	// crashBeforeResend is asked, with the peer's key (0x04…), after a
	// bundle showed new installations of the peer and before what we sent
	// the peer recently goes to them; true skips the resend, as a process
	// killed at that point would.
	crashBeforeResend func(peer string) bool
	// resendFault is asked, with the peer's key (0x04…), before what we
	// sent the peer recently goes to its new installations; an error
	// fails that resend as a failed store read would.
	resendFault func(peer string) error
	// beforeBatch runs on the receive goroutine before each batch it takes
	// from the inbound queue (tests hold it there to fill the queue).
	beforeBatch func()
	// receiving runs on the receive goroutine once it tried the resends
	// the last run left pending, before it waits for the first batch
	// (tests that inject store faults wait for it, so that the start's
	// own reads do not meet them).
	receiving func()
	// crashAfterPublicWrite is asked after the pending public messages of
	// a batch were written and before their events are published; true
	// abandons the events, as a process killed at that point would.
	crashAfterPublicWrite func() bool
	// retryClock, when set, times the receive goroutine's retries after
	// a store failure (storefail.go) instead of the wall clock.
	retryClock datasync.Clock
	// dataSyncStore, when set, wraps the MVDS driver's store (read by
	// open, before the driver starts).
	dataSyncStore func(datasync.Store) datasync.Store
	// sessionStore, when set, wraps the encryption layer's store (read by
	// open, before the manager is built).
	sessionStore func(encryption.Store) encryption.Store
}

// New returns a messenger over db (the node's database; the messenger uses
// the tables "messenger", "encryption", "mvds" and "topickeys" in it) and tr. It does not
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
	st := newStore(storage.NewTable(db, TableName))
	bus := eventbus.New[Event](256)
	pend := newPendingWrites(st, bus, log)
	c := &core{cfg: cfg, self: self, selfHex: message.PubKeyHex(self), selfPeer: peer, tr: tr, st: st, pend: pend, sendSync: newSendSync(st.kv, log),
		bus: bus, cnt: newCounters(cfg.Metrics, log), dl: newDeliveries(st, pend, bus, cfg.Now, log), forms: newPeerForms(st, pend, log),
		keys: newKeyCache(topickeys.New(storage.NewTable(db, topickeys.TableName)), log), posted: newRecentHashes(4096), rand: &lockedReader{r: cfg.Rand}, log: log}
	m := &Messenger{c: c, db: db, sends: newSendPool(), quit: make(chan struct{}), startDone: make(chan struct{})}
	m.in = newInboundQueue(cfg.InboundBuffer, m.quit, cfg.Metrics)
	m.chats = newChatBook(c)
	c.dl.messages = &m.chats.mu // message records: one writer at a time
	if cfg.Metrics != nil {
		c.dl.dropped = cfg.Metrics.Counter("statusd_messenger_delivery_inputs_dropped_total",
			"Delivery inputs (ACKs, envelope events, expiries) held by failed store reads and dropped at the bound.")
	}
	pend.messages = &m.chats.mu
	m.subs = newSubscriptions(c, m.in)
	m.contacts = newContactBook(c)
	m.profile = newProfile(c)
	m.public = newPublicChats(c, m.chats, m.subs)
	c.dl.retry = m.public.requeue
	m.direct = newDirectChats(c, m.chats, m.subs)
	c.dl.nonACK = m.direct.nonACK
	m.groups = &Groups{c: c, chats: m.chats, direct: m.direct, running: m.running,
		updates: make(map[string][]message.MembershipUpdate)}
	m.pairing = &Pairing{c: c, chats: m.chats, contacts: m.contacts, public: m.public, running: m.running}
	m.disp = &dispatcher{c: c, in: m.in, subs: m.subs, chats: m.chats, public: m.public, direct: m.direct,
		groups: m.groups, contacts: m.contacts, pairing: m.pairing, retries: newRetries()}
	m.groups.standingChanged = m.disp.retries.request
	return m, nil
}

// Start opens the encryption and MVDS state, loads chats, contacts and
// groups, starts the MVDS driver and the receive goroutines, subscribes to
// every topic of §4.3 (own partitioned, discovery and personal topics, own
// and contacts' contact-code topics, negotiated topics, joined public
// chats), has the direct messages a crash left stored but not appended
// (outbox.go) appended in the background, without waiting for them (the
// driver may be waiting out a store failure), and publishes our bundle on
// our contact-code topic. On error everything started is stopped again;
// the messenger is then stopped. Start holds no lock while it waits for
// the driver.
func (m *Messenger) Start() error {
	m.mu.Lock()
	switch m.state {
	case stateStarting, stateRunning:
		m.mu.Unlock()
		return ErrStarted
	case stateStopped:
		m.mu.Unlock()
		return ErrStopped
	}
	m.state = stateStarting
	m.mu.Unlock()
	// Our own symmetric topics' keys derive while open unlocks the session
	// store (both are PBKDF2; on two cores they overlap).
	m.c.keys.prefetch(&m.wg, m.subs.ownSymNames()...)
	err := m.open()
	if err == nil {
		m.wg.Add(8)
		go func() { defer m.wg.Done(); m.c.pend.run(m.quit) }()
		go func() { defer m.wg.Done(); m.c.sendSync.run(m.quit) }()
		go func() { defer m.wg.Done(); m.disp.run(m.quit) }()
		go func() { defer m.wg.Done(); m.direct.resendUnsent(m.quit) }()
		go func() { defer m.wg.Done(); m.maintainContactUpdate(m.quit) }()
		go func() { defer m.wg.Done(); m.pairing.maintain(m.quit) }()
		go func() { defer m.wg.Done(); m.c.dl.run(m.c.tr.EnvelopeEvents(), m.quit) }()
		go func() { defer m.wg.Done(); m.public.run(m.quit) }()
		m.sends.start(&m.wg, m.quit)
		m.mu.Lock()
		if m.state == stateStarting {
			m.state = stateRunning
		} else {
			err = ErrStopped // Stop came first; it waits for startDone
		}
		m.mu.Unlock()
	}
	if err == nil {
		err = m.subscribeAll()
	}
	close(m.startDone)
	if err != nil {
		m.Stop()
		return err
	}
	m.direct.resendOutbox()
	if err := m.pairing.publishBundle(); err != nil {
		m.c.log.Warn("publish bundle", zap.Error(err))
	}
	m.c.log.Info("started", zap.String("installation", m.c.enc.InstallationID()), zap.Int("chats", len(m.chats.all())))
	return nil
}

// open brings the messenger table to the current record format, builds the
// encryption manager and the MVDS driver and loads state.
func (m *Messenger) open() error {
	c := m.c
	if err := c.st.migrate(); err != nil {
		return err
	}
	lost, err := sessionsLost(m.db)
	if err != nil {
		return err
	}
	begin := time.Now()
	sst, err := sessions.Open(m.db, c.cfg.StorePassword, sessions.Options{KDFIterations: c.cfg.KDFIterations})
	if err != nil {
		return fmt.Errorf("%w: sessions: %w", ErrStore, err)
	}
	// Almost all of this is PBKDF2 deriving the at-rest key from the
	// password; start-up measurements report it with the keystore's.
	c.log.Info("session store unlocked", zap.Duration("kdf", time.Since(begin)))
	inst, err := c.installationID(lost)
	if err != nil {
		return err
	}
	var est encryption.Store = sst
	if wrap := m.disp.hooks.sessionStore; wrap != nil {
		est = wrap(est)
	}
	if c.enc, err = encryption.NewManager(encryption.Config{Identity: c.cfg.Identity, InstallationID: inst}, est); err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	dcfg := datasync.DefaultConfig(c.selfPeer)
	dcfg.TickInterval = c.cfg.DataSyncTick
	dcfg.Node.MaxBackoff = c.cfg.DataSyncMaxBackoff
	dcfg.Node.InitialBackoff = firstRetryTicks(c.cfg.DataSyncFirstRetry, c.cfg.DataSyncTick, c.cfg.DataSyncMaxBackoff)
	dcfg.AdaptiveBackoff = !c.cfg.DataSyncFixedRetry
	dcfg.ConfirmDeliveries = true   // the dispatcher confirms once stored
	dcfg.FlushIdle = true           // a lone message leaves at once, not FlushDelay later
	dcfg.RetainAcked = resendWindow // resendToNew reads Recent over it
	dcfg.RetainAckedMax = resendMax // and takes at most that many
	dcfg.RetainReleased = c.cfg.DataSyncRetainIDs
	dstore := datasyncstore.New(storage.NewTable(m.db, datasyncstore.TableName))
	if _, err := dstore.Migrate(c.cfg.DataSyncClock.Now()); err != nil {
		return fmt.Errorf("%w: %w", ErrDataSync, err)
	}
	var dst datasync.Store = dstore
	if wrap := m.disp.hooks.dataSyncStore; wrap != nil {
		dst = wrap(dstore)
	}
	drv, err := datasync.New(dcfg, dst, mvdsTransport{c}, m.disp.onDelivery,
		datasync.WithAckFunc(m.disp.onAcks), datasync.WithClock(c.cfg.DataSyncClock), datasync.WithLogger(c.cfg.Logger),
		datasync.WithStoreNotify(func(n datasync.StoreNotice) {
			c.onDataSyncStore(n)
			if n.Err == nil {
				m.direct.wakeUnsent() // appends that failed during the spell
			}
		}))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDataSync, err)
	}
	m.driver, c.ds = drv, drv
	for _, load := range []func() error{m.chats.load, m.contacts.load, m.profile.load, m.groups.load, c.forms.load} {
		if err := load(); err != nil {
			return err
		}
	}
	if err := drv.Start(); err != nil {
		return fmt.Errorf("%w: start: %w", ErrDataSync, err)
	}
	return m.direct.loadProtocols(context.Background())
}

// subscribeAll joins every topic we listen on (§4.3).
func (m *Messenger) subscribeAll() error {
	m.c.keys.prefetch(&m.wg, m.symNames()...)
	if err := m.subs.joinStored(); err != nil {
		return err
	}
	for _, ch := range m.chats.all() {
		var err error
		switch {
		case !ch.Active:
		case ch.Type == ChatPublic:
			err = m.subs.joinPublic(ch.Name)
		case ch.Type == ChatOneToOne:
			err = m.direct.listen(ch)
		}
		if err != nil {
			return err
		}
	}
	for _, ct := range m.contacts.list() {
		if ct.Added && !ct.Blocked {
			if pub, err := parsePubKey(ct.ID); err == nil {
				if err := m.subs.joinContactCode(pub); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// symNames lists the names of the symmetric topics subscribeAll joins
// besides our own: active public chats, and 1:1 peers' and added contacts'
// contact-code and negotiated topics.
func (m *Messenger) symNames() []string {
	var names []string
	peer := func(id string) {
		if pub, err := parsePubKey(id); err == nil {
			names = append(names, m.subs.peerSymNames(pub)...)
		}
	}
	for _, ch := range m.chats.all() {
		switch {
		case !ch.Active:
		case ch.Type == ChatPublic:
			names = append(names, ch.Name)
		case ch.Type == ChatOneToOne:
			peer(ch.ID)
		}
	}
	for _, ct := range m.contacts.list() {
		if ct.Added && !ct.Blocked {
			peer(ct.ID)
		}
	}
	return names
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

// Settle returns once every message the Transport handed to a Sink
// before the call has been handled — stored with its event published, or
// dropped and counted — and what was stored is written: the public
// messages of a drained batch by their common write, 1:1 and group
// messages persisted by the MVDS driver (kept pending until stored, and
// delivered again after a crash), the copies from our own devices stored.
// The mailserver client waits on it, after the router's delivery
// (whisper.Whisper.Settle), before it records envelopes as seen or a time
// range as covered, so that a process killed in between loses nothing it
// would not fetch again. While store writes fail, messages are held
// unwritten (storefail.go) and Settle does not return. A Sink call still
// waiting for room in the inbound queue is not waited for: wait for the
// Transport's delivery first. It
// returns ctx's error when ctx ends first, ErrNotStarted before Start and
// ErrStopped when the messenger stops with messages unhandled; the caller
// then must not record them. Any goroutine may call it but a Sink's, the
// MVDS driver's or the receive goroutine's (it waits for them).
//
// Settle is on the coordinator, not on a part, because it spans three of
// them: the inbound queue, the receive goroutine and the MVDS driver.
func (m *Messenger) Settle(ctx context.Context) error {
	if err := m.running(); err != nil {
		return err
	}
	if err := m.in.settle(ctx); err != nil {
		return err
	}
	// What the receive goroutine handed the driver is persisted by the
	// driver's next cycle, which also queues what it delivers (copies
	// included) for the receive goroutine.
	if err := m.driver.Sync(ctx); err != nil {
		return fmt.Errorf("messenger: settle: %w", err)
	}
	return m.in.settle(ctx)
}

func (m *Messenger) stop() error {
	m.mu.Lock()
	prev := m.state
	m.state = stateStopped
	m.mu.Unlock()
	if prev == stateStarting {
		<-m.startDone // Start finishes its set-up before it is undone
	}
	close(m.quit) // releases Sinks blocked on the inbound queue
	m.subs.closeAll()
	m.wg.Wait()
	var err error
	if m.driver != nil {
		err = m.driver.Stop()
	}
	m.c.bus.Close()
	if prev == stateRunning {
		m.c.log.Info("stopped")
	}
	return err
}

// running reports whether API calls may proceed.
func (m *Messenger) running() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch m.state {
	case stateNew, stateStarting:
		return ErrNotStarted
	case stateStopped:
		return ErrStopped
	}
	return nil
}

// firstRetryTicks converts Config.DataSyncFirstRetry into MVDS ticks:
// rounded up, at least 1, at most maxTicks.
func firstRetryTicks(wait, tick time.Duration, maxTicks uint64) uint64 {
	n := max(uint64((wait+tick-1)/tick), 1)
	return min(n, maxTicks)
}

// sessionsLost reports whether the session store in db is empty: a new
// database, or one whose encryption state was lost or wiped.
func sessionsLost(db storage.KV) (bool, error) {
	empty := true
	err := storage.NewTable(db, sessions.TableName).Iterate(nil, nil, func(_, _ []byte) error {
		empty = false
		return errStopIter
	})
	if err != nil && !errors.Is(err, errStopIter) {
		return false, fmt.Errorf("%w: sessions: %w", ErrStore, err)
	}
	return empty, nil
}

// quitContext returns a context cancelled when quit is closed or cancel is
// called, for a goroutine that runs until quit and passes a context to what
// it calls; the goroutine watching quit ends with either.
func quitContext(quit <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
