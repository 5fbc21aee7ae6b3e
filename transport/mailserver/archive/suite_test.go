package archive

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/mailserver"
	"github.com/statusnode/statusd/protocol/whisper"
)

// backend opens archives of one kind for the shared suite. open returns a
// fresh, empty archive closed at the end of the test; reopen (nil for
// volatile backends) closes a and opens the same storage again.
type backend struct {
	open   func(t *testing.T) Archive
	reopen func(t *testing.T, a Archive) Archive
}

// runSuite is the behaviour every Archive must have. Each backend's test
// file calls it.
func runSuite(t *testing.T, b backend) {
	t.Run("QueryOrderAndTopics", func(t *testing.T) { testQueryOrder(t, b.open(t)) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, b.open(t)) })
	t.Run("Bloom", func(t *testing.T) { testBloom(t, b.open(t)) })
	t.Run("Duplicates", func(t *testing.T) { testDuplicates(t, b.open(t)) })
	t.Run("Bounds", func(t *testing.T) { testBounds(t, b.open(t)) })
	t.Run("Prune", func(t *testing.T) { testPrune(t, b.open(t)) })
	t.Run("InvalidQuery", func(t *testing.T) { testInvalidQuery(t, b.open(t)) })
	t.Run("Model", func(t *testing.T) { testModel(t, b.open(t)) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, b.open(t)) })
	t.Run("Closed", func(t *testing.T) { testClosed(t, b.open(t)) })
	if b.reopen != nil {
		t.Run("Reopen", func(t *testing.T) { testReopen(t, b) })
	}
}

var ctx = context.Background()

var (
	topicA = whisper.TopicFromName("status")
	topicB = whisper.TopicFromName("contact-discovery")
	topicC = whisper.TopicFromName("testing-adamb")
)

// env makes a distinct envelope on topic t; n makes it unique.
func env(t whisper.Topic, n int) *whisper.Envelope {
	return &whisper.Envelope{
		Expiry: 1565000000 + uint32(n%1000), TTL: 15, Topic: t,
		Data: []byte{byte(n), byte(n >> 8), byte(n >> 16), 0xAA}, Nonce: uint64(n),
	}
}

func at(sec int64) time.Time { return time.Unix(sec, 0) }

func mustPut(t *testing.T, a Archive, sec int64, envs ...*whisper.Envelope) {
	t.Helper()
	if err := a.Put(ctx, at(sec), envs...); err != nil {
		t.Fatalf("put: %v", err)
	}
}

func mustQuery(t *testing.T, a Archive, q Query) *Page {
	t.Helper()
	p, err := a.Query(ctx, &q)
	if err != nil {
		t.Fatalf("query %+v: %v", q, err)
	}
	return p
}

func mustCount(t *testing.T, a Archive, want int) {
	t.Helper()
	if n, err := a.Count(ctx); err != nil || n != want {
		t.Fatalf("count = %d, %v; want %d", n, err, want)
	}
}

// checkOrdered fails unless p's entries are strictly ascending and whole.
func checkOrdered(t *testing.T, p *Page) {
	t.Helper()
	for i, e := range p.Entries {
		if e.Envelope == nil || e.Envelope.Hash() != e.Hash {
			t.Fatalf("entry %d: envelope does not match its hash", i)
		}
		if i > 0 && p.Entries[i-1].Cursor().Compare(e.Cursor()) >= 0 {
			t.Fatalf("entries %d and %d out of order", i-1, i)
		}
	}
}

func testQueryOrder(t *testing.T, a Archive) {
	for i := 0; i < 30; i++ {
		mustPut(t, a, int64(1000+i/3), env(topicA, i), env(topicB, 100+i))
	}
	mustCount(t, a, 60)
	p := mustQuery(t, a, Query{From: 1002, To: 1005, Topics: []whisper.Topic{topicA}, Limit: 100})
	checkOrdered(t, p)
	if len(p.Entries) != 12 || p.Next != nil {
		t.Fatalf("%d entries, next %v; want 12, nil", len(p.Entries), p.Next)
	}
	for _, e := range p.Entries {
		if e.Envelope.Topic != topicA || e.Time < 1002 || e.Time > 1005 {
			t.Fatalf("entry %+v outside the query", e)
		}
	}
	both := mustQuery(t, a, Query{From: 0, To: 2000, Topics: []whisper.Topic{topicB, topicA, topicA}, Limit: 100})
	checkOrdered(t, both)
	if len(both.Entries) != 60 {
		t.Fatalf("two topics: %d entries", len(both.Entries))
	}
}

func testPaging(t *testing.T, a Archive) {
	for i := 0; i < 50; i++ {
		mustPut(t, a, int64(2000+i/7), env(topicA, i), env(topicC, 500+i))
	}
	q := Query{From: 2000, To: 3000, Topics: []whisper.Topic{topicA, topicC}, Limit: 9}
	var all []Entry
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		p := mustQuery(t, a, q)
		checkOrdered(t, p)
		all = append(all, p.Entries...)
		if p.Next == nil {
			break
		}
		if *p.Next != p.Entries[len(p.Entries)-1].Cursor() {
			t.Fatal("next cursor is not the last entry's position")
		}
		q.Cursor = p.Next
	}
	if len(all) != 100 {
		t.Fatalf("%d entries over all pages, want 100", len(all))
	}
	checkOrdered(t, &Page{Entries: all})
	// Exactly Limit left: the last page has no Next.
	p := mustQuery(t, a, Query{From: 2000, To: 3000, Topics: []whisper.Topic{topicA}, Limit: 50})
	if len(p.Entries) != 50 || p.Next != nil {
		t.Fatalf("exact page: %d entries, next %v", len(p.Entries), p.Next)
	}
}

func testBloom(t *testing.T, a Archive) {
	mustPut(t, a, 10, env(topicA, 1), env(topicB, 2), env(topicC, 3))
	p := mustQuery(t, a, Query{To: 100, Bloom: whisper.BloomFromTopics(topicA, topicC), Limit: 10})
	for _, e := range p.Entries {
		if e.Envelope.Topic == topicB {
			t.Fatal("bloom query returned an unselected topic")
		}
	}
	if len(p.Entries) != 2 {
		t.Fatalf("bloom query: %d entries", len(p.Entries))
	}
	if all := mustQuery(t, a, Query{To: 100, Bloom: whisper.FullBloom(), Limit: 10}); len(all.Entries) != 3 {
		t.Fatalf("full bloom: %d entries", len(all.Entries))
	}
}

func testDuplicates(t *testing.T, a Archive) {
	e := env(topicA, 7)
	mustPut(t, a, 100, e, e)
	mustPut(t, a, 200, e, env(topicA, 8))
	mustCount(t, a, 2)
	p := mustQuery(t, a, Query{To: 1000, Topics: []whisper.Topic{topicA}, Limit: 10})
	if len(p.Entries) != 2 || p.Entries[0].Time != 100 || p.Entries[0].Hash != e.Hash() {
		t.Fatalf("first arrival must win: %+v", p.Entries)
	}
}

func testBounds(t *testing.T, a Archive) {
	mustPut(t, a, 0, env(topicA, 1))
	mustPut(t, a, math.MaxUint32, env(topicA, 2))
	mustPut(t, a, math.MaxUint32+100, env(topicA, 3)) // clamped
	mustPut(t, a, 50, env(topicA, 4))
	p := mustQuery(t, a, Query{From: 0, To: math.MaxUint32, Topics: []whisper.Topic{topicA}, Limit: 10})
	if len(p.Entries) != 4 || p.Entries[0].Time != 0 || p.Entries[3].Time != math.MaxUint32 {
		t.Fatalf("full range: %+v", p.Entries)
	}
	p = mustQuery(t, a, Query{From: 50, To: 50, Topics: []whisper.Topic{topicA}, Limit: 10})
	if len(p.Entries) != 1 || p.Entries[0].Time != 50 {
		t.Fatalf("inclusive single second: %+v", p.Entries)
	}
	// A cursor before From does not widen the range.
	early := mailserver.Cursor{Time: 0}
	p = mustQuery(t, a, Query{From: 50, To: 60, Topics: []whisper.Topic{topicA}, Limit: 10, Cursor: &early})
	if len(p.Entries) != 1 {
		t.Fatalf("cursor before From: %d entries", len(p.Entries))
	}
}

func testPrune(t *testing.T, a Archive) {
	for i := 0; i < 20; i++ {
		mustPut(t, a, int64(100+i), env(topicA, i), env(topicB, 100+i))
	}
	n, err := a.Prune(ctx, at(110))
	if err != nil || n != 20 {
		t.Fatalf("pruned %d, %v; want 20", n, err)
	}
	mustCount(t, a, 20)
	p := mustQuery(t, a, Query{To: 1000, Bloom: whisper.FullBloom(), Limit: 100})
	if len(p.Entries) != 20 || p.Entries[0].Time != 110 {
		t.Fatalf("after prune: %d entries, first at %d", len(p.Entries), p.Entries[0].Time)
	}
	if n, err := a.Prune(ctx, at(1000)); err != nil || n != 20 {
		t.Fatalf("prune all: %d, %v", n, err)
	}
	mustCount(t, a, 0)
	// Pruned hashes may be archived again.
	mustPut(t, a, 2000, env(topicA, 1))
	mustCount(t, a, 1)
}

func testInvalidQuery(t *testing.T, a Archive) {
	for _, q := range []Query{
		{To: 1, Topics: []whisper.Topic{topicA}},
		{To: 1, Topics: []whisper.Topic{topicA}, Limit: MaxLimit + 1},
		{From: 2, To: 1, Topics: []whisper.Topic{topicA}, Limit: 1},
		{To: 1, Limit: 1},
	} {
		if _, err := a.Query(ctx, &q); !errors.Is(err, ErrInvalidQuery) {
			t.Fatalf("%+v: %v", q, err)
		}
	}
}

// testConcurrent runs writers and readers at once; every goroutine is
// joined before the checks.
func testConcurrent(t *testing.T, a Archive) {
	const writers, readers, puts = 4, 4, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < puts; i++ {
				if err := a.Put(ctx, at(int64(100+i)), env(topicA, w*1000+i), env(topicB, w*1000+i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < puts; i++ {
				p, err := a.Query(ctx, &Query{To: 1000, Bloom: whisper.FullBloom(), Limit: 50})
				if err != nil {
					errs <- err
					return
				}
				for j := 1; j < len(p.Entries); j++ {
					if p.Entries[j-1].Cursor().Compare(p.Entries[j].Cursor()) >= 0 {
						errs <- errors.New("page out of order")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustCount(t, a, writers*puts*2)
}

func testClosed(t *testing.T, a Archive) {
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := a.Put(ctx, at(1), env(topicA, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("put: %v", err)
	}
	if _, err := a.Query(ctx, &Query{To: 1, Topics: []whisper.Topic{topicA}, Limit: 1}); !errors.Is(err, ErrClosed) {
		t.Fatalf("query: %v", err)
	}
	if _, err := a.Count(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("count: %v", err)
	}
	if _, err := a.Prune(ctx, at(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("prune: %v", err)
	}
}

func testReopen(t *testing.T, b backend) {
	a := b.open(t)
	mustPut(t, a, 10, env(topicA, 1), env(topicB, 2))
	a = b.reopen(t, a)
	mustCount(t, a, 2)
	p := mustQuery(t, a, Query{To: 100, Bloom: whisper.FullBloom(), Limit: 10})
	if len(p.Entries) != 2 {
		t.Fatalf("after reopen: %d entries", len(p.Entries))
	}
	checkOrdered(t, p)
}

// testModel runs random puts, prunes and paged queries against a and the
// naive Memory model and requires identical answers.
func testModel(t *testing.T, a Archive) {
	model := NewMemory()
	rng := rand.New(rand.NewSource(7))
	topics := []whisper.Topic{topicA, topicB, topicC, whisper.TopicFromName("x"), whisper.TopicFromName("y")}
	for step := 0; step < 60; step++ {
		switch r := rng.Intn(10); {
		case r < 6:
			now := at(int64(1000 + step*10 + rng.Intn(10)))
			var envs []*whisper.Envelope
			for i := rng.Intn(8); i >= 0; i-- {
				envs = append(envs, env(topics[rng.Intn(len(topics))], rng.Intn(300)))
			}
			mustPut(t, a, now.Unix(), envs...)
			mustPut(t, model, now.Unix(), envs...)
		case r < 7:
			cut := at(int64(1000 + rng.Intn(step*10+1)))
			n1, err1 := a.Prune(ctx, cut)
			n2, _ := model.Prune(ctx, cut)
			if err1 != nil || n1 != n2 {
				t.Fatalf("step %d prune: %d (%v), model %d", step, n1, err1, n2)
			}
		default:
			q := Query{
				From: uint32(1000 + rng.Intn(300)), Limit: 1 + rng.Intn(12),
				Topics: topics[:rng.Intn(3)], Bloom: whisper.BloomFromTopics(topics[rng.Intn(len(topics))]),
			}
			q.To = q.From + uint32(rng.Intn(400))
			comparePages(t, step, a, model, q)
		}
	}
	n1, _ := a.Count(ctx)
	n2, _ := model.Count(ctx)
	if n1 != n2 {
		t.Fatalf("count %d, model %d", n1, n2)
	}
}

// comparePages follows q's cursors on both archives and compares each page.
func comparePages(t *testing.T, step int, a, model Archive, q Query) {
	t.Helper()
	for page := 0; page < 100; page++ {
		got, want := mustQuery(t, a, q), mustQuery(t, model, q)
		if len(got.Entries) != len(want.Entries) || (got.Next == nil) != (want.Next == nil) {
			t.Fatalf("step %d page %d: %d entries (next %v), model %d (next %v)",
				step, page, len(got.Entries), got.Next, len(want.Entries), want.Next)
		}
		for i := range got.Entries {
			if got.Entries[i].Cursor() != want.Entries[i].Cursor() {
				t.Fatalf("step %d page %d entry %d: %v, model %v", step, page, i,
					got.Entries[i].Cursor(), want.Entries[i].Cursor())
			}
		}
		if got.Next == nil {
			return
		}
		q.Cursor = got.Next
	}
	t.Fatal("paging does not end")
}
