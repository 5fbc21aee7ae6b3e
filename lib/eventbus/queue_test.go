package eventbus

import (
	"sync"
	"testing"
	"time"
)

// TestQueueLosslessWithStalledReader: while the reader of a queue does not
// drain, Publish still returns at once and a bounded subscription beside it
// drops; when the reader drains, it gets every value in publish order.
func TestQueueLosslessWithStalledReader(t *testing.T) {
	const n = 100000
	b := New[int](16)
	q := b.SubscribeQueue()
	s := b.Subscribe(0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			b.Publish(i)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a stalled queue")
	}
	if q.Len() != n || s.Dropped() != n-16 {
		t.Fatalf("queued %d, bounded dropped %d", q.Len(), s.Dropped())
	}
	<-q.Ready()
	vals, open := q.Drain(nil)
	if !open || len(vals) != n {
		t.Fatalf("drained %d, open %v", len(vals), open)
	}
	for i, v := range vals {
		if v != i {
			t.Fatalf("value %d is %d", i, v)
		}
	}
	if vals, _ = q.Drain(vals); len(vals) != 0 || q.Len() != 0 {
		t.Fatalf("second drain got %d", len(vals))
	}
}

// TestQueueConcurrentPublishers: values published from several goroutines
// while the reader drains all arrive, each publisher's in its order.
func TestQueueConcurrentPublishers(t *testing.T) {
	const pubs, each = 4, 5000
	b := New[[2]int](0)
	q := b.SubscribeQueue()
	var wg sync.WaitGroup
	for p := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				b.Publish([2]int{p, i})
			}
		}()
	}
	go func() { wg.Wait(); b.Close() }()
	next := make([]int, pubs)
	var buf [][2]int
	for range q.Ready() {
		var open bool
		buf, open = q.Drain(buf)
		for _, v := range buf {
			if v[1] != next[v[0]] {
				t.Fatalf("publisher %d: got %d, want %d", v[0], v[1], next[v[0]])
			}
			next[v[0]]++
		}
		if !open {
			break
		}
	}
	// Ready is closed: whatever the last wake-up left is still there.
	buf, open := q.Drain(buf)
	for _, v := range buf {
		next[v[0]]++
	}
	for p, got := range next {
		if got != each {
			t.Fatalf("publisher %d: %d of %d values", p, got, each)
		}
	}
	if open {
		t.Fatal("queue open after Close and a full drain")
	}
}

// TestQueueClose: Unsubscribe and Close close Ready and keep what was
// queued for Drain; nothing is appended afterwards; a queue taken after
// Close is closed and empty; a big drained buffer is not kept.
func TestQueueClose(t *testing.T) {
	b := New[int](1)
	q, r := b.SubscribeQueue(), b.SubscribeQueue()
	b.Publish(1)
	q.Unsubscribe()
	q.Unsubscribe() // idempotent
	b.Publish(2)
	if _, ok := <-q.Ready(); !ok {
		t.Fatal("the pending signal is lost") // buffered signal first, then closed
	}
	if _, ok := <-q.Ready(); ok {
		t.Fatal("Ready not closed by Unsubscribe")
	}
	if vals, open := q.Drain(nil); len(vals) != 1 || vals[0] != 1 || !open {
		t.Fatalf("after Unsubscribe: %v, open %v", vals, open)
	}
	if vals, open := q.Drain(make([]int, 0, 2*maxRetained)); len(vals) != 0 || open {
		t.Fatalf("closed and empty: %v, open %v", vals, open)
	}
	if cap(q.items) > maxRetained {
		t.Fatalf("kept a buffer of %d", cap(q.items))
	}
	b.Close()
	if vals, _ := r.Drain(nil); len(vals) != 2 {
		t.Fatalf("r kept %v after Close", vals)
	}
	b.Publish(3)
	if r.Len() != 0 {
		t.Fatal("appended after Close")
	}
	late := b.SubscribeQueue()
	if _, ok := <-late.Ready(); ok {
		t.Fatal("queue after Close is open")
	}
	if _, open := late.Drain(nil); open {
		t.Fatal("queue after Close drains open")
	}
	late.Unsubscribe()
}
