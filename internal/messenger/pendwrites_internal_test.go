package messenger

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/statusnode/statusd/lib/eventbus"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// pendRig is the delivery tracker over a store that fails the writes
// fail picks, its pendingWrites running on an armed clock, and one 1:1
// message to peer stored (queued) with its outbox entry.
type pendRig struct {
	r     *rig
	book  *chatBook
	kv    *faultKV
	clock *ArmedClock
	sub   *eventbus.Subscription[Event]
	peer  string // the recipient, 0x04…
	out   *outgoing
	mvds  mvds.MessageID
	wait  time.Duration // the retry wait armed and not yet let run, or 0
	stop  func()        // closes quit and waits for run (idempotent; also at cleanup)
}

func newPendRig(t *testing.T) *pendRig {
	t.Helper()
	r, b := deliveryRig(t)
	kv := &faultKV{KV: r.c.st.kv}
	// No record cache: the failures these tests inject must reach every
	// read of the store.
	*r.c.st = store{kv: kv, rs: messengerstore.NewWithCache(kv, 0)}
	peer := message.PubKeyHex(&genKey(t).PublicKey)
	if _, err := b.update(peer, func(*Chat, *storage.Batch) (*Chat, error) {
		return &Chat{ID: peer, Type: ChatOneToOne, Active: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	out, _, err := b.storeDraft(peer, Draft{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	p := &pendRig{r: r, book: b, kv: kv, clock: NewArmedClock(time.Unix(0, 0)), peer: peer, out: out, mvds: mvds.MessageID{1, 2, 3}}
	r.c.pend.clock, r.c.pend.messages = p.clock, &b.mu
	p.sub = r.c.bus.Subscribe(256)
	t.Cleanup(p.sub.Unsubscribe)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() { defer close(done); r.c.pend.run(quit) }()
	p.stop = sync.OnceFunc(func() { close(quit); <-done })
	t.Cleanup(p.stop)
	return p
}

// send maps the message's MVDS ID, as the driver does before sending it,
// and checks the status ID it gets.
func (p *pendRig) send(t *testing.T) {
	t.Helper()
	ids := p.r.c.dl.mapOutgoing(p.r.c.self, []mvds.Message{{Body: p.out.body}}, []mvds.MessageID{p.mvds})
	if len(ids) != 1 || ids[0] != p.out.id {
		t.Fatalf("mapOutgoing: %q, want [%s]", ids, p.out.id)
	}
}

// events returns the events published so far.
func (p *pendRig) events() []Event {
	var evs []Event
	for len(p.sub.C()) > 0 {
		evs = append(evs, <-p.sub.C())
	}
	return evs
}

// retry lets the next retry of pendingWrites run. A retry expected to
// fail returns once it did (the next wait is armed); for one expected to
// succeed, wait for its StoreRecoveredEvent.
func (p *pendRig) retry(t *testing.T, fails bool) {
	t.Helper()
	if p.wait == 0 {
		p.wait = p.clock.Next(t)
	}
	if err := p.clock.Advance(context.Background(), p.wait); err != nil {
		t.Fatal(err)
	}
	p.wait = 0
	if fails {
		p.wait = p.clock.Next(t)
	}
}

// state returns the stored delivery state of the message.
func (p *pendRig) state(t *testing.T) DeliveryState {
	t.Helper()
	d, err := p.r.c.st.delivery(p.out.id)
	if err != nil || d == nil {
		t.Fatalf("delivery record: %+v, %v", d, err)
	}
	return d.State
}

// waitRecovered waits for the StoreRecoveredEvent of the records and
// returns the events published until then, that one included.
func (p *pendRig) waitRecovered(t *testing.T) []Event {
	t.Helper()
	var evs []Event
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-p.sub.C():
			evs = append(evs, ev)
			if r, ok := ev.(StoreRecoveredEvent); ok && r.Store == StoreRecords {
				return evs
			}
		case <-deadline:
			t.Fatalf("no recovery; events %+v", evs)
		}
	}
}

// deliveryEvents picks the DeliveryEvents of evs, as states.
func deliveryEvents(evs []Event) []DeliveryState {
	var out []DeliveryState
	for _, ev := range evs {
		if d, ok := ev.(DeliveryEvent); ok {
			out = append(out, d.State)
		}
	}
	return out
}

// A failed mapOutgoing write (MVDS ID → status ID, outbox entry removal)
// is kept: the ACK that arrives before it is written again still maps,
// and once the store takes writes again the message ends acked, stored,
// its outbox entry gone, each state published once and only once stored;
// the spell is published as one StoreFailedEvent and one
// StoreRecoveredEvent of StoreRecords.
func TestMapOutgoingWriteFailureKeepsMapping(t *testing.T) {
	p := newPendRig(t)
	p.kv.fail = func(int) bool { return true }
	p.send(t)
	evs := p.events()
	if len(evs) != 1 {
		t.Fatalf("events after the failed write: %+v", evs)
	}
	if f, ok := evs[0].(StoreFailedEvent); !ok || f.Store != StoreRecords || f.Waiting != 2 || f.Error == "" {
		t.Fatalf("event %+v, want a StoreFailedEvent of %q with 2 records waiting", evs[0], StoreRecords)
	}
	h := EnvelopeHash{9}
	p.r.c.dl.envelopePosted(h, []string{p.out.id})
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	p.r.c.dl.onAcks(p.peer, "inst", []mvds.MessageID{p.mvds})
	if got := deliveryEvents(p.events()); len(got) != 0 {
		t.Fatalf("delivery states published before they were stored: %v", got)
	}
	if s := p.state(t); s != DeliveryQueued {
		t.Fatalf("stored state %s while the writes fail, want queued", s)
	}
	p.retry(t, true)
	p.kv.fail = nil
	p.retry(t, false)
	evs = p.waitRecovered(t)
	if got := deliveryEvents(evs); len(got) != 2 || got[0] != DeliverySent || got[1] != DeliveryAcked {
		t.Fatalf("delivery events %v, want sent then acked", got)
	}
	if r := evs[len(evs)-1].(StoreRecoveredEvent); r.Tries != 2 {
		t.Fatalf("recovered after %d tries, want 2", r.Tries)
	}
	if s := p.state(t); s != DeliveryAcked {
		t.Fatalf("stored state %s, want acked", s)
	}
	if id, ok, err := p.r.c.st.statusIDOf(p.mvds); err != nil || !ok || id != p.out.id {
		t.Fatalf("stored mapping %q %v %v", id, ok, err)
	}
	if _, err := p.r.c.st.kv.Get(key(pfxOutbox, []byte(p.out.id))); err == nil {
		t.Fatal("outbox entry left after its mapping was written")
	}
	if evs := p.events(); len(evs) != 0 {
		t.Fatalf("events after the recovery: %+v", evs)
	}
}

// The next writes fail around an ACK (an envelope confirmation's, whose
// record is kept, and the first retry): the ACK builds on the kept record
// (the confirmation stays), and the delivery state ends acked, stored,
// and published once, after it was stored.
func TestAckWriteFailureKeepsState(t *testing.T) {
	p := newPendRig(t)
	p.send(t)
	h := EnvelopeHash{9}
	p.r.c.dl.envelopePosted(h, []string{p.out.id})
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeSent})
	if got := deliveryEvents(p.events()); len(got) != 1 || got[0] != DeliverySent {
		t.Fatalf("delivery events %v, want sent", got)
	}
	failing := 2
	p.kv.fail = func(int) bool { failing--; return failing >= 0 }
	p.r.c.dl.onEnvelope(EnvelopeEvent{Hash: h, Kind: EnvelopeAcknowledged, Peer: "relay"})
	p.r.c.dl.onAcks(p.peer, "inst", []mvds.MessageID{p.mvds})
	if got := deliveryEvents(p.events()); len(got) != 0 {
		t.Fatalf("delivery states published before they were stored: %v", got)
	}
	p.retry(t, true) // the second failure
	p.retry(t, false)
	var acked []DeliveryState
	for _, ev := range p.waitRecovered(t) {
		if d, ok := ev.(DeliveryEvent); ok {
			acked = append(acked, d.State)
		}
	}
	if len(acked) != 1 || acked[0] != DeliveryAcked {
		t.Fatalf("delivery events %v, want acked once", acked)
	}
	d, err := p.r.c.st.delivery(p.out.id)
	if err != nil || d.State != DeliveryAcked || !d.Recipients[p.peer] || len(d.Confirmations) != 1 {
		t.Fatalf("stored record %+v, %v; want acked by %s with the confirmation", d, err, short(p.peer))
	}
	if evs := p.events(); len(evs) != 0 {
		t.Fatalf("events after the recovery: %+v", evs)
	}
}

// A message deleted while its delivery record waits to be written again
// does not get the record back, nor is its kept state published.
func TestKeptDeliveryOfDeletedMessage(t *testing.T) {
	p := newPendRig(t)
	p.send(t)
	p.kv.fail = func(int) bool { return true }
	p.r.c.dl.onAcks(p.peer, "inst", []mvds.MessageID{p.mvds})
	p.kv.fail = nil
	if err := p.book.deleteMessage(p.out.id); err != nil {
		t.Fatal(err)
	}
	p.retry(t, false)
	if got := deliveryEvents(p.waitRecovered(t)); len(got) != 0 {
		t.Fatalf("delivery events %v for a deleted message", got)
	}
	if d, err := p.r.c.st.delivery(p.out.id); err != nil || d != nil {
		t.Fatalf("delivery record of a deleted message: %+v, %v", d, err)
	}
}

// What a peer was seen sending (its MVDS use, its wrapper form) is kept
// when its write fails and written once the store takes writes again.
func TestPeerKnowledgeWriteFailureKept(t *testing.T) {
	p := newPendRig(t)
	c := p.r.c
	forms := newPeerForms(c.st, c.pend, c.log)
	direct := newDirectChats(c, p.book, nil)
	peer := genKey(t)
	id := message.PubKeyHex(&peer.PublicKey)
	p.kv.fail = func(int) bool { return true }
	forms.learn(id, false)
	direct.learn(context.Background(), &peer.PublicKey, false)
	for _, name := range []string{metaPeerWrappers, metaPeerProtocols} {
		if _, ok, _ := c.st.meta(name); ok {
			t.Fatalf("%s stored while writes fail", name)
		}
	}
	p.kv.fail = nil
	p.retry(t, false)
	p.waitRecovered(t)
	reloaded := newPeerForms(c.st, c.pend, c.log)
	if err := reloaded.load(); err != nil || !reloaded.bare([]string{id}) {
		t.Fatalf("wrapper form after the retry: bare %v, %v", reloaded.bare([]string{id}), err)
	}
	again := newDirectChats(c, p.book, nil)
	if err := again.loadProtocols(context.Background()); err != nil || !again.nonACK(id) {
		t.Fatalf("peer protocol after the retry: nonACK %v, %v", again.nonACK(id), err)
	}
}

// What a failing store still keeps at Stop is lost; the last try says so
// in an error that counts it, not only in a debug line.
func TestKeptAtStopLoggedAsLost(t *testing.T) {
	p := newPendRig(t)
	core, logs := observer.New(zapcore.InfoLevel)
	p.r.c.pend.log = zap.New(core)
	p.send(t)
	p.kv.fail = func(int) bool { return true }
	p.r.c.dl.onAcks(p.peer, "inst", []mvds.MessageID{p.mvds})
	p.stop()
	lost := logs.FilterLevelExact(zapcore.ErrorLevel).FilterMessageSnippet("lost").All()
	if len(lost) != 1 {
		t.Fatalf("error logs at Stop: %+v", logs.All())
	}
	if f := lost[0].ContextMap(); f["records"] == int64(0) && f["inputs"] == int64(0) {
		t.Fatalf("the error counts nothing lost: %v", f)
	}
}
