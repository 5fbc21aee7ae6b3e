package mailserver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// barrier is a fake ClientConfig.Settle: every call blocks until open is
// called, then returns fail (nil: success).
type barrier struct {
	calls atomic.Int32
	once  sync.Once
	gate  chan struct{}
	fail  error
}

func newBarrier(fail error) *barrier { return &barrier{gate: make(chan struct{}), fail: fail} }

func (b *barrier) settle(ctx context.Context) error {
	b.calls.Add(1)
	select {
	case <-b.gate:
		return b.fail
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *barrier) open() { b.once.Do(func() { close(b.gate) }) }

// seenStored counts the seen hashes in the client's store.
func seenStored(t *testing.T, kv storage.KV) int {
	t.Helper()
	n := 0
	if err := kv.Iterate([]byte{prefixSeen}, nil, func(_, _ []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// archive12 posts twelve messages on topic from the sender and waits until
// the mailserver archived them; it returns the fill range.
func archive12(t *testing.T, x *mailserverSetup, key *wproto.SymKey, topic wproto.Topic) (from, to uint32) {
	t.Helper()
	from = uint32(time.Now().Unix()) - 60
	for i := range 12 {
		post(t, x.s, key, topic, fmt.Sprintf("m-%d", i))
	}
	testutil.WaitFor(t, 10*time.Second, "archived", func() bool {
		n, _ := x.arch.Count(context.Background())
		return n == 12
	})
	return from, uint32(time.Now().Unix()) + 5
}

// TestSettleHoldsCoverAndSeen: while Settle blocks, a fill whose pages all
// arrived (three pages of four) records no covered range and no seen hash,
// and does not return; once Settle returns, the fill returns with its gap
// covered and every fetched hash stored as seen.
func TestSettleHoldsCoverAndSeen(t *testing.T) {
	b := newBarrier(nil)
	t.Cleanup(b.open)
	x := newSetup(t, nil, func(c *ClientConfig) { c.Settle = b.settle })
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	from, to := archive12(t, x, &key, topic)
	col := collect(t, x.c.w, &key, topic)

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done <- x.client.FillGaps(ctx, x.m.self(), []wproto.Topic{topic}, from, to)
	}()
	testutil.WaitFor(t, 10*time.Second, "every page delivered", func() bool { d, _, _ := col.count(); return d == 12 })
	// The last page's completion came after its envelopes: the request
	// now waits on Settle for its final range, the seen loop for its batch.
	var filled bool
	var ferr error
	testutil.WaitFor(t, 10*time.Second, "Settle called (or the fill done)", func() bool {
		select {
		case ferr = <-done:
			filled = true
		default:
		}
		return filled || b.calls.Load() >= 2
	})
	if filled {
		t.Fatalf("the fill returned (%v) while Settle blocked", ferr)
	}
	if cov, err := x.client.Covered(topic); err != nil || len(cov) != 0 {
		t.Fatalf("covered while Settle blocked: %+v, %v", cov, err)
	}
	if n := seenStored(t, x.client.cfg.Store); n != 0 {
		t.Fatalf("%d seen hashes stored while Settle blocked", n)
	}

	b.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if gaps, err := x.client.Gaps(topic, from, to); err != nil || len(gaps) != 0 {
		t.Fatalf("gaps after Settle returned: %+v, %v", gaps, err)
	}
	testutil.WaitFor(t, 10*time.Second, "seen hashes stored", func() bool { return seenStored(t, x.client.cfg.Store) == 12 })
}

// TestSettleFailureRecordsNothing: when Settle fails, a fill fails with
// ErrNotSettled and records neither its range nor its hashes (not even at
// Stop); a later fill on the same store fetches and delivers every
// envelope again.
func TestSettleFailureRecordsNothing(t *testing.T) {
	errDown := errors.New("consumer down")
	b := newBarrier(errDown)
	b.open()
	x := newSetup(t, nil, func(c *ClientConfig) { c.Settle = b.settle })
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	from, to := archive12(t, x, &key, topic)
	col := collect(t, x.c.w, &key, topic)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = x.client.FillGaps(ctx, x.m.self(), []wproto.Topic{topic}, from, to)
	if !errors.Is(err, ErrNotSettled) || !errors.Is(err, errDown) {
		t.Fatalf("fill with a failing Settle: %v, want ErrNotSettled wrapping the cause", err)
	}
	testutil.WaitFor(t, 10*time.Second, "every envelope delivered", func() bool { d, _, _ := col.count(); return d == 12 })
	store := x.client.cfg.Store
	if err := x.client.Stop(); err != nil { // its last seen flush fails too
		t.Fatal(err)
	}
	if cov, err := x.client.gaps.Covered(topic); err != nil || len(cov) != 0 {
		t.Fatalf("covered with a failing Settle: %+v, %v", cov, err)
	}
	if n := seenStored(t, store); n != 0 {
		t.Fatalf("%d seen hashes stored with a failing Settle", n)
	}

	// A new client on the same store, whose Settle succeeds: the range is
	// still a gap, and every envelope is fetched and delivered again.
	client, err := NewClient(ClientConfig{NodeKey: x.c.key, Store: store, Timeout: 5 * time.Second,
		OnlineTick: time.Hour, PageLimit: 4}, x.c.w, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	x.c.w.SetEnvelopeHook(EnvelopeHook(nil, client))
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Stop() })
	if err := client.FillGaps(ctx, x.m.self(), []wproto.Topic{topic}, from, to); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "every envelope again", func() bool { _, total, _ := col.count(); return total == 24 })
	if d, total, p2p := col.count(); d != 12 || total != 24 || p2p != 24 {
		t.Fatalf("got %d distinct, %d total, %d via p2p; want 12, 24, 24", d, total, p2p)
	}
	if gaps, err := client.Gaps(topic, from, to); err != nil || len(gaps) != 0 {
		t.Fatalf("gaps after the second fill: %+v, %v", gaps, err)
	}
}

// TestSettleHoldsOnlineCoverage: the online-coverage tick records the
// time online only once Settle returned; when it fails, nothing.
func TestSettleHoldsOnlineCoverage(t *testing.T) {
	b := newBarrier(nil)
	t.Cleanup(b.open)
	x := newSetup(t, nil, func(c *ClientConfig) { c.Settle = b.settle })
	topic := wproto.TopicFromName("status")
	if err := x.client.Track(topic); err != nil {
		t.Fatal(err)
	}
	var st onlineState
	now := time.Now()
	ticked := make(chan struct{})
	go func() { defer close(ticked); x.client.tick(&st, now) }()
	testutil.WaitFor(t, 10*time.Second, "Settle called", func() bool { return b.calls.Load() >= 1 })
	if cov, err := x.client.Covered(topic); err != nil || len(cov) != 0 {
		t.Fatalf("online time covered while Settle blocked: %+v, %v", cov, err)
	}
	b.open()
	<-ticked
	sec := uint32(now.Unix())
	if cov, err := x.client.Covered(topic); err != nil || len(cov) != 1 || cov[0] != (Range{From: sec, To: sec}) {
		t.Fatalf("online time after Settle returned: %+v, %v", cov, err)
	}

	b.fail = errors.New("consumer down")
	x.client.tick(&st, now.Add(time.Minute))
	if cov, err := x.client.Covered(topic); err != nil || len(cov) != 1 || cov[0].To != sec {
		t.Fatalf("online time recorded with a failing Settle: %+v, %v", cov, err)
	}
}
