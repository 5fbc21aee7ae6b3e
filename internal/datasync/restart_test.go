package datasync

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
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

// failingStore wraps a store and fails Delivered, every time.
type failingStore struct{ Store }

var errDisk = errors.New("disk full")

func (s *failingStore) Delivered([]mvds.MessageID) error { return errDisk }

// TestPendingRedelivered: a message persisted but not confirmed delivered
// (here: clearing its pending mark keeps failing, and the driver is
// stopped while it retries, as a crash would leave it) is delivered again
// by the next Start — at least once, never lost.
func TestPendingRedelivered(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	kv := storage.NewMemory()
	app := &deliveries{}
	st := &failingStore{Store: datasyncstore.New(kv)}
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
	testutil.WaitFor(t, 10*time.Second, "the first delivery", func() bool { return app.len() == 1 })
	if err := d.Stop(); err != nil {
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

// TestReleaseAcrossRestart: the sender drops the body of a message its
// peer acknowledged once RetainAcked has passed (here at once) and keeps
// the one not acknowledged, which it still retransmits after a restart; the
// receiver drops a body once the application confirms the message. Both
// keep the released ID, so nothing is delivered twice.
func TestReleaseAcrossRestart(t *testing.T) {
	net := newMemNet()
	a := &peer{id: testPeerID(1), clock: NewManualClock(t0), app: &deliveries{}, dir: t.TempDir(),
		tune: func(c *Config) { c.RetainAcked = 0 }}
	a.start(t, net)
	b := &peer{id: testPeerID(2), clock: NewManualClock(t0), app: &deliveries{}, dir: t.TempDir(),
		tune: func(c *Config) { c.ConfirmDeliveries = true }}
	b.start(t, net)
	g := connect(t, a, b)
	appendOne := func(body string) mvds.MessageID {
		id, err := a.d.Append(ctxT(t), g, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	acked := appendOne("acked")
	runUntil(t, 30, "delivered and acknowledged", func() bool {
		return b.app.len() == 1 && outstanding(t, a) == 0
	}, a, b)
	if err := b.d.Confirm(acked); err != nil {
		t.Fatal(err)
	}
	net.setDown(b.id, true)
	unacked := appendOne("unacked")
	round(t, a, b)
	round(t, a, b)
	a.stop(t)
	b.stop(t)

	sa, pa := loadStore(t, a.dir)
	if len(sa.Messages) != 1 || sa.Messages[0].ID() != unacked || len(sa.Released) != 1 || sa.Released[0].ID != acked || len(pa) != 0 {
		t.Fatalf("sender stored %d messages, released %v, pending %d: want only %s's body and %s released",
			len(sa.Messages), sa.Released, len(pa), unacked, acked)
	}
	sb, pb := loadStore(t, b.dir)
	if len(sb.Messages) != 0 || len(sb.Released) != 1 || sb.Released[0].ID != acked || len(pb) != 0 {
		t.Fatalf("receiver stored %d messages, released %v, pending %d: want %s released",
			len(sb.Messages), sb.Released, len(pb), acked)
	}

	a.start(t, net)
	b.start(t, net)
	net.setDown(b.id, false)
	runUntil(t, 60, "the unacknowledged message delivered", func() bool {
		return b.app.len() == 2 && outstanding(t, a) == 0
	}, a, b)
	for _, id := range []mvds.MessageID{acked, unacked} {
		if n := b.app.count[id]; n != 1 {
			t.Fatalf("message %s delivered %d times", id, n)
		}
	}
}

// TestRetainAckedMaxPerGroup: with RetainAckedMax, a sender keeps the
// bodies of only the newest acknowledged messages of a group (Recent's
// order), in memory and in its store, and releases the older ones before
// RetainAcked; a restart applies the bound to what an unbounded run left.
// Nothing is delivered twice.
func TestRetainAckedMaxPerGroup(t *testing.T) {
	net := newMemNet()
	max := 0
	a := &peer{id: testPeerID(1), clock: NewManualClock(t0), app: &deliveries{}, dir: t.TempDir(),
		tune: func(c *Config) { c.RetainAckedMax = max }}
	a.start(t, net)
	b := newPeer(t, net, testPeerID(2), "")
	g := connect(t, a, b)
	var sent []mvds.MessageID
	appendAcked := func(n int) {
		t.Helper()
		for range n {
			id, err := a.d.Append(ctxT(t), g, []byte(fmt.Sprint("message ", len(sent))))
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, id)
		}
		runUntil(t, 30, "delivered and acknowledged", func() bool {
			return b.app.len() == len(sent) && outstanding(t, a) == 0
		}, a, b)
	}
	// newest returns the n newest of sent (one timestamp: by ID), oldest first.
	newest := func(n int) []mvds.MessageID {
		ids := slices.Clone(sent)
		slices.SortFunc(ids, func(x, y mvds.MessageID) int { return bytes.Compare(x[:], y[:]) })
		return ids[len(ids)-n:]
	}
	kept := func() []mvds.MessageID {
		t.Helper()
		recent, err := a.d.Recent(ctxT(t), g, time.Hour, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []mvds.MessageID
		for _, m := range recent {
			ids = append(ids, m.ID())
		}
		return ids
	}

	appendAcked(5) // unbounded: all five kept
	if got := kept(); len(got) != 5 {
		t.Fatalf("unbounded: %d bodies kept, want 5", len(got))
	}
	a.stop(t)
	max = 3
	a.start(t, net)
	if got, want := kept(), newest(3); !slices.Equal(got, want) {
		t.Fatalf("after a restart with at most 3: kept %v, want the newest %v", got, want)
	}
	appendAcked(2)
	if got, want := kept(), newest(3); !slices.Equal(got, want) {
		t.Fatalf("after two more: kept %v, want the newest %v", got, want)
	}
	round(t, a, b) // persists the releases
	a.stop(t)
	sa, _ := loadStore(t, a.dir)
	if len(sa.Messages) != 3 || len(sa.Released) != 4 {
		t.Fatalf("store: %d bodies, %d released; want 3 and 4", len(sa.Messages), len(sa.Released))
	}
	for _, id := range sent {
		if n := b.app.count[id]; n != 1 {
			t.Fatalf("message %s delivered %d times", id, n)
		}
	}
}

// loadStore reads the MVDS state a stopped peer left in dir.
func loadStore(t *testing.T, dir string) (mvds.Snapshot, []mvds.Delivery) {
	t.Helper()
	db, err := storage.OpenLevelDB(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := datasyncstore.New(storage.NewTable(db, datasyncstore.TableName))
	snap, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.Pending()
	if err != nil {
		t.Fatal(err)
	}
	return snap, pending
}
