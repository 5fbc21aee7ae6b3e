package datasync

import (
	"context"
	"fmt"
	"testing"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

// TestAppendLeavesBeforeTick: an appended message is sent FlushDelay after
// Append, long before the next tick, and a burst of appends within the
// delay leaves as one payload.
func TestAppendLeavesBeforeTick(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	b := newPeer(t, net, testPeerID(2), "")
	g := connect(t, a, b)
	before := sentBy(net, a.id)
	for i := 0; i < 3; i++ {
		if _, err := a.d.Append(ctxT(t), g, []byte(fmt.Sprint("burst ", i))); err != nil {
			t.Fatal(err)
		}
	}
	if n := sentBy(net, a.id) - before; n != 0 {
		t.Fatalf("%d payloads sent before the flush delay", n)
	}
	ctx := ctxT(t)
	if err := a.clock.Advance(ctx, DefaultConfig(a.id).FlushDelay); err != nil {
		t.Fatal(err)
	}
	if err := a.d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentBy(net, a.id) - before; n != 1 {
		t.Fatalf("%d payloads sent by the flush, want 1", n)
	}
	if b.app.len() != 3 {
		t.Fatalf("b delivered %d of 3 before any tick", b.app.len())
	}
	s := a.d.Stats()
	if s.Ticks != 0 || s.Flushes != 1 {
		t.Fatalf("stats %+v, want 0 ticks and 1 flush", s)
	}
	// The ACKs come back at b's tick; nothing is retransmitted.
	runUntil(t, 5, "acknowledged", func() bool { return outstanding(t, a) == 0 }, a, b)
	if n := sentBy(net, a.id) - before; n != 1 {
		t.Fatalf("a sent %d payloads in all, want 1", n)
	}
}

// TestFlushDelayZero: with FlushDelay 0 a message waits for the tick.
func TestFlushDelayZero(t *testing.T) {
	net := newMemNet()
	clock := NewManualClock(t0)
	cfg := DefaultConfig(testPeerID(1))
	cfg.FlushDelay = 0
	d, err := New(cfg, datasyncstore.New(storage.NewTable(storage.NewMemory(), datasyncstore.TableName)), endpoint{net, cfg.Node.ID}, nil, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.Stop(); err != nil {
			t.Error(err)
		}
	}()
	g := groupOf(t, cfg.Node.ID, testPeerID(2))
	if err := d.AddPeer(ctxT(t), g, testPeerID(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Append(ctxT(t), g, []byte("waits")); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if err := clock.Advance(ctx, 299*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentBy(net, cfg.Node.ID); n != 0 {
		t.Fatalf("%d payloads before the tick", n)
	}
	if err := clock.Advance(ctx, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentBy(net, cfg.Node.ID); n != 1 {
		t.Fatalf("%d payloads at the tick, want 1", n)
	}
	if s := d.Stats(); s.Flushes != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestFlushDelayValidate(t *testing.T) {
	cfg := DefaultConfig(testPeerID(1))
	cfg.FlushDelay = -time.Millisecond
	if err := cfg.Validate(); err == nil {
		t.Fatal("negative FlushDelay accepted")
	}
}

func sentBy(net *memNet, id mvds.PeerID) int {
	net.mu.Lock()
	defer net.mu.Unlock()
	n := 0
	for _, p := range net.sent {
		if p.from == id {
			n++
		}
	}
	return n
}

// countingStore counts ApplyReady calls.
type countingStore struct {
	Store
	applies int
}

func (s *countingStore) ApplyReady(c mvds.Changes, deliver []mvds.Delivery) error {
	s.applies++
	return s.Store.ApplyReady(c, deliver)
}

// TestFlushIdle: with FlushIdle, a message appended to an idle driver
// leaves at once, persisted with its first send in one write; appends
// within FlushDelay of that flush wait FlushDelay and leave together.
func TestFlushIdle(t *testing.T) {
	net := newMemNet()
	var cs *countingStore
	a := &peer{id: testPeerID(1), clock: NewManualClock(t0), app: &deliveries{}, kv: storage.NewMemory(),
		wrap: func(s Store) Store { cs = &countingStore{Store: s}; return cs },
		tune: func(c *Config) { c.FlushIdle = true }}
	a.start(t, net)
	b := newPeer(t, net, testPeerID(2), "")
	g := connect(t, a, b)
	ctx := ctxT(t)
	before, writes := sentBy(net, a.id), cs.applies
	if _, err := a.d.Append(ctx, g, []byte("lone")); err != nil {
		t.Fatal(err)
	}
	if err := a.d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentBy(net, a.id) - before; n != 1 {
		t.Fatalf("%d payloads right after the append to an idle driver, want 1", n)
	}
	if n := cs.applies - writes; n != 1 {
		t.Fatalf("%d store writes for the append and its send, want 1", n)
	}
	delay := DefaultConfig(a.id).FlushDelay
	if err := a.clock.Advance(ctx, delay/2); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := a.d.Append(ctx, g, []byte(fmt.Sprint("busy ", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentBy(net, a.id) - before; n != 1 {
		t.Fatalf("%d payloads, want the appends within FlushDelay of the last flush to wait", n)
	}
	if err := a.clock.Advance(ctx, delay/2-time.Microsecond); err != nil { // a request now would find the driver idle
		t.Fatal(err)
	}
	if err := a.d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentBy(net, a.id) - before; n != 1 {
		t.Fatalf("%d payloads before FlushDelay passed, want 1", n)
	}
	if err := a.clock.Advance(ctx, delay/2+time.Microsecond); err != nil {
		t.Fatal(err)
	}
	if err := a.d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentBy(net, a.id) - before; n != 2 {
		t.Fatalf("%d payloads FlushDelay after the appends, want 2", n)
	}
	if err := b.d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if b.app.len() != 3 {
		t.Fatalf("b delivered %d of 3", b.app.len())
	}
}

// gateTransport holds every Send until release is closed.
type gateTransport struct {
	entered chan struct{}
	release chan struct{}
}

func (g gateTransport) Send(ctx context.Context, _ mvds.PeerID, _ Packet) error {
	g.entered <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	return nil
}

// TestFlushIdleAnswersBeforeSend: with FlushIdle, Append returns once the
// message is persisted, while its payload is still being sent.
func TestFlushIdleAnswersBeforeSend(t *testing.T) {
	cfg := DefaultConfig(testPeerID(1))
	cfg.FlushIdle = true
	gate := gateTransport{entered: make(chan struct{}, 1), release: make(chan struct{})}
	d, err := New(cfg, datasyncstore.New(storage.NewTable(storage.NewMemory(), datasyncstore.TableName)), gate, nil,
		WithClock(NewManualClock(t0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(gate.release)
		if err := d.Stop(); err != nil {
			t.Error(err)
		}
	}()
	g := groupOf(t, cfg.Node.ID, testPeerID(2))
	if err := d.AddPeer(ctxT(t), g, testPeerID(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Append(ctxT(t), g, []byte("leaves while answered")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gate.entered:
	case <-ctxT(t).Done():
		t.Fatal("the payload was not sent")
	}
}
