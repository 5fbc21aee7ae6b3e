package storage

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// flushLog records, on one sequence shared with the callers, when each
// flush began and ended.
type flushLog struct {
	seq  atomic.Int64
	mu   sync.Mutex
	runs [][2]int64 // begin, end
}

func (l *flushLog) flush(wait <-chan struct{}) func() error {
	return func() error {
		begin := l.seq.Add(1)
		if wait != nil {
			<-wait
		}
		end := l.seq.Add(1)
		l.mu.Lock()
		l.runs = append(l.runs, [2]int64{begin, end})
		l.mu.Unlock()
		return nil
	}
}

// servedBy reports whether a flush began after called and ended before
// returned.
func (l *flushLog) served(called, returned int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.runs {
		if r[0] > called && r[1] < returned {
			return true
		}
	}
	return false
}

// TestSyncGroupShares: while one flush runs, N more callers share the
// next one (two flushes in all, not N+1), and none of them returns before
// a flush that began after its call has ended.
func TestSyncGroupShares(t *testing.T) {
	var g syncGroup
	var l flushLog
	gate := make(chan struct{})
	first := make(chan struct{})
	go func() {
		defer close(first)
		if err := g.do(l.flush(gate)); err != nil {
			t.Error(err)
		}
	}()
	testutil.WaitFor(t, 5*time.Second, "first flush running", func() bool { return l.seq.Load() == 1 })
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			called := l.seq.Add(1)
			if err := g.do(l.flush(nil)); err != nil {
				t.Error(err)
			}
			if !l.served(called, l.seq.Add(1)) {
				t.Error("a caller returned without a flush that began after its call")
			}
		}()
	}
	testutil.WaitFor(t, 5*time.Second, "callers waiting", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.next != nil && g.next.joiners == n-1
	})
	close(gate)
	wg.Wait()
	<-first
	if len(l.runs) != 2 {
		t.Fatalf("%d flushes for %d callers, want 2", len(l.runs), n+1)
	}
}

// TestSyncGroupModel: callers in a loop on several goroutines; every call
// is served by a flush that began after it, and flushes are shared.
func TestSyncGroupModel(t *testing.T) {
	var g syncGroup
	var l flushLog
	const workers, calls = 6, 200
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				called := l.seq.Add(1)
				if err := g.do(l.flush(nil)); err != nil {
					t.Error(err)
					return
				}
				if !l.served(called, l.seq.Add(1)) {
					t.Error("a caller returned without a flush that began after its call")
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(l.runs) > workers*calls {
		t.Fatalf("%d flushes for %d calls", len(l.runs), workers*calls)
	}
	t.Logf("%d flushes for %d calls", len(l.runs), workers*calls)
}

// TestSyncBackends: LevelDB syncs (and reports a closed database), a
// Table passes Sync through, and a KV that cannot sync is not an error.
func TestSyncBackends(t *testing.T) {
	db, err := OpenLevelDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Put([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := Sync(NewTable(NewTable(db, "x"), "y")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Sync(); err == nil {
		t.Fatal("Sync of a closed database succeeded")
	}
	if err := Sync(NewTable(NewMemory(), "x")); err != nil {
		t.Fatal(err)
	}
}
