package datasync

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

// TestRestartLevelDB: both peers keep their state in goleveldb. The sender
// appends while the receiver is unreachable, stops, reopens its database
// and continues; the receiver restarts after getting part of the messages.
// Every message is delivered exactly once and everything is acknowledged.
func TestRestartLevelDB(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), t.TempDir())
	b := newPeer(t, net, testPeerID(2), t.TempDir())
	g := connect(t, a, b)
	var ids []mvds.MessageID
	appendN := func(n int) {
		for i := 0; i < n; i++ {
			id, err := a.d.Append(ctxT(t), g, []byte(fmt.Sprint("message ", len(ids))))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
	}

	net.setDown(b.id, true)
	appendN(3)
	for i := 0; i < 5; i++ {
		round(t, a, b)
	}
	epoch := status(t, a).Epoch
	a.stop(t) // stop, reopen the database, RestartNode, continue
	a.start(t, net)
	if s := status(t, a); s.Epoch < epoch || s.Outstanding != 3 {
		t.Fatalf("after restart: %+v, want epoch ≥ %d and 3 outstanding", s, epoch)
	}
	appendN(2)
	net.setDown(b.id, false)
	runUntil(t, 30, "first messages delivered", func() bool { return b.app.len() > 0 }, a, b)

	b.stop(t) // the receiver restarts with some messages delivered
	b.start(t, net)
	appendN(2)
	runUntil(t, 60, "delivered and acknowledged", func() bool {
		return b.app.len() == len(ids) && outstanding(t, a) == 0
	}, a, b)
	for i, id := range ids {
		if n := b.app.count[id]; n != 1 {
			t.Fatalf("message %d delivered %d times", i, n)
		}
	}
	if len(b.app.order) != len(ids) {
		t.Fatalf("%d deliveries for %d messages", len(b.app.order), len(ids))
	}
}

func status(t *testing.T, p *peer) Status {
	t.Helper()
	s, err := p.d.Status(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// failingStore wraps a store and fails ApplyReady or Delivered on demand.
type failingStore struct {
	Store
	mu            sync.Mutex
	failApply     bool
	failDelivered bool
	sendsAtFail   int
	net           *memNet
}

var errDisk = errors.New("disk full")

func (s *failingStore) ApplyReady(c mvds.Changes, d []mvds.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failApply {
		s.net.mu.Lock()
		s.sendsAtFail = len(s.net.sent)
		s.net.mu.Unlock()
		return errDisk
	}
	return s.Store.ApplyReady(c, d)
}

func (s *failingStore) Delivered(ids []mvds.MessageID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failDelivered {
		return errDisk
	}
	return s.Store.Delivered(ids)
}

// TestStoreFailureStopsBeforeSend: when persisting fails the driver sends
// nothing of that Ready and stops; Stop reports the failure.
func TestStoreFailureStopsBeforeSend(t *testing.T) {
	net := newMemNet()
	b := newPeer(t, net, testPeerID(2), "")
	kv := storage.NewMemory()
	st := &failingStore{Store: datasyncstore.New(kv), net: net}
	d, err := New(DefaultConfig(testPeerID(1)), st, endpoint{net, testPeerID(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	g := groupOf(t, testPeerID(1), b.id)
	if err := d.AddPeer(ctxT(t), g, b.id); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.failApply = true
	st.mu.Unlock()
	if _, err := d.Append(ctxT(t), g, []byte("lost")); !errors.Is(err, ErrStore) || !errors.Is(err, errDisk) {
		t.Fatalf("Append: %v, want ErrStore wrapping the disk error", err)
	}
	if err := d.Sync(ctxT(t)); !errors.Is(err, ErrStopped) || !errors.Is(err, errDisk) {
		t.Fatalf("Sync after failure: %v", err)
	}
	if err := d.Stop(); !errors.Is(err, errDisk) {
		t.Fatalf("Stop: %v, want the disk error", err)
	}
	net.mu.Lock()
	defer net.mu.Unlock()
	if len(net.sent) != st.sendsAtFail {
		t.Fatalf("%d payloads sent after the store failed", len(net.sent)-st.sendsAtFail)
	}
}

// TestPendingRedelivered: a message persisted but not confirmed delivered
// (here: confirming fails, as a crash would) is delivered again by the next
// Start — at least once, never lost.
func TestPendingRedelivered(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	kv := storage.NewMemory()
	app := &deliveries{}
	st := &failingStore{Store: datasyncstore.New(kv), net: net, failDelivered: true}
	start := func(st Store) *Driver {
		d, err := New(DefaultConfig(testPeerID(2)), st, endpoint{net, testPeerID(2)}, app.deliver)
		if err != nil {
			t.Fatal(err)
		}
		net.attach(testPeerID(2), d)
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := start(st)
	g := groupOf(t, a.id, testPeerID(2))
	if err := a.d.AddPeer(ctxT(t), g, testPeerID(2)); err != nil {
		t.Fatal(err)
	}
	id, err := a.d.Append(ctxT(t), g, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	round(t, a)
	if err := d.Sync(ctxT(t)); !errors.Is(err, errDisk) {
		t.Fatalf("Sync: %v, want the Delivered failure", err)
	}
	if err := d.Stop(); !errors.Is(err, errDisk) {
		t.Fatalf("Stop: %v", err)
	}
	d = start(datasyncstore.New(kv))
	defer d.Stop()
	if app.count[id] != 2 {
		t.Fatalf("delivered %d times, want 2 (once before the failure, once at restart)", app.count[id])
	}
	d2 := start(datasyncstore.New(kv)) // confirmed now: not delivered again
	defer d2.Stop()
	if app.count[id] != 2 {
		t.Fatalf("delivered %d times after a clean restart", app.count[id])
	}
}
