package mailserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/transport/mailserver/archive"
	"github.com/statusnode/statusd/transport/whisper"
)

// mailserverSetup is sender S and client C, both peered with mailserver M,
// over real loopback devp2p connections.
type mailserverSetup struct {
	s, m, c *testNode
	server  *Server
	client  *Client
	arch    archive.Archive
}

func newSetup(t *testing.T, mod func(*ServerConfig), clientMods ...func(*ClientConfig)) *mailserverSetup {
	t.Helper()
	// The mailserver may raise its minimum PoW past what it seals itself
	// (hostile_test.go refuses a client's request that way).
	allowHighPoW := func(c *whisper.Config) { c.MaxSettablePoW = 1e6 }
	x := &mailserverSetup{s: newNode(t, "sender"), m: newNode(t, "mailserver", allowHighPoW), c: newNode(t, "client")}
	arch, err := archive.OpenLevelDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { arch.Close() })
	x.arch = arch
	cfg := ServerConfig{Archive: arch, NodeKey: x.m.key, Password: "status-offline-inbox"}
	if mod != nil {
		mod(&cfg)
	}
	x.server, err = NewServer(cfg, x.m.w, zaptest.NewLogger(t), x.m.reg)
	if err != nil {
		t.Fatal(err)
	}
	x.m.w.SetEnvelopeHook(EnvelopeHook(x.server, nil))
	if err := x.server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.server.Stop() })
	ccfg := ClientConfig{
		NodeKey: x.c.key, Store: storage.NewTable(storage.NewMemory(), TableName),
		Mailservers: nil, Timeout: 5 * time.Second, OnlineTick: time.Hour, PageLimit: 4,
	}
	for _, m := range clientMods {
		m(&ccfg)
	}
	x.client, err = NewClient(ccfg, x.c.w, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	x.c.w.SetEnvelopeHook(EnvelopeHook(nil, x.client))
	if err := x.client.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.client.Stop() })
	connect(t, x.s, x.m)
	connect(t, x.c, x.m)
	return x
}

// collector counts the payloads a filter subscription delivers.
type collector struct {
	mu  sync.Mutex
	got map[string]int
	p2p int
}

func collect(t *testing.T, w *whisper.Whisper, key *wproto.SymKey, topic wproto.Topic) *collector {
	t.Helper()
	_, ch, err := w.Filters().Subscribe(&whisper.Filter{KeySym: key, Topics: []wproto.Topic{topic}, AllowP2P: true})
	if err != nil {
		t.Fatal(err)
	}
	col := &collector{got: make(map[string]int)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ch {
			col.mu.Lock()
			col.got[string(m.Payload)]++
			if m.P2P {
				col.p2p++
			}
			col.mu.Unlock()
		}
	}()
	t.Cleanup(func() { w.Stop(); <-done }) // Stop closes the channel
	return col
}

func (c *collector) count() (distinct, total, p2p int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.got {
		distinct++
		total += n
	}
	return distinct, total, c.p2p
}

// TestOfflineCatchUp is acceptance 1: the mailserver archives a public
// chat while the client is offline; the client comes back, finds the gap,
// requests it with the overlap, pages through cursors, and every message
// arrives exactly once — including those sent just before it went offline,
// which the overlap fetches again and the dedupe drops. The gap API then
// reports nothing missing.
func TestOfflineCatchUp(t *testing.T) {
	x := newSetup(t, nil)
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	col := collect(t, x.c.w, &key, topic)
	if err := x.client.Track(topic); err != nil {
		t.Fatal(err)
	}

	// Online: coverage recorded by two ticks, five messages arrive live.
	base := time.Now()
	var st onlineState
	x.client.tick(&st, base.Add(-2*time.Minute))
	for i := range 5 {
		post(t, x.s, &key, topic, fmt.Sprintf("live-%d", i))
	}
	testutil.WaitFor(t, 10*time.Second, "live messages", func() bool { d, _, _ := col.count(); return d == 5 })
	x.client.tick(&st, base.Add(-time.Minute))

	// Offline: the client loses its only peer; ten more are archived.
	x.c.p2p.RemovePeer(x.m.self())
	testutil.WaitFor(t, 10*time.Second, "client offline", func() bool { return x.c.w.PeerCount() == 0 })
	x.client.tick(&st, base)
	for i := range 10 {
		post(t, x.s, &key, topic, fmt.Sprintf("offline-%d", i))
	}
	testutil.WaitFor(t, 10*time.Second, "archived", func() bool {
		n, _ := x.arch.Count(context.Background())
		return n == 15
	})

	// Offline for longer than the TTL: M's pool no longer hands the
	// offline messages to a reconnecting peer; only the archive has them.
	x.m.skew.Store(int64(time.Minute))

	// Back: the gap API reports the offline time as missing.
	connect(t, x.m, x.c) // the dialer backs off redialling for 30 s: M dials back
	from, to := uint32(base.Add(-2*time.Minute).Unix()), uint32(time.Now().Unix()+5)
	gaps, err := x.client.Gaps(topic, from, to)
	if err != nil || len(gaps) != 1 || gaps[0].From != uint32(base.Add(-time.Minute).Unix())+1 || gaps[0].To != to {
		t.Fatalf("gaps before = %+v, %v", gaps, err)
	}
	sub := x.client.Subscribe(64)
	defer sub.Unsubscribe()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := x.client.FillGaps(ctx, x.m.self(), []wproto.Topic{topic}, from, to); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "fetched messages", func() bool { d, _, _ := col.count(); return d == 15 })
	distinct, total, p2p := col.count()
	if distinct != 15 || total != 15 || p2p != 10 {
		t.Fatalf("got %d distinct, %d total, %d via p2p; want 15, 15, 10", distinct, total, p2p)
	}
	if gaps, err := x.client.Gaps(topic, from, to); err != nil || len(gaps) != 0 {
		t.Fatalf("gaps after = %+v, %v", gaps, err)
	}
	pages, filled, envelopes := 0, 0, 0
	for len(sub.C()) > 0 {
		switch ev := <-sub.C(); ev.Kind {
		case EventRequestCompleted:
			pages++
			envelopes += ev.Envelopes
		case EventGapFilled:
			filled++
		}
	}
	// 15 envelopes in pages of 4: four pages, the last without a cursor.
	// Each page's completion counts its envelopes: all 15 were delivered.
	if pages != 4 || filled != 1 || envelopes != 15 {
		t.Fatalf("%d completed pages, %d filled gaps, %d envelopes; want 4, 1, 15", pages, filled, envelopes)
	}
}

// TestFetchAfterJoin: an envelope that arrived live before any filter could
// open it (its chat was joined later) is delivered when fetched from the
// mailserver; one that a filter opened live, or that an earlier fetch
// delivered, is not delivered again.
func TestFetchAfterJoin(t *testing.T) {
	x := newSetup(t, nil)
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	from := uint32(time.Now().Unix()) - 60
	post(t, x.s, &key, topic, "before-join")
	testutil.WaitFor(t, 10*time.Second, "live envelope at the client", func() bool {
		return strings.Contains(metricText(t, x.c), `whisper_envelopes_in_total{source="peer"} 1`)
	})

	col := collect(t, x.c.w, &key, topic) // the chat is joined
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	to := uint32(time.Now().Unix()) + 5
	if err := x.client.FillGaps(ctx, x.m.self(), []wproto.Topic{topic}, from, to); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "fetched message", func() bool { d, _, _ := col.count(); return d == 1 })

	post(t, x.s, &key, topic, "after-join")
	testutil.WaitFor(t, 10*time.Second, "live message", func() bool { d, _, _ := col.count(); return d == 2 })
	testutil.WaitFor(t, 10*time.Second, "archived", func() bool {
		n, _ := x.arch.Count(context.Background())
		return n == 2
	})
	if _, err := x.client.Request(ctx, x.m.self(), RequestParams{Lower: from, Upper: to, Topics: []wproto.Topic{topic}, FollowCursor: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(metricText(t, x.c), `whisper_envelopes_dropped_total{reason="p2p_filtered"} 2`) {
		t.Errorf("the second fetch was not deduped:\n%s", metricText(t, x.c))
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	if col.got["before-join"] != 1 || col.got["after-join"] != 1 || col.p2p != 1 {
		t.Fatalf("got %v, %d via p2p; want each once, 1 via p2p", col.got, col.p2p)
	}
}

// TestFillResumesAfterCancel: a gap fill whose context ends after its
// first page keeps that page's progress — the time before the page's
// cursor is covered — and the next fill fetches only the rest; every
// message arrives exactly once. A fill of a topic already being filled
// waits for that one.
func TestFillResumesAfterCancel(t *testing.T) {
	x := newSetup(t, nil)
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	from := uint32(time.Now().Unix()) - 60
	for i := range 12 {
		post(t, x.s, &key, topic, fmt.Sprintf("m-%d", i))
	}
	testutil.WaitFor(t, 10*time.Second, "archived", func() bool {
		n, _ := x.arch.Count(context.Background())
		return n == 12
	})
	col := collect(t, x.c.w, &key, topic)
	to := uint32(time.Now().Unix()) + 5

	sub := x.client.Subscribe(64)
	defer sub.Unsubscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ev := range sub.C() {
			if ev.Kind == EventRequestCompleted {
				cancel() // the caller leaves after the first page
				return
			}
		}
	}()
	// A second fill of the same topic waits for the first to end.
	held, herr := x.client.fillTurn(context.Background(), topic)
	if herr != nil {
		t.Fatal(herr)
	}
	first := make(chan error, 1)
	go func() { first <- x.client.FillGaps(ctx, x.m.self(), []wproto.Topic{topic}, from, to) }()
	tctx, tcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	if _, err := x.client.fillTurn(tctx, topic); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second turn of a busy topic: %v", err)
	}
	tcancel()
	held()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("first fill: %v, want it cancelled", err)
	}
	gaps, err := x.client.Gaps(topic, from, to)
	if err != nil || len(gaps) != 1 || gaps[0].From <= from || gaps[0].To != to {
		t.Fatalf("gaps after the first page = %+v, %v; want one, (%d, %d]", gaps, err, from, to)
	}

	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	if err := x.client.FillGaps(ctx2, x.m.self(), []wproto.Topic{topic}, from, to); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "every message", func() bool { d, _, _ := col.count(); return d == 12 })
	if d, total, _ := col.count(); d != 12 || total != 12 {
		t.Fatalf("got %d distinct, %d total; want 12, 12", d, total)
	}
	if gaps, err := x.client.Gaps(topic, from, to); err != nil || len(gaps) != 0 {
		t.Fatalf("gaps after = %+v, %v", gaps, err)
	}
}
