package mailserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/transport/mailserver/archive"
	"github.com/statusnode/statusd/transport/whisper"
)

// mailserverNode is a test node running the server role.
type mailserverNode struct {
	*testNode
	server *Server
	arch   archive.Archive
}

func newMailserverNode(t *testing.T, name string) *mailserverNode {
	t.Helper()
	n := &mailserverNode{testNode: newNode(t, name)}
	arch, err := archive.OpenLevelDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { arch.Close() })
	n.arch = arch
	n.server, err = NewServer(ServerConfig{Archive: arch, NodeKey: n.key, Password: "status-offline-inbox"}, n.w, zaptest.NewLogger(t).Named(name), n.reg)
	if err != nil {
		t.Fatal(err)
	}
	n.w.SetEnvelopeHook(EnvelopeHook(n.server, nil))
	if err := n.server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.server.Stop() })
	return n
}

// kill takes the mailserver off the network.
func (n *mailserverNode) kill() {
	n.server.Stop()
	n.p2p.Stop()
	n.w.Stop()
}

// fakePing answers with a fixed round trip per node, but only for nodes
// that accept a TCP connection, and counts its calls.
type fakePing struct {
	rtt   map[enode.ID]time.Duration
	calls atomic.Int32
}

func (f *fakePing) ping(ctx context.Context, n *enode.Node) (time.Duration, error) {
	f.calls.Add(1)
	if _, err := TCPPing(ctx, n); err != nil {
		return 0, err
	}
	return f.rtt[n.ID()], nil
}

func startSelectingClient(t *testing.T, c *testNode, store storage.KV, servers []*enode.Node, ping Pinger, mods ...func(*ClientConfig)) *Client {
	t.Helper()
	cfg := ClientConfig{
		NodeKey: c.key, Store: store, Mailservers: servers, Timeout: time.Second, OnlineTick: time.Hour,
		MaxFailures: 2, ConnectTimeout: 2 * time.Second, PingTimeout: time.Second, Ping: ping,
	}
	for _, m := range mods {
		m(&cfg)
	}
	cl, err := NewClient(cfg, c.w, zaptest.NewLogger(t).Named("client"))
	if err != nil {
		t.Fatal(err)
	}
	c.w.SetEnvelopeHook(EnvelopeHook(nil, cl))
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Stop() })
	if err := cl.StartSelection(c.p2p); err != nil {
		t.Fatal(err)
	}
	return cl
}

// TestSelectionFailover: three local mailservers archive a sender's
// messages. The client keeps the one with the fastest ping connected and
// fetches history from it; when that mailserver dies, the client fails over
// to the next fastest within MaxFailures failed requests and fetches what
// was sent meanwhile from it. A restarted client goes back to the
// mailserver it used last without pinging.
func TestSelectionFailover(t *testing.T) {
	s := newNode(t, "sender")
	ms := []*mailserverNode{newMailserverNode(t, "m1"), newMailserverNode(t, "m2"), newMailserverNode(t, "m3")}
	servers := make([]*enode.Node, len(ms))
	for i, m := range ms {
		connect(t, s, m.testNode)
		servers[i] = m.self()
	}
	m1, m2 := ms[0], ms[1]
	id1, id2 := servers[0].ID(), servers[1].ID() // Self() is nil once a node stopped
	ping := &fakePing{rtt: map[enode.ID]time.Duration{id1: 20 * time.Millisecond, id2: 10 * time.Millisecond, servers[2].ID(): 30 * time.Millisecond}}
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	archived := func(m *mailserverNode, n int) func() bool {
		return func() bool { c, _ := m.arch.Count(context.Background()); return c == n }
	}
	from := uint32(time.Now().Unix()) - 60
	for i := range 3 {
		post(t, s, &key, topic, fmt.Sprintf("early-%d", i))
	}
	for _, m := range ms {
		testutil.WaitFor(t, 10*time.Second, "archived", archived(m, 3))
	}

	c := newNode(t, "client")
	store := storage.NewTable(storage.NewMemory(), TableName)
	col := collect(t, c.w, &key, topic)
	cl := startSelectingClient(t, c, store, servers, ping.ping)
	request := func(cl *Client) (*enode.Node, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		p := RequestParams{Lower: from, Upper: uint32(time.Now().Unix()) + 5, Topics: []wproto.Topic{topic}, FollowCursor: true}
		_, used, err := cl.RequestAny(ctx, p)
		return used, err
	}
	used, err := request(cl)
	if err != nil || used.ID() != id2 {
		t.Fatalf("first request: %v from %v, want m2", err, used)
	}
	testutil.WaitFor(t, 5*time.Second, "early history", func() bool { d, _, _ := col.count(); return d == 3 })

	m2.kill()
	testutil.WaitFor(t, 10*time.Second, "m2 gone", func() bool { return !c.w.HasPeer(id2) })
	for i := range 2 {
		post(t, s, &key, topic, fmt.Sprintf("late-%d", i))
	}
	testutil.WaitFor(t, 10*time.Second, "archived", archived(m1, 5))

	failed := 0
	for used, err = request(cl); err != nil; used, err = request(cl) {
		if !errors.Is(err, ErrTimeout) && !errors.Is(err, whisper.ErrPeerNotFound) {
			t.Fatalf("request failed with %v", err)
		}
		if failed++; failed >= 2 {
			t.Fatalf("still failing after %d requests", failed)
		}
	}
	if used.ID() != id1 || cl.Selected().ID() != id1 {
		t.Fatalf("after failover: used %v, selected %v, want m1", used, cl.Selected())
	}
	testutil.WaitFor(t, 5*time.Second, "late history", func() bool { d, _, _ := col.count(); return d == 5 })
	t.Logf("failed over after %d failed request(s) (MaxFailures 2)", failed+1)
	if order := cl.Mailservers(); order[0].ID() != id1 || order[2].ID() != id2 {
		t.Errorf("failover order %v", order)
	}

	// Restart: the last used mailserver first, without pinging.
	cl.Stop()
	before := ping.calls.Load()
	cl2 := startSelectingClient(t, c, store, servers, ping.ping)
	testutil.WaitFor(t, 5*time.Second, "selection after restart", func() bool { return cl2.Selected() != nil })
	if cl2.Selected().ID() != id1 || ping.calls.Load() != before {
		t.Fatalf("after restart: selected %v with %d pings, want m1 without", cl2.Selected(), ping.calls.Load()-before)
	}
	if used, err := request(cl2); err != nil || used.ID() != id1 {
		t.Fatalf("request after restart: %v from %v", err, used)
	}
}

// TestSelectionFoundMailservers: a client without configured mailservers
// selects the first mailserver discovery reports, fails over to a later
// one, and after a restart has both again from its store, the one used
// last selected without pinging.
func TestSelectionFoundMailservers(t *testing.T) {
	m1, m2 := newMailserverNode(t, "m1"), newMailserverNode(t, "m2")
	n1, n2 := m1.self(), m2.self()
	ping := &fakePing{rtt: map[enode.ID]time.Duration{n1.ID(): 10 * time.Millisecond, n2.ID(): 20 * time.Millisecond}}
	c := newNode(t, "client")
	store := storage.NewTable(storage.NewMemory(), TableName)
	cl := startSelectingClient(t, c, store, nil, ping.ping)
	if cl.Selected() != nil || len(cl.Mailservers()) != 0 {
		t.Fatalf("selected %v among %v before any was found", cl.Selected(), cl.Mailservers())
	}
	cl.AddMailserver(n1)
	testutil.WaitFor(t, 5*time.Second, "found mailserver selected and connected", func() bool {
		sel := cl.Selected()
		return sel != nil && sel.ID() == n1.ID() && c.w.HasPeer(n1.ID())
	})
	cl.AddMailserver(n2)
	cl.AddMailserver(n2) // again: no second candidate
	if got := cl.Mailservers(); len(got) != 2 || got[0].ID() != n1.ID() || got[1].ID() != n2.ID() {
		t.Fatalf("candidates %v, want m1, m2", got)
	}
	request := func(cl *Client) (*enode.Node, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		now := uint32(time.Now().Unix())
		_, used, err := cl.RequestAny(ctx, RequestParams{Lower: now - 60, Upper: now + 5, Topics: []wproto.Topic{wproto.TopicFromName("status")}})
		return used, err
	}
	m1.kill()
	var used *enode.Node
	var err error
	for failed := 0; ; failed++ {
		if used, err = request(cl); err == nil {
			break
		}
		if failed >= 2 {
			t.Fatalf("still failing after %d requests: %v", failed+1, err)
		}
	}
	if used.ID() != n2.ID() {
		t.Fatalf("answered by %v, want m2", used)
	}

	cl.Stop()
	before := ping.calls.Load()
	cl2 := startSelectingClient(t, c, store, nil, ping.ping)
	testutil.WaitFor(t, 5*time.Second, "selection after restart", func() bool { return cl2.Selected() != nil })
	if cl2.Selected().ID() != n2.ID() || ping.calls.Load() != before || len(cl2.Mailservers()) != 2 {
		t.Fatalf("after restart: selected %v among %v with %d pings, want m2 of two without", cl2.Selected(), cl2.Mailservers(), ping.calls.Load()-before)
	}
}

// TestFoundMailserversBounded: the store keeps the maxFound mailservers
// found last and drops records it cannot read.
func TestFoundMailserversBounded(t *testing.T) {
	c := newNode(t, "client")
	store := storage.NewTable(storage.NewMemory(), TableName)
	now := time.Unix(1_700_000_000, 0)
	cl, err := NewClient(ClientConfig{NodeKey: c.key, Store: store, OnlineTick: time.Hour, Now: func() time.Time { return now }},
		c.w, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*enode.Node
	for i := range maxFound + 2 {
		key, _ := crypto.GenerateKey()
		n := enode.NewV4(&key.PublicKey, net.IPv4(127, 0, 0, 1), 30000+i, 30000+i)
		nodes = append(nodes, n)
		now = now.Add(time.Second)
		cl.AddMailserver(n)
	}
	if err := store.Put(foundKey(enode.ID{1}), []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	got := cl.loadFound()
	if len(got) != maxFound || got[0].ID() != nodes[len(nodes)-1].ID() || got[maxFound-1].ID() != nodes[2].ID() {
		t.Fatalf("loaded %d, first %v", len(got), got[0])
	}
	if again := cl.loadFound(); len(again) != maxFound {
		t.Fatalf("second load %d", len(again))
	}
	if _, err := store.Get(foundKey(enode.ID{1})); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("garbage kept: %v", err)
	}
}

// TestBackfillFromFoundMailserver: with Backfill on and no configured
// mailserver, the first mailserver found by discovery that connects fills
// the tracked topics' history, as a configured one would.
func TestBackfillFromFoundMailserver(t *testing.T) {
	m, key, topic := archivedMessage(t)

	c := newNode(t, "client")
	ping := &fakePing{rtt: map[enode.ID]time.Duration{m.self().ID(): time.Millisecond}}
	cl := startSelectingClient(t, c, storage.NewTable(storage.NewMemory(), TableName), nil, ping.ping,
		func(cfg *ClientConfig) { cfg.Backfill = true })
	col := collect(t, c.w, &key, topic)
	if err := cl.Track(topic); err != nil {
		t.Fatal(err)
	}
	events := cl.Subscribe(16)
	defer events.Unsubscribe()
	cl.AddMailserver(m.self())
	// The envelope may also come live from the mailserver's pool; the gap
	// filled is what says the backfill ran.
	waitGapFilled(t, events, topic, 0, "no backfill from the found mailserver")
	testutil.WaitFor(t, 5*time.Second, "the message shown", func() bool {
		d, _, _ := col.count()
		return d == 1
	})
}

// TestBackfillWithoutPeerEvent: the configured mailserver connected before
// the client subscribed to the router's events, so no peer event announces
// it (as when the bounded subscription drops one); the next online tick
// finds it connected and the backfill still runs.
func TestBackfillWithoutPeerEvent(t *testing.T) {
	m, _, topic := archivedMessage(t)

	c := newNode(t, "client")
	connect(t, c, m.testNode)
	cl := backfillClient(t, c, m, topic, 20*time.Millisecond)
	events := cl.Subscribe(16)
	defer events.Unsubscribe()
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Stop() })
	waitGapFilled(t, events, topic, 0, "no backfill from the mailserver connected before Start")
}

// TestBackfillFetchesTheGapBeforeOnlineCoverage: online coverage recorded
// since the node came back (a relay connected before the mailserver) must
// not hide the gap before it: the backfill fetches every gap of its
// window, not only what follows the last covered second.
func TestBackfillFetchesTheGapBeforeOnlineCoverage(t *testing.T) {
	m, key, topic := archivedMessage(t)

	// The topic was covered from two hours until one hour before the
	// message (the last session), and online coverage runs from 100 s
	// after it (beyond the overlap) on: the message is in the gap before.
	c := newNode(t, "client")
	sent := time.Now()
	cl := backfillClient(t, c, m, topic, time.Hour)
	col := collect(t, c.w, &key, topic)
	unix := func(t time.Time) uint32 { return uint32(t.Unix()) }
	for _, r := range []Range{
		{From: unix(sent.Add(-2 * time.Hour)), To: unix(sent.Add(-time.Hour))},
		{From: unix(sent.Add(100 * time.Second)), To: unix(sent.Add(time.Hour))},
	} {
		if err := cl.Cover(topic, r); err != nil {
			t.Fatal(err)
		}
	}
	events := cl.Subscribe(16)
	defer events.Unsubscribe()
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Stop() })
	connect(t, c, m.testNode)
	// The envelope also comes live from the mailserver's pool; the gap
	// around it filled is what says the backfill fetched it.
	waitGapFilled(t, events, topic, unix(sent), "the gap before the online coverage was not filled")
	testutil.WaitFor(t, 5*time.Second, "the message shown", func() bool {
		d, _, _ := col.count()
		return d == 1
	})
}

// archivedMessage starts a mailserver whose archive holds one message a
// sender posted on the "status" topic, and returns it with the topic's key.
func archivedMessage(t *testing.T) (*mailserverNode, wproto.SymKey, wproto.Topic) {
	t.Helper()
	m := newMailserverNode(t, "m")
	s := newNode(t, "sender")
	connect(t, s, m.testNode)
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	post(t, s, &key, topic, "while-away")
	testutil.WaitFor(t, 10*time.Second, "archived", func() bool {
		n, _ := m.arch.Count(context.Background())
		return n == 1
	})
	return m, key, topic
}

// waitGapFilled waits up to 10 s for an EventGapFilled of topic (whose
// range holds at, unless at is 0) and fails the test with failure if none
// comes.
func waitGapFilled(t *testing.T, events *Subscription, topic wproto.Topic, at uint32, failure string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events.C():
			if ev.Kind == EventGapFilled && ev.Topic == topic && (at == 0 || ev.Range.From <= at && at <= ev.Range.To) {
				return
			}
		case <-deadline:
			t.Fatal(failure)
		}
	}
}

// backfillClient returns a client of node c, not started, with backfill on
// from its one configured mailserver m, tracking topic.
func backfillClient(t *testing.T, c *testNode, m *mailserverNode, topic wproto.Topic, tick time.Duration) *Client {
	t.Helper()
	cl, err := NewClient(ClientConfig{
		NodeKey: c.key, Store: storage.NewTable(storage.NewMemory(), TableName),
		Mailservers: []*enode.Node{m.self()}, Timeout: time.Second, OnlineTick: tick, Backfill: true,
	}, c.w, zaptest.NewLogger(t).Named("client"))
	if err != nil {
		t.Fatal(err)
	}
	c.w.SetEnvelopeHook(EnvelopeHook(nil, cl))
	if err := cl.Track(topic); err != nil {
		t.Fatal(err)
	}
	return cl
}

// hookPeers is a PeerManager that calls onKeep before each KeepPeer.
type hookPeers struct {
	onKeep func(*enode.Node)
}

func (h *hookPeers) KeepPeer(n *enode.Node) { h.onKeep(n) }
func (h *hookPeers) DropPeer(*enode.Node)   {}

// A mailserver found while selection is choosing (here: between its
// ranking and its decision, from KeepPeer) stays a candidate in the
// failover order, after the one chosen; one found again at a new address
// meanwhile keeps the new address.
func TestSelectionKeepsFoundWhileChoosing(t *testing.T) {
	c := newNode(t, "client")
	store := storage.NewTable(storage.NewMemory(), TableName)
	k0, _ := crypto.GenerateKey()
	k1, _ := crypto.GenerateKey()
	first := enode.NewV4(&k0.PublicKey, net.IPv4(127, 0, 0, 1), 30000, 30000)
	moved := enode.NewV4(&k0.PublicKey, net.IPv4(127, 0, 0, 1), 31000, 31000) // first, elsewhere now
	second := enode.NewV4(&k1.PublicKey, net.IPv4(127, 0, 0, 1), 30001, 30001)
	cl, err := NewClient(ClientConfig{NodeKey: c.key, Store: store, OnlineTick: time.Hour, PingTimeout: time.Second,
		Ping: func(context.Context, *enode.Node) (time.Duration, error) { return time.Millisecond, nil }},
		c.w, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Stop() })
	var once atomic.Bool
	peers := &hookPeers{onKeep: func(*enode.Node) {
		if once.CompareAndSwap(false, true) {
			cl.AddMailserver(second)
			cl.AddMailserver(moved)
		}
	}}
	if err := cl.StartSelection(peers); err != nil {
		t.Fatal(err)
	}
	cl.AddMailserver(first)
	testutil.WaitFor(t, 5*time.Second, "the first mailserver found selected", func() bool { return cl.Selected() != nil })
	got := cl.Mailservers()
	if len(got) != 2 || got[0].ID() != first.ID() || got[1].ID() != second.ID() {
		t.Fatalf("failover order %v; want the first found, then the second", got)
	}
	if got[0].TCP() != moved.TCP() {
		t.Fatalf("first mailserver at port %d, want its new port %d", got[0].TCP(), moved.TCP())
	}
}
