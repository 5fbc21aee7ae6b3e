package messenger

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
)

// gateKV holds every write until release is closed once gated is set, and
// fails the writes fail picks (n counts writes from 1).
type gateKV struct {
	storage.KV
	mu      sync.Mutex
	writes  int
	gated   bool
	entered chan struct{} // a gated write has begun
	release chan struct{}
	fail    func(n int) bool
}

func (g *gateKV) Write(b *storage.Batch) error {
	g.mu.Lock()
	g.writes++
	n, gated := g.writes, g.gated
	g.gated = false
	g.mu.Unlock()
	if gated {
		close(g.entered)
		<-g.release
	}
	if g.fail != nil && g.fail(n) {
		return errors.New("disk full")
	}
	return g.KV.Write(b)
}

// combineRig is a chat book with one public chat, "chat", over a gateKV.
func combineRig(t *testing.T) (*chatBook, *gateKV) {
	r := newRig(t)
	kv := &gateKV{KV: r.c.st.kv, entered: make(chan struct{}), release: make(chan struct{})}
	*r.c.st = *newStore(kv)
	b := newChatBook(r.c)
	if _, err := b.update("chat", func(*Chat, *storage.Batch) (*Chat, error) {
		return &Chat{ID: "chat", Type: ChatPublic, Name: "chat", Active: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	return b, kv
}

// queued waits until n sends wait behind the run in progress.
func queued(t *testing.T, b *chatBook, n int) {
	testutil.WaitFor(t, 10*time.Second, fmt.Sprintf("%d queued sends", n), func() bool {
		b.sends.mu.Lock()
		defer b.sends.mu.Unlock()
		return len(b.sends.queue) == n
	})
}

// TestSendsShareOneWrite: sends that arrive while a send's write is under
// way are stored together in one write, each with its own clock, in
// order, and a send that fails (no such chat) fails alone.
func TestSendsShareOneWrite(t *testing.T) {
	b, kv := combineRig(t)
	kv.gated = true
	before := kv.writes
	type result struct {
		out *outgoing
		err error
	}
	results := make([]result, 6)
	var wg sync.WaitGroup
	send := func(i int, chat string) {
		defer wg.Done()
		out, _, err := b.storeDraft(chat, Draft{Text: fmt.Sprintf("m%d", i)})
		results[i] = result{out, err}
	}
	wg.Add(1)
	go send(0, "chat") // leads, held in its write
	<-kv.entered
	for i := 1; i < len(results); i++ {
		wg.Add(1)
		chat := "chat"
		if i == 3 {
			chat = "missing"
		}
		go send(i, chat)
		queued(t, b, i)
	}
	close(kv.release)
	wg.Wait()
	if got := kv.writes - before; got != 2 {
		t.Fatalf("%d writes for 6 sends, want 2 (the first alone, the other five together)", got)
	}
	if !errors.Is(results[3].err, ErrChatNotFound) {
		t.Fatalf("send to a missing chat: %v, want ErrChatNotFound", results[3].err)
	}
	var last int64
	for i, r := range results {
		if i == 3 {
			continue
		}
		if r.err != nil {
			t.Fatalf("send %d: %v", i, r.err)
		}
		msg, err := b.c.st.message(r.out.id)
		if err != nil {
			t.Fatalf("send %d not stored: %v", i, err)
		}
		if msg.Text != fmt.Sprintf("m%d", i) || msg.Clock <= last {
			t.Fatalf("send %d: %q clock %d after %d", i, msg.Text, msg.Clock, last)
		}
		last = msg.Clock
	}
	if ch := b.get("chat"); ch.LastClock != last {
		t.Fatalf("chat clock %d, want the last message's %d", ch.LastClock, last)
	}
}

// TestSendsFailedWriteFailsTheRun: when the shared write fails, every
// send of the run gets the error and nothing of it is stored or cached;
// the next send succeeds with the clock after the last stored one.
func TestSendsFailedWriteFailsTheRun(t *testing.T) {
	b, kv := combineRig(t)
	kv.gated = true
	first := kv.writes + 1
	kv.fail = func(n int) bool { return n == first+1 } // the run after the gated write
	errs := make([]error, 4)
	ids := make([]string, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, _, err := b.storeDraft("chat", Draft{Text: fmt.Sprintf("m%d", i)})
			errs[i] = err
			if out != nil {
				ids[i] = out.id
			}
		}()
		if i == 0 {
			<-kv.entered
		} else {
			queued(t, b, i)
		}
	}
	close(kv.release)
	wg.Wait()
	if errs[0] != nil {
		t.Fatalf("first send: %v", errs[0])
	}
	m0, err := b.c.st.message(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 4; i++ {
		if !errors.Is(errs[i], ErrStore) {
			t.Fatalf("send %d of the failed run: %v, want the write's error", i, errs[i])
		}
		if _, err := b.c.st.message(ids[i]); err == nil {
			t.Fatalf("send %d of the failed run was stored", i)
		}
	}
	if ch := b.get("chat"); ch.LastClock != m0.Clock {
		t.Fatalf("chat clock %d after a failed run, want %d", ch.LastClock, m0.Clock)
	}
	out, _, err := b.storeDraft("chat", Draft{Text: "after"})
	if err != nil {
		t.Fatal(err)
	}
	if msg, _ := b.c.st.message(out.id); msg == nil || msg.Clock <= m0.Clock {
		t.Fatalf("send after the failed run: %+v", msg)
	}
}
