package datasync

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

// ignoreLevelDB: goleveldb's mpoolDrain goroutine lingers up to 1 s after
// Close by design.
var ignoreLevelDB = goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, ignoreLevelDB) }

var t0 = time.Unix(1565000000, 0)

func testPeerID(i int) mvds.PeerID {
	h := sha256.Sum256([]byte(fmt.Sprintf("driver peer %d", i)))
	var p mvds.PeerID
	p[0] = 0x04
	copy(p[1:], h[:])
	copy(p[33:], h[:])
	return p
}

// memNet is an in-memory network between drivers: Send calls the
// recipient's Receive directly (which never blocks). Drop, when set, decides
// per packet whether it is lost; a peer in down neither sends nor receives;
// Send fails (errSendFailed) for a sender in failing, and the packet does
// not leave.
type memNet struct {
	mu      sync.Mutex
	peers   map[mvds.PeerID]*Driver
	down    map[mvds.PeerID]bool
	failing map[mvds.PeerID]bool
	drop    func(from, to mvds.PeerID, payload []byte) bool
	sent    []packet // every packet handed to the network
}

var errSendFailed = errors.New("memnet: send failed")

type packet struct {
	from, to mvds.PeerID
	data     []byte
}

func newMemNet() *memNet {
	return &memNet{peers: make(map[mvds.PeerID]*Driver), down: make(map[mvds.PeerID]bool),
		failing: make(map[mvds.PeerID]bool)}
}

func (n *memNet) attach(id mvds.PeerID, d *Driver) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.peers[id] = d
}

func (n *memNet) setDown(id mvds.PeerID, down bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.down[id] = down
}

// endpoint is the Transport of one peer.
type endpoint struct {
	net *memNet
	id  mvds.PeerID
}

func (e endpoint) Send(ctx context.Context, to mvds.PeerID, pk Packet) error {
	payload := pk.Payload
	n := e.net
	n.mu.Lock()
	if n.failing[e.id] {
		n.mu.Unlock()
		return errSendFailed
	}
	n.sent = append(n.sent, packet{from: e.id, to: to, data: payload})
	d := n.peers[to]
	lost := n.down[e.id] || n.down[to] || d == nil || (n.drop != nil && n.drop(e.id, to, payload))
	n.mu.Unlock()
	if lost {
		return nil
	}
	if err := d.Receive(e.id, payload); err != nil {
		return fmt.Errorf("memnet: %w", err)
	}
	return nil
}

// deliveries records what the application of one peer got, across
// restarts of its driver.
type deliveries struct {
	mu    sync.Mutex
	count map[mvds.MessageID]int
	order []mvds.Message
}

func (r *deliveries) deliver(d Delivery) {
	m := d.Message
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == nil {
		r.count = make(map[mvds.MessageID]int)
	}
	r.count[m.ID()]++
	r.order = append(r.order, m)
}

func (r *deliveries) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.order)
}

// peer is one driver with its clock, store and application.
type peer struct {
	id    mvds.PeerID
	clock *ManualClock
	d     *Driver
	app   *deliveries
	db    *storage.LevelDB // nil for the in-memory KV
	dir   string
	kv    storage.KV
	wrap  func(Store) Store  // optional, applied to the store at each start
	armed chan time.Duration // optional: reports each timer made on clock
	opts  []Option           // optional, passed to New after the harness's own
	tune  func(*Config)      // optional, applied to DefaultConfig at each start
}

// newPeer starts a driver for id on net. dir "" selects the in-memory KV.
func newPeer(t *testing.T, net *memNet, id mvds.PeerID, dir string) *peer {
	t.Helper()
	return newPeerWith(t, net, id, dir, nil)
}

func newPeerWith(t *testing.T, net *memNet, id mvds.PeerID, dir string, wrap func(Store) Store) *peer {
	t.Helper()
	p := &peer{id: id, clock: NewManualClock(t0), app: &deliveries{}, dir: dir, wrap: wrap}
	if dir == "" {
		p.kv = storage.NewMemory()
	}
	p.start(t, net)
	return p
}

// newTunedPeer is newPeer with tune applied to its configuration.
func newTunedPeer(t *testing.T, net *memNet, id mvds.PeerID, tune func(*Config)) *peer {
	t.Helper()
	p := &peer{id: id, clock: NewManualClock(t0), app: &deliveries{}, kv: storage.NewMemory(), tune: tune}
	p.start(t, net)
	return p
}

func (p *peer) start(t *testing.T, net *memNet) {
	t.Helper()
	if p.dir != "" {
		db, err := storage.OpenLevelDB(filepath.Join(p.dir, "db"))
		if err != nil {
			t.Fatal(err)
		}
		p.db, p.kv = db, db
	}
	var st Store = datasyncstore.New(storage.NewTable(p.kv, datasyncstore.TableName))
	if p.wrap != nil {
		st = p.wrap(st)
	}
	cfg := DefaultConfig(p.id)
	if p.tune != nil {
		p.tune(&cfg)
	}
	var clock Clock = p.clock
	if p.armed != nil {
		clock = armedClock{p.clock, p.armed}
	}
	opts := append([]Option{WithClock(clock), WithLogger(zaptest.NewLogger(t))}, p.opts...)
	d, err := New(cfg, st, endpoint{net, p.id}, p.app.deliver, opts...)
	if err != nil {
		t.Fatal(err)
	}
	net.attach(p.id, d)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	p.d = d
	t.Cleanup(func() { p.stop(t) })
}

// stop stops the driver and closes its database; it may be called again.
func (p *peer) stop(t *testing.T) {
	t.Helper()
	if err := p.d.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if p.db != nil {
		if err := p.db.Close(); err != nil {
			t.Errorf("close db: %v", err)
		}
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// round advances every peer's clock by one tick, in order, each tick fully
// processed before the next peer's, then lets every driver process what the
// others sent it. The order of events is therefore the same on every run.
func round(t *testing.T, peers ...*peer) {
	t.Helper()
	ctx := ctxT(t)
	for _, p := range peers {
		if err := p.clock.Advance(ctx, mvds.StatusTickMillis*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if err := p.d.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range peers {
		if err := p.d.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// runUntil runs rounds until cond holds, failing after max rounds.
func runUntil(t *testing.T, max int, what string, cond func() bool, peers ...*peer) int {
	t.Helper()
	for i := 0; i < max; i++ {
		if cond() {
			return i
		}
		round(t, peers...)
	}
	if !cond() {
		t.Fatalf("not %s after %d rounds", what, max)
	}
	return max
}

func outstanding(t *testing.T, p *peer) int {
	t.Helper()
	s, err := p.d.Status(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return s.Outstanding
}

func groupOf(t *testing.T, a, b mvds.PeerID) mvds.GroupID {
	t.Helper()
	g, err := mvds.OneToOneGroupID(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// connect makes a and b peers of their 1:1 group and returns it.
func connect(t *testing.T, a, b *peer) mvds.GroupID {
	t.Helper()
	g := groupOf(t, a.id, b.id)
	for _, x := range [][2]*peer{{a, b}, {b, a}} {
		if err := x[0].d.AddPeer(ctxT(t), g, x[1].id); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// armedClock is a ManualClock that reports the duration of every timer
// made on it, so that a test knows a wait began before it advances.
type armedClock struct {
	*ManualClock
	armed chan time.Duration
}

func (c armedClock) NewTimer(d time.Duration) Ticker {
	t := c.ManualClock.NewTimer(d)
	c.armed <- d
	return t
}

// nextTimer returns the duration of the next timer made on p's clock.
func (p *peer) nextTimer(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-p.armed:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no retry wait began")
		return 0
	}
}
