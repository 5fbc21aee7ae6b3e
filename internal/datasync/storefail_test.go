package datasync

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

// flakyStore fails the next writes (ApplyReady and Delivered) it is told
// to fail, then writes through again.
type flakyStore struct {
	Store
	mu   sync.Mutex
	left int // writes still to fail; -1: every one
}

func (s *flakyStore) failNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.left = n
}

func (s *flakyStore) fail() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.left == 0 {
		return nil
	}
	if s.left > 0 {
		s.left--
	}
	return errDisk
}

func (s *flakyStore) ApplyReady(c mvds.Changes, d []mvds.Delivery) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.ApplyReady(c, d)
}

func (s *flakyStore) Delivered(ids []mvds.MessageID) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Delivered(ids)
}

func noFlushDelay(c *Config) { c.FlushDelay = 0 }

// newFlakyPeer starts a peer on net whose store is a flakyStore over an
// in-memory KV and whose clock reports its timers (FlushDelay 0: every
// timer is a retry wait).
func newFlakyPeer(t *testing.T, net *memNet, id mvds.PeerID, opts ...Option) (*peer, *flakyStore) {
	t.Helper()
	fs := &flakyStore{}
	p := &peer{id: id, clock: NewManualClock(t0), app: &deliveries{}, kv: storage.NewMemory(),
		tune: noFlushDelay, armed: make(chan time.Duration, 64), opts: opts,
		wrap: func(st Store) Store { fs.Store = st; return fs }}
	p.start(t, net)
	return p, fs
}

// sentBy counts the packets peer id handed to the network.
func (n *memNet) sentBy(id mvds.PeerID) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, pk := range n.sent {
		if pk.from == id {
			c++
		}
	}
	return c
}

// retryUntilWritten advances p's clock through the retry waits of a spell
// of fails failing writes, the first of which (first) already began, and
// checks that they double from 100 ms.
func retryUntilWritten(t *testing.T, p *peer, first time.Duration, fails int) {
	t.Helper()
	waits := []time.Duration{first}
	for {
		if err := p.clock.Advance(ctxT(t), waits[len(waits)-1]); err != nil {
			t.Fatal(err)
		}
		if len(waits) == fails {
			break
		}
		waits = append(waits, p.nextTimer(t))
	}
	want := []time.Duration{100 * time.Millisecond}
	for len(want) < fails {
		want = append(want, want[len(want)-1]*2)
	}
	if !slices.Equal(waits, want) {
		t.Fatalf("retry waits %v, want %v", waits, want)
	}
}

// A message appended while the store fails its next writes is not lost:
// Append waits (nothing of its Ready leaves) while the driver retries with
// a doubling back-off, returns once the write succeeds, and the message is
// sent and delivered to the peer exactly once. A message the peer sends
// meanwhile waits in the inbox and is delivered once too.
func TestStoreFailureAppendRetried(t *testing.T) {
	net := newMemNet()
	a, fs := newFlakyPeer(t, net, testPeerID(1))
	b := newTunedPeer(t, net, testPeerID(2), noFlushDelay)
	g := connect(t, a, b)

	fs.failNext(3)
	sentBefore := net.sentBy(a.id)
	type result struct {
		id  mvds.MessageID
		err error
	}
	appended := make(chan result, 1)
	go func() {
		id, err := a.d.Append(ctxT(t), g, []byte("written late"))
		appended <- result{id, err}
	}()
	first := a.nextTimer(t) // the write failed and a retry wait began
	idB, err := b.d.Append(ctxT(t), g, []byte("received meanwhile"))
	if err != nil {
		t.Fatal(err)
	}
	round(t, b) // b sends it to a, whose driver is waiting to retry
	select {
	case r := <-appended:
		t.Fatalf("Append returned during the failure: %v", r.err)
	default:
	}
	if n := net.sentBy(a.id); n != sentBefore {
		t.Fatalf("a sent %d payloads while its write failed", n-sentBefore)
	}
	retryUntilWritten(t, a, first, 3)
	r := <-appended
	if r.err != nil {
		t.Fatalf("Append after the writes succeeded: %v", r.err)
	}
	runUntil(t, 40, "both messages delivered and acknowledged", func() bool {
		return b.app.len() == 1 && a.app.len() == 1 && outstanding(t, a) == 0 && outstanding(t, b) == 0
	}, a, b)
	if b.app.count[r.id] != 1 || a.app.count[idB] != 1 {
		t.Fatalf("delivered %d and %d times, want once each", b.app.count[r.id], a.app.count[idB])
	}
}

// A received message whose write fails is delivered once the write
// succeeds, and no ACK for it leaves before the store holds it: every
// payload the receiver sends that acknowledges it is checked against the
// receiver's store at the moment it leaves.
func TestStoreFailureNoAckBeforeWrite(t *testing.T) {
	net := newMemNet()
	b, fs := newFlakyPeer(t, net, testPeerID(2))
	a := newTunedPeer(t, net, testPeerID(1), noFlushDelay)
	g := connect(t, a, b)
	id, err := a.d.Append(ctxT(t), g, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		acks    int
		badAcks int
	)
	stored := func() bool {
		snap, err := datasyncstore.New(storage.NewTable(b.kv, datasyncstore.TableName)).Load()
		if err != nil {
			t.Error(err)
			return false
		}
		return slices.ContainsFunc(snap.Messages, func(m mvds.Message) bool { return m.ID() == id })
	}
	net.drop = func(from, _ mvds.PeerID, data []byte) bool {
		if from != b.id {
			return false
		}
		p, err := mvds.DecodePayload(data, mvds.DefaultConfig(b.id).Limits)
		if err != nil || !slices.Contains(p.Acks, id) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		acks++
		if !stored() {
			badAcks++
		}
		return false
	}
	fs.failNext(3)
	round(t, a) // a sends; b's write of the message fails
	first := b.nextTimer(t)
	for range 3 { // a retransmits into b's inbox meanwhile
		round(t, a)
	}
	if b.app.len() != 0 {
		t.Fatal("delivered before its write succeeded")
	}
	retryUntilWritten(t, b, first, 3)
	runUntil(t, 40, "the message delivered and acknowledged", func() bool {
		return b.app.len() > 0 && outstanding(t, a) == 0
	}, a, b)
	if n := b.app.count[id]; n != 1 || b.app.len() != 1 {
		t.Fatalf("delivered %d times (%d deliveries), want once", n, b.app.len())
	}
	mu.Lock()
	defer mu.Unlock()
	if acks == 0 || badAcks != 0 {
		t.Fatalf("%d ACKs sent, %d of them before the message was stored", acks, badAcks)
	}
}

// Stop during a spell of failing writes returns promptly; the request
// waiting for the write fails with ErrStopped wrapping the store error,
// and nothing of the unwritten Ready was sent. TestMain checks that no
// goroutine is left.
func TestStopDuringStoreFailure(t *testing.T) {
	net := newMemNet()
	a, fs := newFlakyPeer(t, net, testPeerID(1))
	b := newTunedPeer(t, net, testPeerID(2), noFlushDelay)
	g := connect(t, a, b)
	fs.failNext(-1)
	sentBefore := net.sentBy(a.id)
	appended := make(chan error, 1)
	go func() {
		_, err := a.d.Append(context.Background(), g, []byte("never written"))
		appended <- err
	}()
	if err := a.clock.Advance(ctxT(t), a.nextTimer(t)); err != nil {
		t.Fatal(err)
	}
	a.nextTimer(t) // the second retry wait began
	stopped := make(chan error, 1)
	go func() { stopped <- a.d.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return during a store failure")
	}
	if err := <-appended; !errors.Is(err, ErrStopped) || !errors.Is(err, errDisk) {
		t.Fatalf("Append: %v, want ErrStopped wrapping the store error", err)
	}
	if n := net.sentBy(a.id); n != sentBefore {
		t.Fatalf("%d payloads sent of an unwritten Ready", n-sentBefore)
	}
}

// A spell of failing writes is told to the application once when it
// begins (with the failure and the received messages waiting) and once
// when it ends (with the retries it took), is logged as one error, and
// each failed write is counted.
func TestStoreFailureNotified(t *testing.T) {
	net := newMemNet()
	a := newTunedPeer(t, net, testPeerID(1), noFlushDelay)
	core, logs := observer.New(zap.ErrorLevel)
	notices := make(chan StoreNotice, 16)
	b, fs := newFlakyPeer(t, net, testPeerID(2), WithLogger(zap.New(core)),
		WithStoreNotify(func(n StoreNotice) { notices <- n }))
	g := connect(t, a, b)
	if _, err := a.d.Append(ctxT(t), g, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	fs.failNext(4)
	round(t, a)
	retryUntilWritten(t, b, b.nextTimer(t), 4)
	if err := b.d.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var got []StoreNotice
	for len(notices) > 0 {
		got = append(got, <-notices)
	}
	if len(got) != 2 || !errors.Is(got[0].Err, ErrStore) || !errors.Is(got[0].Err, errDisk) ||
		got[0].Waiting != 1 || got[0].Tries != 0 || got[1].Err != nil || got[1].Tries != 4 {
		t.Fatalf("notices %+v, want a failure with 1 waiting, then a recovery after 4 tries", got)
	}
	if n := logs.Len(); n != 1 {
		t.Fatalf("%d error lines, want 1 for the spell", n)
	}
	if n := b.d.Stats().StoreErrors; n != 4 {
		t.Fatalf("Stats.StoreErrors = %d, want 4", n)
	}
}

// With ConfirmDeliveries, a confirmation whose write fails is not lost:
// the driver retries it, and after a restart the confirmed message is not
// delivered again.
func TestStoreFailureConfirmRetried(t *testing.T) {
	net := newMemNet()
	a := newTunedPeer(t, net, testPeerID(1), noFlushDelay)
	fs := &flakyStore{}
	b := &peer{id: testPeerID(2), clock: NewManualClock(t0), app: &deliveries{}, kv: storage.NewMemory(),
		tune:  func(c *Config) { noFlushDelay(c); c.ConfirmDeliveries = true },
		armed: make(chan time.Duration, 64), wrap: func(st Store) Store { fs.Store = st; return fs }}
	b.start(t, net)
	g := connect(t, a, b)
	id, err := a.d.Append(ctxT(t), g, []byte("confirm me"))
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, 20, "delivered and acknowledged", func() bool { return b.app.len() == 1 && outstanding(t, a) == 0 }, a, b)
	fs.failNext(2)
	if err := b.d.Confirm(id); err != nil {
		t.Fatal(err)
	}
	if err := b.clock.Advance(ctxT(t), mvds.StatusTickMillis*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	retryUntilWritten(t, b, b.nextTimer(t), 2)
	if err := b.d.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	b.stop(t)
	b.start(t, net)
	if err := b.d.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if n := b.app.len(); n != 1 {
		t.Fatalf("%d deliveries after the restart, want the one before it", n)
	}
}

// gateStore holds the next ApplyReady, once armed, until released.
type gateStore struct {
	Store
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (s *gateStore) ApplyReady(c mvds.Changes, d []mvds.Delivery) error {
	if s.armed.CompareAndSwap(true, false) {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.Store.ApplyReady(c, d)
}

// An Append whose caller gives up after the driver took it (its Ready is
// being written) returns the context's error and no ID, and reads nothing
// the driver wrote for it (the race detector checks); the message is
// appended all the same, and delivered once.
func TestAppendGivenUpWhileWriting(t *testing.T) {
	net := newMemNet()
	gs := &gateStore{entered: make(chan struct{}), release: make(chan struct{})}
	a := &peer{id: testPeerID(1), clock: NewManualClock(t0), app: &deliveries{}, kv: storage.NewMemory(),
		tune: noFlushDelay, armed: make(chan time.Duration, 64),
		wrap: func(st Store) Store { gs.Store = st; return gs }}
	a.start(t, net)
	b := newTunedPeer(t, net, testPeerID(2), noFlushDelay)
	g := connect(t, a, b)

	gs.armed.Store(true)
	ctx, cancel := context.WithCancel(ctxT(t))
	type result struct {
		id  mvds.MessageID
		err error
	}
	given := make(chan result, 1)
	go func() {
		id, err := a.d.Append(ctx, g, []byte("given up"))
		given <- result{id, err}
	}()
	<-gs.entered // the driver ran the request and is writing its Ready
	cancel()
	r := <-given
	close(gs.release)
	if !errors.Is(r.err, context.Canceled) || r.id != (mvds.MessageID{}) {
		t.Fatalf("Append given up: %x, %v; want no ID and the context's error", r.id, r.err)
	}
	runUntil(t, 40, "the message delivered", func() bool { return b.app.len() == 1 }, a, b)
}
