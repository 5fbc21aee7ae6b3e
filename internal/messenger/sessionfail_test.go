package messenger_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// sessionFaultNode starts a messenger whose session store (the
// encryption layer's) fails on demand through the returned FaultStore,
// its store retries timed by the returned clock.
func sessionFaultNode(t *testing.T, h *harness) (*node, *et.FaultStore, *messenger.ArmedClock) {
	t.Helper()
	key := newKey(t)
	clock := messenger.NewArmedClock(t0)
	var fs *et.FaultStore
	wrap := func(st encryption.Store) encryption.Store {
		fs = et.NewFaultStore(st)
		return fs
	}
	m, err := messenger.NewWithSessionStore(h.config(key), storage.NewMemory(), h.net.Join(key), wrap, clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	return &node{Messenger: m, key: key}, fs, clock
}

// encClient is a 2019 client with data sync off that encrypts: its 1:1
// payloads are bare status messages (not MVDS) in a ProtocolMessage, on a
// Double Ratchet session once it knows the recipient's bundle. Nothing
// retransmits what it sent.
type encClient struct {
	key *ecdsa.PrivateKey
	enc *encryption.Manager
}

func newEncClient(t *testing.T) *encClient {
	key := newKey(t)
	m, err := encryption.NewManager(encryption.Config{Identity: key, InstallationID: "carol-installation"}, et.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	return &encClient{key: key, enc: m}
}

func (c *encClient) hex() string { return message.PubKeyHex(&c.key.PublicKey) }

// learn reads n's contact code, so that what c sends next starts a session.
func (c *encClient) learn(t *testing.T, h *harness, n *node) {
	t.Helper()
	code, err := n.Pairing().ContactCode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.enc.HandleMessage(h.net.Now(), rand.Reader, &n.key.PublicKey, code); err != nil {
		t.Fatal(err)
	}
}

// say encrypts a bare 1:1 text to n and posts it on the topic the
// encryption layer picks.
func (c *encClient) say(t *testing.T, h *harness, n *node, text string, clock int64) {
	t.Helper()
	raw, err := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypeOneToOne,
		Clock: clock, Timestamp: h.net.Now().UnixMilli(), Content: message.Content{ChatID: n.PublicKey(), Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := c.enc.SendDirect(h.net.Now(), rand.Reader, &n.key.PublicKey, raw)
	if err != nil || len(outs) != 1 {
		t.Fatalf("encrypt %q: %d messages, %v", text, len(outs), err)
	}
	h.net.Inject(&c.key.PublicKey, messenger.Envelope{Topic: whisper.Topic(outs[0].Route.Topic), PubKey: &n.key.PublicKey, Payload: outs[0].Payload})
}

// sessionEvents sorts what a subscription saw during a session-store
// failure spell.
type sessionEvents struct {
	failed    []messenger.StoreFailedEvent
	recovered []messenger.StoreRecoveredEvent
	undecrypt []messenger.DecryptFailedEvent
	shown     map[string]int
}

func (s *sessionEvents) take(sub *messenger.EventSubscription) {
	for ev := range drain(sub) {
		switch ev := ev.(type) {
		case messenger.StoreFailedEvent:
			s.failed = append(s.failed, ev)
		case messenger.StoreRecoveredEvent:
			s.recovered = append(s.recovered, ev)
		case messenger.DecryptFailedEvent:
			s.undecrypt = append(s.undecrypt, ev)
		case messenger.MessageEvent:
			s.shown[ev.Message.Text]++
		}
	}
}

// A 1:1 message from a peer without MVDS that arrives while the session
// store fails is not lost: it is not counted as undecryptable, the spell
// is published (once, for the receive path), Settle waits, and once the
// store works again the message decrypts and is shown exactly once; the
// session goes on.
func TestSessionStoreFailureKeepsDirectMessage(t *testing.T) {
	h := newHarness(t)
	bob, fs, clock := sessionFaultNode(t, h)
	carol := newEncClient(t)
	carol.learn(t, h, bob)
	sub := bob.Subscribe(1024)
	defer sub.Unsubscribe()
	ev := &sessionEvents{shown: map[string]int{}}

	fs.SetDown(true)
	carol.say(t, h, bob, "during", 1)
	testutil.WaitFor(t, wait, "the store failure event", func() bool {
		ev.take(sub)
		return len(ev.failed) > 0
	})
	d := clock.Next(t) // the receive goroutine waits to retry
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	err := bob.Settle(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Settle with a message held: %v, want the context's deadline", err)
	}
	if got := texts(t, bob, carol.hex()); len(got) != 0 {
		t.Fatalf("shown while the session store fails: %q", got)
	}
	// One more failed try, then the store works again.
	if err := clock.Advance(ctxT(t), d); err != nil {
		t.Fatal(err)
	}
	d = clock.Next(t)
	fs.SetDown(false)
	if err := clock.Advance(ctxT(t), d); err != nil {
		t.Fatal(err)
	}
	if got := waitTexts(t, bob, carol.hex(), 1); got[0] != "during" {
		t.Fatalf("bob has %q", got)
	}
	if err := bob.Settle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	carol.say(t, h, bob, "after", 2)
	waitTexts(t, bob, carol.hex(), 2)
	testutil.WaitFor(t, wait, "the recovery event", func() bool {
		ev.take(sub)
		return len(ev.recovered) > 0
	})
	ev.take(sub)
	if len(ev.failed) != 1 || ev.failed[0].Store != messenger.StoreMessages || ev.failed[0].Waiting != 1 ||
		!strings.Contains(ev.failed[0].Error, et.ErrFault.Error()) {
		t.Fatalf("failure events %+v, want one of the receive path", ev.failed)
	}
	if len(ev.recovered) != 1 || ev.recovered[0].Store != messenger.StoreMessages || ev.recovered[0].Tries != 2 {
		t.Fatalf("recovery events %+v, want one after 2 tries", ev.recovered)
	}
	if ev.shown["during"] != 1 || ev.shown["after"] != 1 || len(ev.undecrypt) != 0 {
		t.Fatalf("shown %v, undecryptable %+v; want each shown once, none undecryptable", ev.shown, ev.undecrypt)
	}
	if got := bob.Dropped(); len(got) != 0 {
		t.Fatalf("dropped %v", got)
	}
}

// Stop during a session-store failure spell returns promptly (the
// package's TestMain checks that no goroutine is left).
func TestStopDuringSessionStoreFailure(t *testing.T) {
	h := newHarness(t)
	bob, fs, clock := sessionFaultNode(t, h)
	carol := newEncClient(t)
	carol.learn(t, h, bob)
	sub := bob.Subscribe(1024)
	defer sub.Unsubscribe()
	ev := &sessionEvents{shown: map[string]int{}}
	fs.SetDown(true)
	carol.say(t, h, bob, "held", 1)
	testutil.WaitFor(t, wait, "the store failure event", func() bool {
		ev.take(sub)
		return len(ev.failed) > 0
	})
	clock.Next(t)
	done := make(chan error, 1)
	go func() { done <- bob.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("Stop did not return during a session-store failure")
	}
}

// A session record that does not decode is a counted drop, published as
// undecryptable, and the receive path goes on: no failure spell, Settle
// returns, and a later message that needs no such record is shown.
func TestCorruptSessionRecordDrops(t *testing.T) {
	h := newHarness(t)
	bob, fs, _ := sessionFaultNode(t, h)
	carol := newEncClient(t)
	carol.learn(t, h, bob)
	carol.say(t, h, bob, "first", 1)
	waitTexts(t, bob, carol.hex(), 1)
	sub := bob.Subscribe(1024)
	defer sub.Unsubscribe()
	ev := &sessionEvents{shown: map[string]int{}}

	var ops []encryption.Op
	if err := fs.Iterate(encryption.KindSession, nil, func(k, _ []byte) error {
		ops = append(ops, encryption.Op{Kind: encryption.KindSession, Key: append([]byte(nil), k...), Value: []byte("{not json")})
		return nil
	}); err != nil || len(ops) == 0 {
		t.Fatalf("sessions: %d, %v", len(ops), err)
	}
	if err := fs.Commit(ops); err != nil {
		t.Fatal(err)
	}
	carol.say(t, h, bob, "second", 2)
	waitDropped(t, bob, messenger.ReasonCorruptRecord, 1)
	if err := bob.Settle(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	// A bare payload needs no session: the receive path is not stalled.
	bare := &bareClient{key: carol.key}
	bare.say(t, h, bob, "third", 3)
	waitTexts(t, bob, carol.hex(), 2)
	ev.take(sub)
	if len(ev.failed) != 0 || len(ev.undecrypt) != 1 || ev.undecrypt[0].Reason != messenger.ReasonCorruptRecord {
		t.Fatalf("failures %+v, undecryptable %+v; want no spell and one corrupt-record drop", ev.failed, ev.undecrypt)
	}
	if got := texts(t, bob, carol.hex()); len(got) != 2 || got[1] != "third" {
		t.Fatalf("bob has %q", got)
	}
}

// Messages sent while the session store fails are not lost: the MVDS
// driver's sends fail (nothing to send was committed) and count for
// nothing, and once the store works they go out — to a peer with MVDS,
// and to one without it, whose sends are bounded.
func TestSessionStoreFailureOnSend(t *testing.T) {
	h := newHarness(t)
	bob, fs, _ := sessionFaultNode(t, h)
	alice := h.newNode()
	carol := newBareClient(t, h)
	carol.say(t, h, bob, "hello from a client without data sync", 1)
	waitTexts(t, bob, carol.hex(), 1)
	if _, err := bob.StartOneToOne(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	fs.SetDown(true)
	failed := fs.Failed()
	toAlice, err := bob.SendText(ctx, alice.PublicKey(), "to alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.SendText(ctx, carol.hex(), "to carol"); err != nil {
		t.Fatal(err)
	}
	// Enough failed sends that a bound of NonACKMaxSends would be spent.
	testutil.WaitFor(t, wait, "sends failing", func() bool {
		return messenger.DataSyncStats(bob.Messenger).SendErrors >= 8 && fs.Failed() > failed
	})
	if carol.received.Load() != 0 {
		t.Fatalf("carol got %d envelopes while the store failed", carol.received.Load())
	}
	fs.SetDown(false)
	waitTexts(t, alice, bob.PublicKey(), 1)
	waitDelivery(t, bob, []string{toAlice}, messenger.DeliveryAcked)
	testutil.WaitFor(t, wait, "carol to get the message", func() bool { return carol.received.Load() > 0 })
}
