package datasync

import (
	"fmt"
	"testing"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

// TestForgetReleasedAtHorizon: a receiver keeps the IDs of the messages
// it released (confirmed) for RetainReleased after the release, then
// forgets them at a tick, in memory and in its store, and a restart does
// not bring them back; a copy retransmitted after that is delivered again
// (the application dedupes it), and ACKed so that the sender stops.
func TestForgetReleasedAtHorizon(t *testing.T) {
	const n = 20
	const horizon = 10 * time.Second
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	b := &peer{id: testPeerID(2), clock: NewManualClock(t0), app: &deliveries{}, dir: t.TempDir(),
		tune: func(c *Config) { c.ConfirmDeliveries, c.RetainReleased = true, horizon }}
	b.start(t, net)
	g := connect(t, a, b)
	// b's ACKs are lost until the end: a keeps retransmitting.
	net.mu.Lock()
	net.drop = func(from, _ mvds.PeerID, _ []byte) bool { return from == b.id }
	net.mu.Unlock()
	var ids []mvds.MessageID
	for i := range n {
		id, err := a.d.Append(ctxT(t), g, []byte(fmt.Sprint("message ", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	runUntil(t, 30, "delivered", func() bool { return b.app.len() == n }, a, b)
	if err := b.d.Confirm(ids...); err != nil {
		t.Fatal(err)
	}
	round(t, a, b)
	released := func() int { return status(t, b).Released }
	if got := released(); got != n {
		t.Fatalf("%d released IDs held after the confirmations, want %d", got, n)
	}

	// Up to the horizon the IDs stay: the copies are ACKed, not delivered.
	runUntil(t, int(horizon/(mvds.StatusTickMillis*time.Millisecond))-2, "the horizon near", func() bool {
		return !b.clock.Now().Before(t0.Add(horizon - time.Second))
	}, a, b)
	if got := released(); got != n || b.app.len() != n {
		t.Fatalf("before the horizon: %d released IDs held, %d deliveries; want %d and %d", got, b.app.len(), n, n)
	}
	runUntil(t, 10, "the IDs forgotten", func() bool { return released() == 0 }, a, b)
	if got := b.d.Stats().Forgotten; got != n {
		t.Fatalf("Stats.Forgotten = %d, want %d", got, n)
	}

	b.stop(t)
	if snap, _ := loadStore(t, b.dir); len(snap.Released) != 0 || len(snap.Messages) != 0 {
		t.Fatalf("store after forgetting: %d released rows, %d bodies; want none", len(snap.Released), len(snap.Messages))
	}
	b.start(t, net)
	if got := released(); got != 0 {
		t.Fatalf("a restart brought back %d forgotten IDs", got)
	}

	// a retransmits (b's ACKs were lost): every message is new to b again.
	runUntil(t, 3*int(mvds.DefaultConfig(a.id).MaxBackoff), "the late copies delivered", func() bool {
		return b.app.len() == 2*n
	}, a, b)
	for _, id := range ids {
		if c := b.app.count[id]; c != 2 {
			t.Fatalf("message %s delivered %d times, want twice (once more after the horizon)", id, c)
		}
	}
	net.mu.Lock()
	net.drop = nil
	net.mu.Unlock()
	runUntil(t, 3*int(mvds.DefaultConfig(a.id).MaxBackoff), "the late copies acknowledged", func() bool {
		return outstanding(t, a) == 0
	}, a, b)
}

// TestReleasedFromOldFormatForgotten: the released IDs of a format-1
// table carry no time; the migration gives them the upgrade's, and the
// driver forgets them one RetainReleased after it.
func TestReleasedFromOldFormatForgotten(t *testing.T) {
	const horizon = time.Hour
	kv := storage.NewTable(storage.NewMemory(), datasyncstore.TableName)
	if _, err := storage.Migrate(kv, 1, nil); err != nil { // an empty table of format 1
		t.Fatal(err)
	}
	m := mvds.Message{GroupID: mvds.GroupID{1}, Timestamp: t0.Unix() - 86400, Body: []byte("old")}
	id := m.ID()
	if err := kv.Put(append([]byte{'m'}, id[:]...), nil); err != nil { // released, format 1
		t.Fatal(err)
	}
	upgrade := t0
	if _, err := datasyncstore.New(kv).Migrate(upgrade); err != nil {
		t.Fatal(err)
	}
	clock := NewManualClock(upgrade.Add(horizon - time.Minute))
	cfg := DefaultConfig(testPeerID(1))
	cfg.RetainReleased = horizon
	d, err := New(cfg, datasyncstore.New(kv), endpoint{newMemNet(), testPeerID(1)}, nil, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	ctx := ctxT(t)
	st, err := d.Status(ctx)
	if err != nil || st.Released != 1 {
		t.Fatalf("before the horizon: %d released IDs, %v; want the migrated one", st.Released, err)
	}
	if err := clock.Advance(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err = d.Status(ctx); err != nil || st.Released != 0 {
		t.Fatalf("one horizon after the upgrade: %d released IDs, %v; want none", st.Released, err)
	}
	snap, err := datasyncstore.New(kv).Load()
	if err != nil || len(snap.Released) != 0 {
		t.Fatalf("store: %v, %v; want no released row", snap.Released, err)
	}
}
