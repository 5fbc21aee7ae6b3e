package whisperadapter

import (
	"context"
	"crypto/ecdsa"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a settable clock shared by the routers and adapters of a test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type side struct {
	w   *whisper.Whisper
	a   *Adapter
	key *ecdsa.PrivateKey
}

// newSide starts a router and an adapter on clock c; opts adjust the
// adapter's Config.
func newSide(t *testing.T, c *clock, opts ...func(*Config)) *side {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := whisper.DefaultConfig()
	cfg.Now = c.Now
	w, err := whisper.New(cfg, key, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	acfg := Config{Now: c.Now, Logger: zaptest.NewLogger(t)}
	for _, o := range opts {
		o(&acfg)
	}
	a := New(w, key, acfg)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Stop(); w.Stop() })
	return &side{w: w, a: a, key: key}
}

// link runs the shh/6 protocol of a and b over an in-memory pipe; a knows
// b as enode ID {2}, b knows a as {1}.
func link(t *testing.T, a, b *whisper.Whisper) { t.Helper(); linkAs(t, a, b, 1, 2) }

// linkAs is link with the enode IDs each side gives the other: a knows b
// as {bID}, b knows a as {aID}.
func linkAs(t *testing.T, a, b *whisper.Whisper, aID, bID byte) {
	t.Helper()
	before := a.PeerCount()
	rwA, rwB := p2p.MsgPipe()
	var wg sync.WaitGroup
	wg.Add(2)
	run := func(w *whisper.Whisper, id byte, rw *p2p.MsgPipeRW) {
		defer wg.Done()
		w.Protocol().Run(p2p.NewPeerPipe(enode.ID{id}, "peer", nil, rw), rw)
	}
	go run(a, bID, rwA)
	go run(b, aID, rwB)
	t.Cleanup(func() { rwA.Close(); wg.Wait() })
	testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return a.PeerCount() == before+1 && b.PeerCount() >= 1 })
}

// chanSink is a Sink writing into a buffered channel.
func chanSink() (messenger.Sink, <-chan messenger.ReceivedMessage) {
	ch := make(chan messenger.ReceivedMessage, 64)
	return func(m messenger.ReceivedMessage) { ch <- m }, ch
}

func receive(t *testing.T, ch <-chan messenger.ReceivedMessage) messenger.ReceivedMessage {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
	return messenger.ReceivedMessage{}
}

func envelopeEvent(t *testing.T, a *Adapter) messenger.EnvelopeEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-a.EnvelopeEvents():
			if ev.Kind == messenger.PeerConnected {
				continue // peer events: TestPeerEvents
			}
			return ev
		case <-deadline:
			t.Fatal("no envelope event")
		}
		return messenger.EnvelopeEvent{}
	}
}

// TestSymmetricAndAsymmetric: a symmetric post reaches the peer's filter
// signed by the poster, sealed with Status's PoW, and is reported sent
// once, then expired after its TTL; an asymmetric post reaches the
// recipient's identity filter.
func TestSymmetricAndAsymmetric(t *testing.T) {
	c := &clock{now: time.Now()}
	alice, bob := newSide(t, c), newSide(t, c)
	topic := wproto.TopicFromName("status")
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	sink, ch := chanSink()
	sub, err := bob.a.JoinSymmetric(topic, key, sink)
	if err != nil {
		t.Fatal(err)
	}
	link(t, alice.w, bob.w)

	h, err := alice.a.Post(context.Background(), messenger.Envelope{Topic: topic, SymKey: &key, Payload: []byte("hi"), TTL: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m := receive(t, ch)
	if string(m.Payload) != "hi" || m.Hash != h || m.Topic != topic || m.Signer == nil || !m.Signer.Equal(&alice.key.PublicKey) {
		t.Fatalf("received %+v", m)
	}
	// bob's router confirms (code 11): sent at its acknowledgement, which
	// is reported as well.
	bobPeer := enode.ID{2}.String() // how link names bob to alice
	if ev := envelopeEvent(t, alice.a); ev != (messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeSent, Peer: bobPeer}) {
		t.Fatalf("event %+v", ev)
	}
	if ev := envelopeEvent(t, alice.a); ev != (messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeAcknowledged, Peer: bobPeer}) {
		t.Fatalf("event %+v", ev)
	}
	c.Add(12 * time.Second) // the sweeper runs every second on the shared clock
	if ev := envelopeEvent(t, alice.a); ev != (messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeExpired}) {
		t.Fatalf("event %+v", ev)
	}

	asink, ach := chanSink()
	if _, err := alice.a.JoinAsymmetric([]wproto.Topic{wproto.TopicFromName("contact-discovery")}, asink); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.a.Post(context.Background(), messenger.Envelope{Topic: wproto.TopicFromName("contact-discovery"),
		PubKey: &alice.key.PublicKey, Payload: []byte("direct")}); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, ach); string(m.Payload) != "direct" || !m.Signer.Equal(&bob.key.PublicKey) {
		t.Fatalf("received %+v", m)
	}
	sub.Unsubscribe()
	sub.Unsubscribe()
	if n := subsOf(bob.a); n != 0 {
		t.Fatalf("%d subscriptions after Unsubscribe", n)
	}
}

func subsOf(a *Adapter) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.subs)
}

// TestSinkBackPressure: while the messenger's Sink blocks, the router's
// delivering goroutine waits instead of dropping; once the Sink resumes
// every message arrives, and our own posts never reach it.
func TestSinkBackPressure(t *testing.T) {
	c := &clock{now: time.Now()}
	alice, bob := newSide(t, c), newSide(t, c)
	topic := wproto.TopicFromName("status")
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	got := make(chan string, 100)
	sink := func(m messenger.ReceivedMessage) {
		<-gate // the first call holds the delivering goroutine
		got <- string(m.Payload)
	}
	if _, err := bob.a.JoinSymmetric(topic, key, sink); err != nil {
		t.Fatal(err)
	}
	ownSink, own := chanSink()
	if _, err := alice.a.JoinSymmetric(topic, key, ownSink); err != nil {
		t.Fatal(err)
	}
	link(t, alice.w, bob.w)
	const n = 20
	for i := 0; i < n; i++ {
		if _, err := alice.a.Post(context.Background(), messenger.Envelope{Topic: topic, SymKey: &key, Payload: []byte{byte('a' + i)}}); err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	seen := map[string]bool{}
	for len(seen) < n {
		select {
		case p := <-got:
			seen[p] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of %d messages after the sink resumed", len(seen), n)
		}
	}
	select {
	case m := <-own:
		t.Fatalf("own envelope reached the sink: %q", m.Payload)
	default:
	}
}

// TestPostChecksAndStop: an envelope needs exactly one key; after Stop the
// open subscriptions are closed and new ones and posts are refused.
func TestPostChecksAndStop(t *testing.T) {
	s := newSide(t, &clock{now: time.Now()})
	topic := wproto.TopicFromName("x")
	if _, err := s.a.Post(context.Background(), messenger.Envelope{Topic: topic, Payload: []byte("x")}); err == nil {
		t.Fatal("post without key accepted")
	}
	sink, _ := chanSink()
	if _, err := s.a.JoinAsymmetric([]wproto.Topic{topic}, sink); err != nil {
		t.Fatal(err)
	}
	s.a.Stop()
	s.a.Stop()
	if n := subsOf(s.a); n != 0 {
		t.Fatalf("%d subscriptions open after Stop", n)
	}
	if _, err := s.a.JoinAsymmetric([]wproto.Topic{topic}, sink); err == nil {
		t.Fatal("join after Stop")
	}
	k, _ := wproto.SymKeyFromPassword("x")
	if _, err := s.a.Post(context.Background(), messenger.Envelope{Topic: topic, SymKey: &k, Payload: []byte("x")}); err == nil {
		t.Fatal("post after Stop")
	}
}

// TestPeerEvents: PeerCount follows the router's peers and a peer that
// completes the handshake is reported as PeerConnected; an envelope posted
// while no peer was connected is sent to the peer when it connects.
func TestPeerEvents(t *testing.T) {
	c := &clock{now: time.Now()}
	alice, bob := newSide(t, c), newSide(t, c)
	topic := wproto.TopicFromName("status")
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	sink, ch := chanSink()
	if _, err := bob.a.JoinSymmetric(topic, key, sink); err != nil {
		t.Fatal(err)
	}
	if n := alice.a.PeerCount(); n != 0 {
		t.Fatalf("PeerCount %d before any link", n)
	}
	h, err := alice.a.Post(context.Background(), messenger.Envelope{Topic: topic, SymKey: &key, Payload: []byte("early"), TTL: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	link(t, alice.w, bob.w)
	if n := alice.a.PeerCount(); n != 1 {
		t.Fatalf("PeerCount %d after the handshake", n)
	}
	var connected, sent bool
	deadline := time.After(5 * time.Second)
	for !connected || !sent {
		select {
		case ev := <-alice.a.EnvelopeEvents():
			switch ev {
			case messenger.EnvelopeEvent{Kind: messenger.PeerConnected}:
				connected = true
			case messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeSent, Peer: enode.ID{2}.String()}:
				sent = true
			case messenger.EnvelopeEvent{Hash: h, Kind: messenger.EnvelopeAcknowledged, Peer: enode.ID{2}.String()}:
			default:
				t.Fatalf("event %+v", ev)
			}
		case <-deadline:
			t.Fatalf("events: connected %v, sent %v", connected, sent)
		}
	}
	if m := receive(t, ch); string(m.Payload) != "early" || m.Hash != h {
		t.Fatalf("received %+v", m)
	}
}
