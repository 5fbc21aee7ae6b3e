package messenger_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/eventbus"
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
	return sessionFaultNodeFor(t, h, newKey(t))
}

// sessionFaultNodeFor is sessionFaultNode for key, with opts.
func sessionFaultNodeFor(t *testing.T, h *harness, key *ecdsa.PrivateKey, opts ...nodeOpt) (*node, *et.FaultStore, *messenger.ArmedClock) {
	t.Helper()
	clock := messenger.NewArmedClock(t0)
	var fs *et.FaultStore
	wrap := func(st encryption.Store) encryption.Store {
		fs = et.NewFaultStore(st)
		return fs
	}
	m, receiving, err := messenger.NewWithSessionStore(h.config(key, opts...), storage.NewMemory(), h.net.Join(key), wrap, clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	select {
	case <-receiving:
	case <-time.After(wait):
		t.Fatal("the receive goroutine did not start")
	}
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
// sessionSpell starts bob over a failing session store, and carol, a
// peer without MVDS, whose message text reaches bob while the store is
// down; it returns once the failure spell was published.
func sessionSpell(t *testing.T, text string) (*harness, *node, *et.FaultStore, *messenger.ArmedClock, *encClient, *sessionEvents, func()) {
	t.Helper()
	h := newHarness(t)
	bob, fs, clock := sessionFaultNode(t, h)
	carol := newEncClient(t)
	carol.learn(t, h, bob)
	sub := bob.Subscribe(1024)
	ev := &sessionEvents{shown: map[string]int{}, sub: sub}
	fs.SetDown(true)
	carol.say(t, h, bob, text, 1)
	testutil.WaitFor(t, wait, "the store failure event", func() bool {
		ev.take(sub)
		return len(ev.failed) > 0
	})
	return h, bob, fs, clock, carol, ev, sub.Unsubscribe
}

type sessionEvents struct {
	sub       *eventbus.Subscription[messenger.Event]
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
	h, bob, fs, clock, carol, ev, done := sessionSpell(t, "during")
	defer done()
	sub := ev.sub
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
	_, bob, _, clock, _, _, unsubscribe := sessionSpell(t, "held")
	defer unsubscribe()
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

// A paired device's p2 whose metadata write fails in the session store
// is held, not dropped: once the store works the metadata is recorded and
// published once.
func TestSessionStoreFailureKeepsPairMetadata(t *testing.T) {
	h := newHarness(t)
	key := newKey(t)
	a1 := h.start(key, storage.NewMemory(), withInstallation("a1"), withName("laptop"))
	a2, fs, clock := sessionFaultNodeFor(t, h, key, withInstallation("a2"))
	if err := a1.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "devices see each other", func() bool {
		return hasInstallation(t, a1, "a2", false) && hasInstallation(t, a2, "a1", false)
	})
	for _, n := range []struct {
		n  *node
		id string
	}{{a1, "a2"}, {a2, "a1"}} {
		if err := n.n.EnableInstallation(n.id); err != nil {
			t.Fatal(err)
		}
	}
	sub := a2.Subscribe(1024)
	defer sub.Unsubscribe()
	// Only the write of the metadata fails: the message itself decrypts.
	fs.FailCommitsIf(func(ops []encryption.Op) bool {
		for _, op := range ops {
			if op.Kind == encryption.KindInstallation && strings.Contains(string(op.Value), "laptop") {
				return true
			}
		}
		return false
	})
	if err := a1.SendPairInstallation(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var failed, recovered, metadata int
	take := func() {
		for ev := range drain(sub) {
			switch ev := ev.(type) {
			case messenger.StoreFailedEvent:
				failed++
			case messenger.StoreRecoveredEvent:
				recovered++
			case messenger.InstallationMetadataEvent:
				if ev.Installation.ID == "a1" {
					metadata++
				}
			}
		}
	}
	testutil.WaitFor(t, wait, "the store failure event", func() bool { take(); return failed > 0 })
	d := clock.Next(t)
	fs.FailCommitsIf(nil)
	if err := clock.Advance(ctxT(t), d); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "p2 metadata on a2", func() bool {
		insts, _ := a2.Installations()
		return slices.ContainsFunc(insts, func(i messenger.Installation) bool { return i.ID == "a1" && i.Metadata.Name == "laptop" })
	})
	testutil.WaitFor(t, wait, "the recovery event", func() bool { take(); return recovered > 0 })
	take()
	if failed != 1 || recovered != 1 || metadata != 1 {
		t.Fatalf("%d failures, %d recoveries, %d metadata events; want one each", failed, recovered, metadata)
	}
	if got := a2.Dropped(); len(got) != 0 {
		t.Fatalf("dropped %v", got)
	}
}

// The negotiated topic agreed by a message that arrives while the message
// store fails is recorded once it works: the encryption layer reports an
// agreement only once, and without the record the next start would not
// listen where the peer then sends.
func TestStoreFailureKeepsNegotiatedTopic(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	var failing atomic.Bool
	bob, clock := storeFaultNode(t, h, func() error {
		if failing.Load() {
			return errDiskFull
		}
		return nil
	})
	events := alice.Subscribe(1024)
	defer events.Unsubscribe()
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if err := bob.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "alice to learn bob's bundle", func() bool {
		for ev := range drain(events) {
			if b, ok := ev.(messenger.BundleAddedEvent); ok && b.Identity == bob.PublicKey() {
				return true
			}
		}
		return false
	})
	if names, err := messenger.StoredNegotiated(bob.Messenger); err != nil || len(names) != 0 {
		t.Fatalf("negotiated before any message: %q, %v", names, err)
	}
	sub := bob.Subscribe(1024)
	defer sub.Unsubscribe()
	failing.Store(true)
	if _, err := alice.SendText(ctxT(t), bob.PublicKey(), "agreeing"); err != nil {
		t.Fatal(err)
	}
	ev := &sessionEvents{shown: map[string]int{}}
	testutil.WaitFor(t, wait, "the store failure event", func() bool {
		ev.take(sub)
		return len(ev.failed) > 0
	})
	d := clock.Next(t)
	failing.Store(false)
	if err := clock.Advance(ctxT(t), d); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, alice.PublicKey(), 1)
	testutil.WaitFor(t, wait, "the recovery event", func() bool {
		ev.take(sub)
		return len(ev.recovered) > 0
	})
	if names, err := messenger.StoredNegotiated(bob.Messenger); err != nil || len(names) != 1 {
		t.Fatalf("negotiated topics recorded: %q, %v; want one", names, err)
	}
}
