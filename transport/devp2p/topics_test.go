package devp2p

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
)

// topicNode starts a server with discovery v4 and v5 on loopback, boot as
// its boot node, the "test" protocol carrying topics.
func topicNode(t *testing.T, name string, boot *Server, topics Topics) *Server {
	t.Helper()
	key, _ := crypto.GenerateKey()
	topics.Protocol, topics.Version = "test", 6
	cfg := Config{PrivateKey: key, Name: name, ListenAddr: "127.0.0.1:0", DiscoveryV5: true, MaxPeers: 10, Topics: topics}
	if boot != nil {
		cfg.BootNodes = []string{boot.Self().URLv4()}
	}
	s, err := New(cfg, zaptest.NewLogger(t).Named(name))
	if err != nil {
		t.Fatal(err)
	}
	proto := p2p.Protocol{Name: "test", Version: 1, Length: 1, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		_, err := rw.ReadMsg() // until disconnect
		return err
	}}
	if err := s.Register(proto); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// TestTopicSearch: a node's roles are entries of its record, and a node
// searching discovery dials only the relays among the nodes it finds and
// reports the mailservers. Every node searches, and only the relay
// advertises itself as one, so every connection of the searcher is one it
// dialled because of the relay entry.
func TestTopicSearch(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) }) // after the servers' cleanups
	search := Topics{Search: true, MaxRelays: 2, MaxMailservers: 3}
	boot := topicNode(t, "boot", nil, search)
	relayTopics := search
	relayTopics.Relay = true
	relay := topicNode(t, "relay", boot, relayTopics)
	mailTopics := search
	mailTopics.Mailserver = true
	mail := topicNode(t, "mail", boot, mailTopics)
	plain := topicNode(t, "plain", boot, search)

	if !IsRelay(relay.Self()) || IsMailserver(relay.Self()) || !IsMailserver(mail.Self()) || IsRelay(mail.Self()) || IsRelay(plain.Self()) {
		t.Fatal("roles not in the records")
	}
	var e RelayEntry
	if err := relay.Self().Load(&e); err != nil || e.Version != 6 {
		t.Fatalf("relay entry %+v: %v", e, err)
	}

	var mu sync.Mutex
	var found []enode.ID
	searcher := search
	searcher.FoundMailserver = func(n *enode.Node) {
		mu.Lock()
		defer mu.Unlock()
		found = append(found, n.ID())
	}
	s := topicNode(t, "searcher", boot, searcher)
	testutil.WaitFor(t, 30*time.Second, "relay dialled and mailserver found", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.ContainsFunc(s.PeersInfo(), func(p *p2p.PeerInfo) bool { return p.ID == relay.Self().ID().String() }) &&
			slices.Contains(found, mail.Self().ID())
	})
	for _, p := range s.PeersInfo() {
		if p.ID != relay.Self().ID().String() {
			t.Errorf("connected to %s (%s), not a relay", p.Name, p.ID)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(found) != 1 {
		t.Errorf("found %v, want only the mailserver", found)
	}
}

// fakeIter yields nodes until closed.
type fakeIter struct {
	nodes  chan *enode.Node
	cur    *enode.Node
	closed chan struct{}
	once   sync.Once
}

func (f *fakeIter) Next() bool {
	select {
	case f.cur = <-f.nodes:
		return true
	case <-f.closed:
		return false
	}
}
func (f *fakeIter) Node() *enode.Node { return f.cur }
func (f *fakeIter) Close()            { f.once.Do(func() { close(f.closed) }) }

// TestRelayLimiter: the limiter skips relays already connected, hands over
// others until max of them are connected or pending, and again once a
// pending one is given up on.
func TestRelayLimiter(t *testing.T) {
	it := &fakeIter{nodes: make(chan *enode.Node, 4), closed: make(chan struct{})}
	var nodes []*enode.Node
	for range 4 {
		key, _ := crypto.GenerateKey()
		n := enode.NewV4(&key.PublicKey, nil, 0, 0)
		nodes = append(nodes, n)
		it.nodes <- n
	}
	l := newRelayLimiter(it, 2)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	peers := peerLister(func() []*p2p.Peer { return []*p2p.Peer{p2p.NewPeer(nodes[0].ID(), "inbound", nil)} })
	l.peers.Store(&peers)
	for i := 1; i <= 2; i++ {
		if !l.Next() || l.Node() != nodes[i] {
			t.Fatalf("relay %d not handed over", i)
		}
	}
	if got := l.busy(); got != 2 {
		t.Fatalf("busy %d, want 2", got)
	}
	now = now.Add(relayPending) // neither connected: both given up on
	if got := l.busy(); got != 0 {
		t.Fatalf("busy after the pending time %d, want 0", got)
	}
	if !l.Next() || l.Node() != nodes[3] {
		t.Fatal("last relay not handed over")
	}
	l.Close()
	if l.Next() {
		t.Fatal("Next after Close")
	}
}
