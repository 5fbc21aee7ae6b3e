package messenger

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/eventbus"
	"github.com/statusnode/statusd/lib/testutil"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// The parts' own tests: each part is built alone over an in-memory store,
// a fake Transport and a fake MVDS driver, without the coordinator. (The
// network scenarios, over transporttest.Network, drive the parts through
// the Messenger in the external tests.)

// fakeTransport records subscriptions and posts.
type fakeTransport struct {
	mu     sync.Mutex
	joined map[whisper.Topic]int // live subscriptions per topic
	posts  []Envelope
}

type fakeSub struct {
	tr    *fakeTransport
	topic whisper.Topic
	once  sync.Once
}

func (s *fakeSub) Unsubscribe() {
	s.once.Do(func() {
		s.tr.mu.Lock()
		defer s.tr.mu.Unlock()
		s.tr.joined[s.topic]--
	})
}

func (f *fakeTransport) JoinSymmetric(topic whisper.Topic, _ whisper.SymKey, _ Sink) (Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.joined[topic]++
	return &fakeSub{tr: f, topic: topic}, nil
}

func (f *fakeTransport) JoinAsymmetric(topics []whisper.Topic, _ Sink) (Subscription, error) {
	return f.JoinSymmetric(topics[0], whisper.SymKey{}, nil)
}

func (f *fakeTransport) Post(_ context.Context, env Envelope) (EnvelopeHash, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, env)
	return EnvelopeHash{byte(len(f.posts))}, nil
}

func (f *fakeTransport) EnvelopeEvents() <-chan EnvelopeEvent { return nil }
func (f *fakeTransport) PeerCount() int                       { return 1 }

func (f *fakeTransport) live(topic whisper.Topic) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.joined[topic]
}

// fakeSync records what the parts ask of MVDS.
type fakeSync struct {
	mu        sync.Mutex
	peers     []mvds.PeerID
	appends   map[mvds.GroupID][][]byte
	confirmed []mvds.MessageID
}

func (f *fakeSync) AddPeer(_ context.Context, _ mvds.GroupID, p mvds.PeerID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.peers = append(f.peers, p)
	return nil
}

func (f *fakeSync) SetSendLimit(context.Context, mvds.PeerID, uint64) error { return nil }

func (f *fakeSync) Append(_ context.Context, g mvds.GroupID, body []byte) (mvds.MessageID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.appends[g] = append(f.appends[g], body)
	return mvds.MessageID{}, nil
}

func (f *fakeSync) Recent(context.Context, mvds.GroupID, time.Duration, int) ([]mvds.Message, error) {
	return nil, nil
}

func (f *fakeSync) Resend(context.Context, mvds.PeerID, []mvds.MessageID) (int, error) { return 0, nil }

func (f *fakeSync) ReceiveTagged(mvds.PeerID, []byte, string) error { return mvds.ErrNotPayload }
func (f *fakeSync) ReceiveCopy([]byte, string) error                { return mvds.ErrNotPayload }
func (f *fakeSync) Confirm(ids ...mvds.MessageID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.confirmed = append(f.confirmed, ids...)
	return nil
}

func (f *fakeSync) appended(g mvds.GroupID) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.appends[g])
}

type rig struct {
	c   *core
	tr  *fakeTransport
	ds  *fakeSync
	key *ecdsa.PrivateKey
}

func newRig(t *testing.T) *rig {
	t.Helper()
	key := genKey(t)
	cfg := Config{Identity: key, Now: func() time.Time { return time.Unix(1570000000, 0) }, Logger: zaptest.NewLogger(t)}
	cfg.setDefaults()
	st := newStore(storage.NewMemory())
	bus := eventbus.New[Event](256)
	t.Cleanup(bus.Close)
	pend := newPendingWrites(st, bus, cfg.Logger)
	tr := &fakeTransport{joined: map[whisper.Topic]int{}}
	ds := &fakeSync{appends: map[mvds.GroupID][][]byte{}}
	peer, err := mvds.ParsePeerID(crypto.FromECDSAPub(&key.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	c := &core{cfg: cfg, self: &key.PublicKey, selfHex: message.PubKeyHex(&key.PublicKey), selfPeer: peer,
		tr: tr, st: st, pend: pend, bus: bus, cnt: newCounters(nil, cfg.Logger), dl: newDeliveries(st, pend, bus, cfg.Now, cfg.Logger),
		keys: newKeyCache(nil, cfg.Logger), posted: newRecentHashes(16), rand: &lockedReader{r: cfg.Rand}, log: cfg.Logger, ds: ds}
	return &rig{c: c, tr: tr, ds: ds, key: key}
}

func genKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pairGroupOf(t *testing.T, c *core, pub *ecdsa.PublicKey) mvds.GroupID {
	t.Helper()
	g, _, err := c.pairGroup(pub)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// chatBook: read-modify-write of one chat with its batch; a composed text
// is stored queued with its delivery record; seen and delete keep the
// unread count; clear remembers the clock.
func TestChatBookAlone(t *testing.T) {
	r := newRig(t)
	b := newChatBook(r.c)
	if _, err := b.update("status", func(ch *Chat, _ *storage.Batch) (*Chat, error) {
		return &Chat{ID: "status", Type: ChatPublic, Name: "status", Active: true, Unread: 1}, nil
	}); err != nil {
		t.Fatal(err)
	}
	got := b.get("status")
	got.Name = "changed" // a copy
	if b.get("status").Name != "status" {
		t.Fatal("get returned the cached chat")
	}
	out, evs, err := b.storeDraft("status", Draft{Text: "hello"})
	if err != nil || out.public != "status" || len(evs) != 2 {
		t.Fatalf("storeText: %+v, %d events, %v", out, len(evs), err)
	}
	if d, err := r.c.dl.state(out.id); err != nil || d.State != DeliveryQueued {
		t.Fatalf("delivery %+v, %v", d, err)
	}
	if _, _, err := b.storeDraft("nope", Draft{Text: "x"}); !errors.Is(err, ErrChatNotFound) {
		t.Fatalf("storeText to a missing chat: %v", err)
	}
	ch, err := b.clear("status", func(*Chat) bool { return false })
	if err != nil || ch.Active || ch.DeletedAtClock != ch.LastClock || ch.Unread != 0 {
		t.Fatalf("clear: %+v, %v", ch, err)
	}
	if p, err := b.messages("status", "", 10); err != nil || len(p.Messages) != 0 {
		t.Fatalf("after clear: %+v, %v", p, err)
	}
}

// contactBook: save, block, and the §1.9.1 rule that an older contact
// update is discarded.
func TestContactBookAlone(t *testing.T) {
	r := newRig(t)
	b := newContactBook(r.c)
	other := message.PubKeyHex(&genKey(t).PublicKey)
	if ct, err := b.save(other, "bob"); err != nil || !ct.Added || ct.Name != "bob" {
		t.Fatalf("save: %+v, %v", ct, err)
	}
	if ct, err := b.block(other); err != nil || !ct.Blocked || ct.Added || !b.blocked(other) {
		t.Fatalf("block: %+v, %v", ct, err)
	}
	rc := func(id string, at int64) recvContext {
		return recvContext{r: &message.Received{ID: id}, author: other, src: source{kind: srcDirect}, whisperTime: at}
	}
	b.handle(rc("0x01", 2000), &message.Contact{Name: "new"})
	b.handle(rc("0x02", 1000), &message.Contact{Name: "old"})
	if l := b.list(); len(l) != 1 || l[0].Name != "new" || l[0].LastUpdated != 2000 {
		t.Fatalf("contacts %+v", l)
	}
	if n := r.c.cnt.snapshot()[ReasonStaleContact]; n != 1 {
		t.Fatalf("%d stale drops", n)
	}
}

// subscriptions: one filter per id, leave unsubscribes, nothing joins
// after closeAll.
func TestSubscriptionsAlone(t *testing.T) {
	r := newRig(t)
	s := newSubscriptions(r.c, newInboundQueue(1, make(chan struct{}), nil))
	topic := whisper.TopicFromName("status")
	for i := 0; i < 2; i++ {
		if err := s.joinPublic("status"); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.tr.live(topic); n != 1 {
		t.Fatalf("%d subscriptions after joining twice", n)
	}
	s.leavePublic("status")
	if n := r.tr.live(topic); n != 0 {
		t.Fatalf("%d subscriptions after leave", n)
	}
	s.closeAll()
	if err := s.joinPublic("status"); err != nil || r.tr.live(topic) != 0 {
		t.Fatalf("join after closeAll: %v, %d live", err, r.tr.live(topic))
	}
}

// directChats: opening a 1:1 makes the peer an MVDS peer once and listens
// on its topics; a direct send appends to the pair group.
func TestDirectChatsAlone(t *testing.T) {
	r := newRig(t)
	chats := newChatBook(r.c)
	subs := newSubscriptions(r.c, newInboundQueue(1, make(chan struct{}), nil))
	d := newDirectChats(r.c, chats, subs)
	peer := genKey(t)
	for i := 0; i < 2; i++ {
		ch, changed, err := d.open(&peer.PublicKey)
		if err != nil || !ch.Active || changed != (i == 0) {
			t.Fatalf("open %d: %+v changed %v, %v", i, ch, changed, err)
		}
	}
	if len(r.ds.peers) != 1 {
		t.Fatalf("%d AddPeer calls", len(r.ds.peers))
	}
	out := &outgoing{id: "0xabc", body: []byte("body"), recipients: []string{message.PubKeyHex(&peer.PublicKey)}}
	if err := d.send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if n := r.ds.appended(pairGroupOf(t, r.c, &peer.PublicKey)); n != 1 {
		t.Fatalf("%d appends to the pair group", n)
	}
}

// publicChats: join subscribes and activates; send posts symmetric on the
// chat topic; a c4 from another topic is the wrong chat.
func TestPublicChatsAlone(t *testing.T) {
	r := newRig(t)
	chats := newChatBook(r.c)
	p := newPublicChats(r.c, chats, newSubscriptions(r.c, newInboundQueue(1, make(chan struct{}), nil)))
	if _, err := p.join("Not Valid"); !errors.Is(err, ErrInvalidChatName) {
		t.Fatalf("join invalid: %v", err)
	}
	if ch, err := p.join("status"); err != nil || !ch.Active {
		t.Fatalf("join: %+v, %v", ch, err)
	}
	if err := p.send(context.Background(), &outgoing{id: "0x1", body: []byte("x"), public: "status"}); err != nil {
		t.Fatal(err)
	}
	if len(r.tr.posts) != 1 || r.tr.posts[0].Topic != whisper.TopicFromName("status") || r.tr.posts[0].SymKey == nil {
		t.Fatalf("posts %+v", r.tr.posts)
	}
	rc := recvContext{r: &message.Received{ChatID: "status"}, src: source{kind: srcPublic, chat: "other"}}
	if _, reason := p.chatFor(rc); reason != ReasonWrongChat {
		t.Fatalf("chatFor from another topic: %q", reason)
	}
	if err := p.leave("status"); err != nil || chats.get("status").Active {
		t.Fatalf("leave: %v", err)
	}
}

// deliveryRig is a rig whose deliveries share a chat book holding the
// active public chat "status".
func deliveryRig(t *testing.T) (*rig, *chatBook) {
	t.Helper()
	r := newRig(t)
	b := newChatBook(r.c)
	r.c.dl.messages = &b.mu
	if _, err := b.update("status", func(*Chat, *storage.Batch) (*Chat, error) {
		return &Chat{ID: "status", Type: ChatPublic, Name: "status", Active: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	return r, b
}

// deliveries with the chat book: a state change keeps the message's Seen
// mark, and does not bring back a message (or its delivery record) that
// was deleted meanwhile.
func TestDeliveriesWithChatBook(t *testing.T) {
	r, b := deliveryRig(t)
	keep, _, err := b.storeDraft("status", Draft{Text: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := b.storeDraft("status", Draft{Text: "deleted"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.deleteMessage(gone.id); err != nil {
		t.Fatal(err)
	}
	h := EnvelopeHash{7}
	r.c.dl.envelopePosted(h, []string{keep.id, gone.id})
	r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	if m, err := r.c.st.message(keep.id); err != nil || m.Delivery != DeliverySent || !m.Seen {
		t.Fatalf("kept message %+v, %v", m, err)
	}
	if _, err := r.c.dl.state(gone.id); !errors.Is(err, ErrMessageNotFound) {
		t.Fatalf("deleted message's delivery: %v", err)
	}
	if _, err := r.c.st.message(gone.id); !errors.Is(err, ErrMessageNotFound) {
		t.Fatalf("deleted message came back: %v", err)
	}
}

// deliveries: a refusal and an acknowledgement that race ahead of the
// envelope's registration are both applied, in order, with their peers;
// an acknowledgement alone (no EnvelopeSent) also makes the message sent.
func TestDeliveriesEarlyConfirmations(t *testing.T) {
	r, b := deliveryRig(t)
	out, _, err := b.storeDraft("status", Draft{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	h := EnvelopeHash{9}
	r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeRefused, Peer: "aa", Reason: "from the future"})
	r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeAcknowledged, Peer: "bb"})
	if d, _ := r.c.dl.state(out.id); d.State != DeliveryQueued || len(d.Confirmations) != 0 {
		t.Fatalf("applied before registration: %+v", d)
	}
	r.c.dl.envelopePosted(h, []string{out.id})
	d, err := r.c.dl.state(out.id)
	if err != nil {
		t.Fatal(err)
	}
	want := []Confirmation{{Peer: "aa", Refused: true, Reason: "from the future", At: r.c.cfg.Now().UnixMilli()},
		{Peer: "bb", At: r.c.cfg.Now().UnixMilli()}}
	if d.State != DeliverySent || !reflect.DeepEqual(d.Confirmations, want) {
		t.Fatalf("delivery %+v, want sent with %+v", d, want)
	}
}

// A change of delivery state writes the delivery record only: the message
// record keeps its bytes, and reading the message (one, or a page) gives
// the delivery record's state.
func TestDeliveryChangeLeavesMessageRecord(t *testing.T) {
	r, b := deliveryRig(t)
	out, _, err := b.storeDraft("status", Draft{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	k := key(pfxMessage, []byte(out.id))
	before, err := r.c.st.kv.Get(k)
	if err != nil {
		t.Fatal(err)
	}
	h := EnvelopeHash{8}
	r.c.dl.envelopePosted(h, []string{out.id})
	r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	after, err := r.c.st.kv.Get(k)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("message record rewritten: %v", err)
	}
	if m, err := r.c.st.message(out.id); err != nil || m.Delivery != DeliverySent {
		t.Fatalf("message %+v, %v", m, err)
	}
	p, err := r.c.st.messages("status", "", 10)
	if err != nil || len(p.Messages) != 1 || p.Messages[0].Delivery != DeliverySent {
		t.Fatalf("page %+v, %v", p, err)
	}
}

// writeCounter counts the batches written to a KV.
type writeCounter struct {
	storage.KV
	writes int
}

func (w *writeCounter) Write(b *storage.Batch) error { w.writes++; return w.KV.Write(b) }

// The envelope events run finds waiting are applied in one write, in
// order (a message sent and then confirmed ends sent, with its
// confirmation); a PeerConnected among them calls retry in its place.
func TestDeliveriesBatch(t *testing.T) {
	r, b := deliveryRig(t)
	one, _, err := b.storeDraft("status", Draft{Text: "one"})
	if err != nil {
		t.Fatal(err)
	}
	two, _, err := b.storeDraft("status", Draft{Text: "two"})
	if err != nil {
		t.Fatal(err)
	}
	h1, h2 := EnvelopeHash{1}, EnvelopeHash{2}
	r.c.dl.envelopePosted(h1, []string{one.id})
	r.c.dl.envelopePosted(h2, []string{two.id})
	retried := 0
	r.c.dl.retry = func([]string) { retried++ }
	wc := &writeCounter{KV: r.c.st.kv}
	*r.c.st = *newStore(wc)

	events := make(chan EnvelopeEvent, 8)
	for _, ev := range []EnvelopeEvent{{Hash: h1, Kind: EnvelopeSent}, {Hash: h1, Kind: EnvelopeAcknowledged, Peer: "aa"},
		{Hash: h2, Kind: EnvelopeSent}} {
		events <- ev
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() { defer close(done); r.c.dl.run(events, quit) }()
	testutil.WaitFor(t, 5*time.Second, "the second message sent", func() bool {
		d, err := r.c.dl.state(two.id)
		return err == nil && d.State == DeliverySent
	})
	close(quit)
	<-done
	if wc.writes != 1 {
		t.Fatalf("%d writes for three waiting events, want 1", wc.writes)
	}
	d, err := r.c.dl.state(one.id)
	if err != nil || d.State != DeliverySent || len(d.Confirmations) != 1 || d.Confirmations[0].Peer != "aa" {
		t.Fatalf("first message %+v, %v", d, err)
	}

	r.c.dl.applyBatch([]EnvelopeEvent{{Hash: h2, Kind: EnvelopeAcknowledged, Peer: "bb"}, {Kind: PeerConnected},
		{Hash: h1, Kind: EnvelopeSent}})
	if retried != 1 || wc.writes != 3 {
		t.Fatalf("retried %d times, %d writes; want 1 and 3", retried, wc.writes)
	}
}

// publicChats.retry forgets the envelope expiry of a message that left the
// outbox (sent or expired), but not of one posted while the outbox was
// being read: its entry may be newer than the read, and forgetting it
// would leave it queued for good if its envelope events were lost.
func TestPublicRetryKeepsExpiryOfNewPosts(t *testing.T) {
	r := newRig(t)
	p := newPublicChats(r.c, newChatBook(r.c), newSubscriptions(r.c, newInboundQueue(1, make(chan struct{}), nil)))
	now := r.c.cfg.Now()
	p.expiry["0xold"] = now.Add(-time.Second).Add(r.c.cfg.TTL) // posted before the read: left the outbox
	p.expiry["0xnew"] = now.Add(r.c.cfg.TTL)                   // posted as the read began
	p.retry(context.Background(), false)
	if _, ok := p.expiry["0xold"]; ok {
		t.Error("the expiry of a message that left the outbox is kept")
	}
	if _, ok := p.expiry["0xnew"]; !ok {
		t.Error("the expiry of a message posted during the read was forgotten")
	}
}
