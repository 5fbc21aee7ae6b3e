package messenger

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/lib/eventbus"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// faultKV counts the batches written to a KV and fails those fail picks
// (n counts every write, failed ones included, from 1); while failGets
// or failHas is set it fails every Get or Has (errReadFault).
type faultKV struct {
	storage.KV
	writes   int
	fail     func(n int) bool
	failGets atomic.Bool
	failHas  atomic.Bool
}

// errReadFault is what faultKV's failed reads return.
var errReadFault = errors.New("read fault")

func (f *faultKV) Get(k []byte) ([]byte, error) {
	if f.failGets.Load() {
		return nil, errReadFault
	}
	return f.KV.Get(k)
}

func (f *faultKV) Has(k []byte) (bool, error) {
	if f.failHas.Load() {
		return false, errReadFault
	}
	return f.KV.Has(k)
}

// failReads fails (or, off, stops failing) every Get and Has.
func (f *faultKV) failReads(on bool) {
	f.failGets.Store(on)
	f.failHas.Store(on)
}

func (f *faultKV) Write(b *storage.Batch) error {
	f.writes++
	if f.fail != nil && f.fail(f.writes) {
		return errors.New("disk full")
	}
	return f.KV.Write(b)
}

// pubRig is a receiving dispatcher with one public chat, "chat", whose
// store counts (and may fail) writes, and a sender of public messages.
type pubRig struct {
	t      *testing.T
	alice  *rig // sends
	bob    *rig // receives
	kv     *faultKV
	d      *dispatcher
	sub    *eventbus.Subscription[Event]
	bodies map[string][]byte // by text
}

func newPubRig(t *testing.T) *pubRig {
	r := &pubRig{t: t, alice: newRig(t), bob: newRig(t), bodies: map[string][]byte{}}
	r.kv = &faultKV{KV: r.bob.c.st.kv}
	*r.bob.c.st = store{kv: r.kv, rs: messengerstore.NewWithCache(r.kv, 0)} // read failures reach every read
	r.d = r.dispatcher()
	if _, err := r.d.chats.update("chat", func(*Chat, *storage.Batch) (*Chat, error) {
		return &Chat{ID: "chat", Type: ChatPublic, Name: "chat", Active: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	r.sub = r.bob.c.bus.Subscribe(256)
	t.Cleanup(r.sub.Unsubscribe)
	return r
}

// dispatcher returns a fresh dispatcher over bob's store, its chats loaded
// from it (a restart).
func (r *pubRig) dispatcher() *dispatcher {
	c := r.bob.c
	chats := newChatBook(c)
	if err := chats.load(); err != nil {
		r.t.Fatal(err)
	}
	subs := newSubscriptions(c, newInboundQueue(1, make(chan struct{}), nil))
	return &dispatcher{c: c, subs: subs, chats: chats, public: &publicChats{c: c, chats: chats, subs: subs},
		direct: newDirectChats(c, chats, subs), contacts: newContactBook(c)}
}

// text is alice's public message text in chat with clock now+dclock.
func (r *pubRig) text(chat, text string, dclock int64) inbound {
	r.t.Helper()
	body, ok := r.bodies[chat+"/"+text]
	if !ok {
		now := r.alice.c.cfg.Now().UnixMilli()
		var err error
		body, _, err = r.alice.c.encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePublicGroup,
			Clock: now + dclock, Timestamp: now, Content: message.Content{ChatID: chat, Text: text}})
		if err != nil {
			r.t.Fatal(err)
		}
		r.bodies[chat+"/"+text] = body
	}
	return inbound{msg: ReceivedMessage{Payload: body, Signer: &r.alice.key.PublicKey}, src: source{kind: srcPublic, chat: "chat"}}
}

// pass runs the receive goroutine's pass over msgs as one drained batch
// and returns the events it published: "msg:<text>" or "drop:<reason>".
func (r *pubRig) pass(msgs ...inbound) []string {
	r.t.Helper()
	q := newInboundQueue(len(msgs), make(chan struct{}), nil)
	for _, in := range msgs {
		q.pushMessage(in)
	}
	r.d.in = q
	drained, dels, _ := q.drain()
	pre, _ := r.d.precompute(drained, dels, r.bob.c.cfg.Now()) // nil for a small batch
	r.d.receiveAll(drained, pre)
	if len(q.slots) != 0 {
		r.t.Fatalf("%d inbound slots not released", len(q.slots))
	}
	return r.events()
}

func (r *pubRig) events() []string {
	var out []string
	for {
		select {
		case ev := <-r.sub.C():
			switch ev := ev.(type) {
			case MessageEvent:
				out = append(out, "msg:"+ev.Message.Text)
			case DroppedEvent:
				out = append(out, "drop:"+ev.Reason)
			}
		default:
			return out
		}
	}
}

// stored is the texts stored in chat, newest first, and its unread count.
func (r *pubRig) stored() ([]string, int) {
	r.t.Helper()
	msgs, err := r.bob.c.st.chatMessages("chat")
	if err != nil {
		r.t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	return texts, r.d.chats.get("chat").Unread
}

func (r *pubRig) expect(what string, got, want []string) {
	r.t.Helper()
	if !slices.Equal(got, want) {
		r.t.Fatalf("%s: %q, want %q", what, got, want)
	}
}

var (
	dropDuplicate = "drop:" + message.RuleDuplicate.String()
	dropCleared   = "drop:" + message.RuleChatCleared.String()
	dropWrongChat = "drop:" + ReasonWrongChat
)

// The public messages of a drained batch are stored with one write; the
// events come after it, in arrival order, drops among them; a duplicate
// inside the batch and one of a stored message are dropped, never stored
// twice.
func TestPublicBatchOneWriteInOrder(t *testing.T) {
	r := newPubRig(t)
	before := r.kv.writes
	got := r.pass(r.text("chat", "one", 1), r.text("other", "elsewhere", 2), r.text("chat", "two", 3),
		r.text("chat", "one", 1), r.text("chat", "three", 4), r.text("chat", "two", 3))
	r.expect("events", got, []string{"msg:one", dropWrongChat, "msg:two", dropDuplicate, "msg:three", dropDuplicate})
	if w := r.kv.writes - before; w != 1 {
		t.Fatalf("%d writes for one batch, want 1", w)
	}
	texts, unread := r.stored()
	r.expect("stored", texts, []string{"three", "two", "one"})
	if unread != 3 {
		t.Fatalf("unread %d, want 3", unread)
	}
	ch := r.d.chats.get("chat")
	if ch.LastClock < r.alice.c.cfg.Now().UnixMilli()+4 {
		t.Fatalf("chat clock %d below its newest message's", ch.LastClock)
	}

	before = r.kv.writes
	r.expect("again", r.pass(r.text("chat", "two", 3), r.text("chat", "four", 5), r.text("chat", "one", 1), r.text("chat", "five", 6)),
		[]string{dropDuplicate, "msg:four", dropDuplicate, "msg:five"})
	if w := r.kv.writes - before; w != 1 {
		t.Fatalf("%d writes for the second batch, want 1", w)
	}
	if _, unread := r.stored(); unread != 5 {
		t.Fatalf("unread %d, want 5", unread)
	}
}

// When the batch's write fails, its messages are not lost: nothing is
// shown, the drops among them are published, and they are held; the
// retries (after 100 ms, 200 ms, … on the retry clock) fail while the
// store does, and once a write succeeds every held message is stored and
// shown once. One StoreFailedEvent begins the spell, one
// StoreRecoveredEvent ends it.
func TestPublicBatchStoreFailureHolds(t *testing.T) {
	r := newPubRig(t)
	clock := NewArmedClock(time.Unix(0, 0))
	r.d.hooks.retryClock = clock
	base := r.kv.writes
	r.kv.fail = func(n int) bool { return n <= base+3 } // the batch, then two retries
	got := r.pass(r.text("chat", "one", 1), r.text("chat", "two", 2), r.text("other", "elsewhere", 3), r.text("chat", "three", 4))
	r.expect("events while failing", got, []string{dropWrongChat})
	if texts, _ := r.stored(); len(texts) != 0 {
		t.Fatalf("stored while failing: %q", texts)
	}
	if len(r.d.held) != 3 {
		t.Fatalf("%d held, want 3", len(r.d.held))
	}
	done := make(chan bool, 1)
	go func() { done <- r.d.retryHeld(make(chan struct{})) }()
	var waits []time.Duration
	for range 3 {
		d := clock.Next(t)
		waits = append(waits, d)
		if err := clock.Advance(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	if !<-done {
		t.Fatal("retryHeld gave up")
	}
	if want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}; !slices.Equal(waits, want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	var failed []StoreFailedEvent
	var recovered []StoreRecoveredEvent
	var shown []string
	for len(r.sub.C()) > 0 {
		switch ev := (<-r.sub.C()).(type) {
		case StoreFailedEvent:
			failed = append(failed, ev)
		case StoreRecoveredEvent:
			recovered = append(recovered, ev)
		case MessageEvent:
			shown = append(shown, ev.Message.Text)
		}
	}
	if len(failed) != 1 || failed[0].Waiting != 3 || !strings.Contains(failed[0].Error, "disk full") {
		t.Fatalf("failure events %+v", failed)
	}
	if len(recovered) != 1 || recovered[0].Tries != 3 {
		t.Fatalf("recovery events %+v", recovered)
	}
	r.expect("shown after recovery", shown, []string{"one", "two", "three"})
	texts, unread := r.stored()
	r.expect("stored", texts, []string{"three", "two", "one"})
	if unread != 3 {
		t.Fatalf("unread %d, want 3", unread)
	}
	r.expect("copies", r.pass(r.text("chat", "two", 2)), []string{dropDuplicate})
}

// A message stored on its own (outside a batch) whose write fails is
// held as well, and stored by the retry.
func TestStoreFailureOutsideBatchHolds(t *testing.T) {
	r := newPubRig(t)
	clock := NewArmedClock(time.Unix(0, 0))
	r.d.hooks.retryClock = clock
	base := r.kv.writes
	r.kv.fail = func(n int) bool { return n == base+1 }
	if o := r.d.process(r.text("chat", "alone", 1).msg.Payload, &r.alice.key.PublicKey, r.text("chat", "alone", 1), "", nil, nil); o != outcomeFailed {
		t.Fatalf("outcome %d, want failed", o)
	}
	if len(r.events()) != 0 || len(r.d.held) != 1 {
		t.Fatalf("held %d", len(r.d.held))
	}
	done := make(chan bool, 1)
	go func() { done <- r.d.retryHeld(make(chan struct{})) }()
	if err := clock.Advance(context.Background(), clock.Next(t)); err != nil {
		t.Fatal(err)
	}
	if !<-done {
		t.Fatal("retryHeld gave up")
	}
	if texts, _ := r.stored(); !slices.Equal(texts, []string{"alone"}) {
		t.Fatalf("stored %q", texts)
	}
}

// A chat cleared while its messages wait for the batch's write drops
// those at or below the cleared clock and stores the newer ones; a chat
// deleted (left) meanwhile stores none of them.
func TestPublicBatchChatChangedMidway(t *testing.T) {
	r := newPubRig(t)
	r.expect("first", r.pass(r.text("chat", "zero", 100)), []string{"msg:zero"})

	r.d.pend.open = true
	r.d.receive(r.text("chat", "older", 50), nil)
	r.d.receive(r.text("chat", "newer", 1_000_000), nil)
	if len(r.events()) != 0 {
		t.Fatal("events before the write")
	}
	if _, err := r.d.chats.clear("chat", func(*Chat) bool { return true }); err != nil {
		t.Fatal(err)
	}
	r.d.flush()
	r.expect("after clear", r.events(), []string{dropCleared, "msg:newer"})
	texts, unread := r.stored()
	r.expect("stored after clear", texts, []string{"newer"})
	if unread != 1 {
		t.Fatalf("unread %d, want 1", unread)
	}

	r.d.receive(r.text("chat", "late", 2_000_000), nil)
	if _, err := r.d.chats.clear("chat", func(*Chat) bool { return false }); err != nil { // DeleteChat
		t.Fatal(err)
	}
	r.d.flush()
	r.d.pend.open = false
	r.expect("after delete", r.events(), []string{dropWrongChat})
	if texts, _ := r.stored(); len(texts) != 0 {
		t.Fatalf("stored after delete: %q", texts)
	}
}

// A process killed after the batch's write and before its events keeps
// the messages stored; after the restart their copies (the mailserver
// sends them again) are duplicates, not shown or stored again.
func TestPublicBatchCrashAfterWrite(t *testing.T) {
	r := newPubRig(t)
	crashed := 0
	r.d.hooks.crashAfterPublicWrite = func() bool { crashed++; return true }
	batch := []inbound{r.text("chat", "one", 1), r.text("chat", "two", 2), r.text("chat", "three", 3), r.text("chat", "four", 4)}
	if got := r.pass(batch...); len(got) != 0 || crashed != 1 {
		t.Fatalf("events %q before the crash, %d crashes", got, crashed)
	}

	r.d = r.dispatcher() // restart
	texts, unread := r.stored()
	r.expect("stored at restart", texts, []string{"four", "three", "two", "one"})
	if unread != 4 {
		t.Fatalf("unread %d at restart, want 4", unread)
	}
	want := make([]string, len(batch))
	for i := range want {
		want[i] = dropDuplicate
	}
	r.expect("copies after restart", r.pass(batch...), want)
	texts, unread = r.stored()
	r.expect("stored after copies", texts, []string{"four", "three", "two", "one"})
	if unread != 4 {
		t.Fatalf("unread %d, want 4", unread)
	}
}

// direct is alice's 1:1 text to bob with clock now+dclock, as MVDS
// delivers it.
func (r *pubRig) direct(text string, dclock int64) datasync.Delivery {
	r.t.Helper()
	now := r.alice.c.cfg.Now()
	body, _, err := r.alice.c.encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypeOneToOne,
		Clock: now.UnixMilli() + dclock, Timestamp: now.UnixMilli(), Content: message.Content{ChatID: r.bob.c.selfHex, Text: text}})
	if err != nil {
		r.t.Fatal(err)
	}
	return datasync.Delivery{Delivery: mvds.Delivery{From: r.alice.c.selfPeer, Message: mvds.Message{Timestamp: now.Unix(), Body: body}}}
}

// The 1:1 messages MVDS delivered in one drained batch are stored with one
// write and confirmed to the driver only after it, in one call; a
// duplicate among them is dropped and confirmed too.
func TestDirectBatchOneWriteThenConfirm(t *testing.T) {
	r := newPubRig(t)
	if _, _, err := r.d.direct.open(&r.alice.key.PublicKey); err != nil {
		t.Fatal(err)
	}
	dels := []datasync.Delivery{r.direct("one", 1), r.direct("two", 2), r.direct("one", 1), r.direct("three", 3)}
	before, confirmed := r.kv.writes, len(r.bob.ds.confirmed)
	r.d.pend.open = true
	for _, dl := range dels {
		r.d.receiveDelivered(dl, nil)
	}
	if got := r.bob.ds.confirmed[confirmed:]; len(got) != 1 || got[0] != dels[2].ID() {
		t.Fatalf("confirmed before the write: %d (want only the duplicate)", len(got))
	}
	if w := r.kv.writes - before; w != 0 {
		t.Fatalf("%d writes before the flush", w)
	}
	r.d.flush()
	r.d.pend.open = false
	if w := r.kv.writes - before; w != 1 {
		t.Fatalf("%d writes for one batch, want 1", w)
	}
	r.expect("events", r.events(), []string{"msg:one", "msg:two", dropDuplicate, "msg:three"}) // arrival order
	want := []mvds.MessageID{dels[2].ID(), dels[0].ID(), dels[1].ID(), dels[3].ID()}
	if got := r.bob.ds.confirmed[confirmed:]; !slices.Equal(got, want) {
		t.Fatalf("confirmed %x, want %x", got, want)
	}
	msgs, err := r.bob.c.st.chatMessages(r.alice.c.selfHex)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("stored %d messages, %v; want 3", len(msgs), err)
	}

	// receiveDeliveries is the same pass for a drained batch.
	before, confirmed = r.kv.writes, len(r.bob.ds.confirmed)
	r.d.receiveDeliveries([]datasync.Delivery{r.direct("four", 4), r.direct("five", 5)}, nil)
	if w, n := r.kv.writes-before, len(r.bob.ds.confirmed)-confirmed; w != 1 || n != 2 {
		t.Fatalf("%d writes, %d confirmations; want 1, 2", w, n)
	}
}

// A process killed after the batch's write confirms none of its 1:1
// messages: MVDS delivers them again at the next Start, and the copies
// are duplicates, shown once.
func TestDirectBatchCrashAfterWriteLeavesPending(t *testing.T) {
	r := newPubRig(t)
	r.d.hooks.crashAfterPublicWrite = func() bool { return true }
	dels := []datasync.Delivery{r.direct("one", 1), r.direct("two", 2)}
	confirmed := len(r.bob.ds.confirmed)
	r.d.receiveDeliveries(dels, nil)
	if n := len(r.bob.ds.confirmed) - confirmed; n != 0 {
		t.Fatalf("%d confirmed before the crash", n)
	}
	r.d = r.dispatcher() // restart: the driver delivers them again
	r.d.receiveDeliveries(dels, nil)
	r.expect("copies after restart", r.events(), []string{dropDuplicate, dropDuplicate})
	if n := len(r.bob.ds.confirmed) - confirmed; n != 2 {
		t.Fatalf("%d confirmed after the restart, want 2", n)
	}
}

// 1:1 messages MVDS delivered while the store fails are not confirmed
// to the driver (a duplicate among them, dropped, is); the held ones are
// confirmed once their retry wrote them. Quit ends the retries at once,
// confirming nothing.
func TestDirectBatchStoreFailureConfirmsOnceWritten(t *testing.T) {
	r := newPubRig(t)
	clock := NewArmedClock(time.Unix(0, 0))
	r.d.hooks.retryClock = clock
	if _, _, err := r.d.direct.open(&r.alice.key.PublicKey); err != nil {
		t.Fatal(err)
	}
	r.d.receiveDeliveries([]datasync.Delivery{r.direct("old", 1)}, nil)
	confirmed := len(r.bob.ds.confirmed)
	r.kv.fail = func(int) bool { return true }
	dels := []datasync.Delivery{r.direct("one", 2), r.direct("old", 1), r.direct("two", 3)}
	r.d.receiveDeliveries(dels, nil)
	if got := r.bob.ds.confirmed[confirmed:]; !slices.Equal(got, []mvds.MessageID{dels[1].ID()}) {
		t.Fatalf("confirmed %x while failing, want only the duplicate", got)
	}
	// Stop while failing: the retry wait ends, nothing more is confirmed.
	quit := make(chan struct{})
	done := make(chan bool, 1)
	go func() { done <- r.d.retryHeld(quit) }()
	if err := clock.Advance(context.Background(), clock.Next(t)); err != nil { // one failed retry
		t.Fatal(err)
	}
	clock.Next(t)
	close(quit)
	if <-done {
		t.Fatal("retryHeld reported success on quit")
	}
	if n := len(r.bob.ds.confirmed) - confirmed; n != 1 {
		t.Fatalf("%d confirmed, want 1", n)
	}

	r.kv.fail = nil
	go func() { done <- r.d.retryHeld(make(chan struct{})) }()
	if err := clock.Advance(context.Background(), clock.Next(t)); err != nil {
		t.Fatal(err)
	}
	if !<-done {
		t.Fatal("retryHeld gave up")
	}
	want := []mvds.MessageID{dels[1].ID(), dels[0].ID(), dels[2].ID()}
	if got := r.bob.ds.confirmed[confirmed:]; !slices.Equal(got, want) {
		t.Fatalf("confirmed %x, want %x", got, want)
	}
	msgs, err := r.bob.c.st.chatMessages(r.alice.c.selfHex)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("stored %d messages, %v; want 3", len(msgs), err)
	}
}
