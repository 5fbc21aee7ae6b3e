package messenger

import (
	"context"
	"crypto/ecdsa"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// StoreTextOnly stores a text message as SendText does but does not hand
// it to MVDS: the state a process killed inside SendText leaves behind.
func (m *Messenger) StoreTextOnly(chatID, text string) (string, error) {
	if err := m.running(); err != nil {
		return "", err
	}
	out, evs, err := m.chats.storeDraft(chatID, Draft{Text: text})
	if err != nil {
		return "", err
	}
	m.c.publish(evs...)
	return out.id, nil
}

// GroupHistory returns the membership updates the messenger holds for a
// group, in replay order.
func (m *Messenger) GroupHistory(chatID string) []message.MembershipUpdate {
	m.groups.mu.Lock()
	defer m.groups.mu.Unlock()
	return append([]message.MembershipUpdate(nil), m.groups.updates[chatID]...)
}

// NewWithCrashHook is New with a fault-injection hook: crash is asked
// before each MVDS delivery is stored, and true abandons the delivery
// unstored and unconfirmed, as a process killed at that point would.
func NewWithCrashHook(cfg Config, db storage.KV, tr Transport, crash func(id mvds.MessageID) bool) (*Messenger, error) {
	m, err := New(cfg, db, tr)
	if err != nil {
		return nil, err
	}
	m.disp.hooks.crashBeforeStore = crash
	return m, nil
}

// NewWithResendCrash is New with a fault-injection hook: crash is asked,
// with the peer's key, before what we sent a peer with new installations
// is sent to them; true skips it, as a process killed at that point would.
func NewWithResendCrash(cfg Config, db storage.KV, tr Transport, crash func(peer string) bool) (*Messenger, error) {
	m, err := New(cfg, db, tr)
	if err != nil {
		return nil, err
	}
	m.disp.hooks.crashBeforeResend = crash
	return m, nil
}

// NewWithReceiveGate is New with the receive goroutine waiting on gate
// before each batch it takes from the inbound queue.
func NewWithReceiveGate(cfg Config, db storage.KV, tr Transport, gate <-chan struct{}) (*Messenger, error) {
	m, err := New(cfg, db, tr)
	if err != nil {
		return nil, err
	}
	m.disp.hooks.beforeBatch = func() { <-gate }
	return m, nil
}

// InboundBlocked is how long Transport deliveries waited for room in the
// inbound queue.
func InboundBlocked(m *Messenger) time.Duration { return m.in.blocked() }

// InboundQueued is the number of entries ever queued in the inbound queue.
func InboundQueued(m *Messenger) uint64 {
	m.in.mu.Lock()
	defer m.in.mu.Unlock()
	return m.in.queued
}

// InboundWaiting is the number of Transport deliveries waiting for room now.
func InboundWaiting(m *Messenger) int { return int(m.in.waiting.Load()) }

// DataSyncOutstanding is the number of MVDS send records not yet ACKed or
// given up.
func DataSyncOutstanding(ctx context.Context, m *Messenger) (int, error) {
	s, err := m.driver.Status(ctx)
	return s.Outstanding, err
}

// DataSyncReleased is the number of released MVDS message IDs the driver
// keeps for dedupe.
func DataSyncReleased(ctx context.Context, m *Messenger) (int, error) {
	s, err := m.driver.Status(ctx)
	return s.Released, err
}

// DataSyncStats returns the MVDS driver's counters.
func DataSyncStats(m *Messenger) datasync.Stats { return m.driver.Stats() }

// PeerInstallations lists the installations of identity the encryption
// layer knows (and encrypts to), newest first.
func PeerInstallations(m *Messenger, identity *ecdsa.PublicKey) ([]string, error) {
	list, err := m.c.enc.Installations(identity)
	var ids []string
	for _, inst := range list {
		ids = append(ids, inst.ID)
	}
	return ids, err
}

// RepublishContactUpdate runs one check of the contact-update loop now
// (maintainContactUpdate) and reports whether the update was sent.
func (m *Messenger) RepublishContactUpdate(ctx context.Context) bool {
	return m.republishContactUpdate(ctx)
}

// Dropped (tests) returns how many received payloads were not shown, by reason
// (message.Rule names such as "transit", "signature", "text-too-long",
// "duplicate", and the Reason… constants and "decrypt-…" labels).
func (m *Messenger) Dropped() map[string]uint64 { return m.c.cnt.snapshot() }

// ForgetStanding rewrites the stored chat of a group without its joined
// members and our standing, as a build before messengerstore format 4
// left it. The messenger owning db must be stopped.
func ForgetStanding(t interface{ Fatal(...any) }, db storage.KV, chatID string) {
	st := newStore(storage.NewTable(db, TableName))
	chats, err := st.chats()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chats {
		if c.ID == chatID {
			c.Joined, c.Membership = nil, ""
			var b storage.Batch
			putChat(&b, c)
			if err := st.write(&b); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("no chat " + chatID)
}

// NewWithStoreFault is New with the messenger's own table behind a fault
// injector: each write to it (a batch or a single put) first calls fail,
// and an error fails the write with it. retry, when not nil, times the
// receive goroutine's retries after a store failure.
func NewWithStoreFault(cfg Config, db storage.KV, tr Transport, fail func() error, retry datasync.Clock) (*Messenger, error) {
	m, err := New(cfg, db, tr)
	if err != nil {
		return nil, err
	}
	*m.c.st = *newStore(&storeFault{KV: m.c.st.kv, fail: fail})
	m.disp.hooks.retryClock = retry
	return m, nil
}

// NewWithKeyedStoreFault is New with the messenger's own table behind a
// fault injector told the keys of each write (a batch's, in order, or a
// single put's): an error from fail fails the write with it. Retries
// run on the wall clock.
func NewWithKeyedStoreFault(cfg Config, db storage.KV, tr Transport, fail func(keys [][]byte) error) (*Messenger, error) {
	m, err := New(cfg, db, tr)
	if err != nil {
		return nil, err
	}
	*m.c.st = *newStore(&keyedFault{KV: m.c.st.kv, fail: fail})
	return m, nil
}

// keyedFault is a KV whose writes first ask fail with their keys.
type keyedFault struct {
	storage.KV
	fail func(keys [][]byte) error
}

func (f *keyedFault) Write(b *storage.Batch) error {
	var keys [][]byte
	b.Each(func(k, _ []byte, _ bool) { keys = append(keys, k) })
	if err := f.fail(keys); err != nil {
		return err
	}
	return f.KV.Write(b)
}

func (f *keyedFault) Put(k, v []byte) error {
	if err := f.fail([][]byte{k}); err != nil {
		return err
	}
	return f.KV.Put(k, v)
}

// NewWithSessionStore is New with the encryption layer's store wrapped by
// wrap when Start opens it (a fault injector); retry, when not nil, times
// the receive goroutine's retries after a store failure. receiving is
// closed once the started receive goroutine tried the resends pending
// from the last run: a fault injected before then could fail those, and
// arm a retry timer on retry that the test does not expect.
func NewWithSessionStore(cfg Config, db storage.KV, tr Transport, wrap func(encryption.Store) encryption.Store, retry datasync.Clock) (m *Messenger, receiving <-chan struct{}, err error) {
	m, err = New(cfg, db, tr)
	if err != nil {
		return nil, nil, err
	}
	m.disp.hooks.sessionStore = wrap
	m.disp.hooks.retryClock = retry
	started := make(chan struct{})
	m.disp.hooks.receiving = sync.OnceFunc(func() { close(started) })
	return m, started, nil
}

// StoredNegotiated lists the negotiated topics recorded for the next start.
func StoredNegotiated(m *Messenger) ([]string, error) { return m.c.st.negotiated() }

// NewWithDataSyncFault is New with the MVDS driver's store behind a fault
// injector: each of its writes (ApplyReady, Delivered) first calls fail,
// and an error fails the write with it.
func NewWithDataSyncFault(cfg Config, db storage.KV, tr Transport, fail func() error) (*Messenger, error) {
	m, err := New(cfg, db, tr)
	if err != nil {
		return nil, err
	}
	m.disp.hooks.dataSyncStore = func(st datasync.Store) datasync.Store { return &dataSyncFault{Store: st, fail: fail} }
	return m, nil
}

// dataSyncFault is a driver store whose writes first ask fail.
type dataSyncFault struct {
	datasync.Store
	fail func() error
}

func (f *dataSyncFault) ApplyReady(c mvds.Changes, d []mvds.Delivery) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.ApplyReady(c, d)
}

func (f *dataSyncFault) Delivered(ids []mvds.MessageID) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Delivered(ids)
}

// storeFault is a KV whose writes first ask fail.
type storeFault struct {
	storage.KV
	fail func() error
}

func (f *storeFault) Write(b *storage.Batch) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.KV.Write(b)
}

func (f *storeFault) Put(k, v []byte) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.KV.Put(k, v)
}

// ArmedClock is a datasync.ManualClock that reports on Armed the
// duration of every timer made on it, so that a test knows a wait began
// before it advances the clock.
type ArmedClock struct {
	*datasync.ManualClock
	Armed chan time.Duration
}

// NewArmedClock returns an ArmedClock standing at now; Armed holds up to
// 64 reports.
func NewArmedClock(now time.Time) *ArmedClock {
	return &ArmedClock{ManualClock: datasync.NewManualClock(now), Armed: make(chan time.Duration, 64)}
}

// NewTimer makes the timer and reports its duration on Armed.
func (c *ArmedClock) NewTimer(d time.Duration) datasync.Ticker {
	t := c.ManualClock.NewTimer(d)
	c.Armed <- d
	return t
}

// Next returns the duration of the next timer made on c, failing t when
// none is made within 10 s.
func (c *ArmedClock) Next(t testing.TB) time.Duration {
	t.Helper()
	select {
	case d := <-c.Armed:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no retry wait began")
		return 0
	}
}

// NewWithResendFault is New with fault asked, with the peer's key, before
// each resend to a peer's new installations; an error fails that resend.
// The receive goroutine's retries are timed by clock (nil: the wall
// clock).
func NewWithResendFault(cfg Config, db storage.KV, tr Transport, fault func(peer string) error, clock datasync.Clock) (*Messenger, error) {
	m, err := New(cfg, db, tr)
	if err != nil {
		return nil, err
	}
	m.disp.hooks.resendFault = fault
	m.disp.hooks.retryClock = clock
	return m, nil
}
