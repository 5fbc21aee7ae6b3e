package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lstorage "github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/statusnode/statusd/lib/testutil"
)

// powerStorage is goleveldb's file storage that remembers, for every file
// goleveldb creates, how many of its bytes were synced: cut copies the
// database as a power loss would leave it — each such file only up to
// its last sync. Files it did not see created (CURRENT, written by
// SetMeta with a sync and a rename; LOCK, LOG) are copied whole.
type powerStorage struct {
	lstorage.Storage
	tables chan struct{} // when not nil, creating a table waits for it to close
	mu     sync.Mutex
	synced map[lstorage.FileDesc]int64 // guarded by mu
}

func (s *powerStorage) Create(fd lstorage.FileDesc) (lstorage.Writer, error) {
	if fd.Type == lstorage.TypeTable && s.tables != nil {
		<-s.tables
	}
	w, err := s.Storage.Create(fd)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.synced[fd] = 0
	s.mu.Unlock()
	return &powerWriter{Writer: w, s: s, fd: fd}, nil
}

type powerWriter struct {
	lstorage.Writer
	s  *powerStorage
	fd lstorage.FileDesc
	n  atomic.Int64 // bytes written (Sync may run during a Write)
}

func (w *powerWriter) Write(p []byte) (int, error) {
	n, err := w.Writer.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func (w *powerWriter) Sync() error {
	n := w.n.Load() // what Sync covers: written before it began
	if err := w.Writer.Sync(); err != nil {
		return err
	}
	w.s.mu.Lock()
	w.s.synced[w.fd] = n
	w.s.mu.Unlock()
	return nil
}

func fileName(fd lstorage.FileDesc) string {
	switch fd.Type {
	case lstorage.TypeManifest:
		return fmt.Sprintf("MANIFEST-%06d", fd.Num)
	case lstorage.TypeJournal:
		return fmt.Sprintf("%06d.log", fd.Num)
	case lstorage.TypeTable:
		return fmt.Sprintf("%06d.ldb", fd.Num)
	default:
		return fmt.Sprintf("%06d.tmp", fd.Num)
	}
}

// cut copies src into dst as a power loss at this moment would leave it.
func (s *powerStorage) cut(t *testing.T, src, dst string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := make(map[string]int64, len(s.synced))
	for fd, n := range s.synced {
		limit[fileName(fd)] = n
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == "LOCK" {
			continue
		}
		n, tracked := limit[e.Name()]
		if err := copyPrefix(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), n, tracked); err != nil {
			t.Fatal(err)
		}
	}
}

func copyPrefix(src, dst string, n int64, limited bool) error {
	in, err := os.Open(src)
	if os.IsNotExist(err) { // removed meanwhile
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	var r io.Reader = in
	if limited {
		r = io.LimitReader(in, n)
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// TestSyncSurvivesPowerLoss: after Sync returns, a power loss keeps every
// write acknowledged before it — also those written to a journal file
// goleveldb has since replaced (the writes span a full write buffer, and
// the table that would make the old journal unneeded is held back) —
// while a power loss before the Sync loses the latest ones (so the cut
// copy is a real test).
func TestSyncSurvivesPowerLoss(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, ps := openPowerLoss(t, dir, make(chan struct{}))
	var release sync.Once
	releaseTables := func() { release.Do(func() { close(ps.tables) }) }
	t.Cleanup(func() { releaseTables(); db.Close() })
	const n = 6000 // 6 MiB: more than one write buffer (4 MiB)
	val := make([]byte, 1024)
	for i := range n {
		val[0], val[1] = byte(i), byte(i>>8)
		if err := db.Put(fmt.Appendf(nil, "k%06d", i), val); err != nil {
			t.Fatal(err)
		}
	}
	before := filepath.Join(t.TempDir(), "before")
	ps.cut(t, dir, before)
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := db.Put([]byte("later"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	after := filepath.Join(t.TempDir(), "after")
	ps.cut(t, dir, after)
	releaseTables()

	if kept := countKept(t, before, n); kept == n {
		t.Fatalf("power loss before Sync kept all %d writes: the cut copy does not drop unsynced bytes", n)
	}
	if kept := countKept(t, after, n); kept != n {
		t.Fatalf("power loss after Sync kept %d of %d writes acknowledged before it", kept, n)
	}
}

// openPowerLoss opens a database in dir over a powerStorage (tables, when
// not nil, holds back table creation until it is closed).
func openPowerLoss(t *testing.T, dir string, tables chan struct{}) (*LevelDB, *powerStorage) {
	t.Helper()
	var ps *powerStorage
	db, err := OpenLevelDBWith(dir, func() (lstorage.Storage, error) {
		fs, err := lstorage.OpenFile(dir, false)
		if err != nil {
			return nil, err
		}
		ps = &powerStorage{Storage: fs, tables: tables, synced: make(map[lstorage.FileDesc]int64)}
		return ps, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, ps
}

// countKept opens the cut copy in dir and counts the keys of the first n
// writes in it.
func countKept(t *testing.T, dir string, n int) int {
	t.Helper()
	db, err := OpenLevelDB(dir)
	if err != nil {
		t.Fatalf("open after power loss: %v", err)
	}
	defer db.Close()
	kept := 0
	for i := range n {
		if ok, err := db.Has(fmt.Appendf(nil, "k%06d", i)); err != nil {
			t.Fatal(err)
		} else if ok {
			kept++
		}
	}
	return kept
}

// TestSyncUnderWritesSurvivesPowerLoss: while a writer keeps writing
// (through several journal files), every write acknowledged before a Sync
// call survives a power loss right after that Sync returns.
func TestSyncUnderWritesSurvivesPowerLoss(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, ps := openPowerLoss(t, dir, nil)
	t.Cleanup(func() { db.Close() })
	var acked atomic.Int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		val := make([]byte, 1024)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Put(fmt.Appendf(nil, "k%06d", i), val); err != nil {
				t.Error(err)
				return
			}
			acked.Store(int64(i + 1))
		}
	}()
	defer func() { close(stop); <-done }()
	for round := range 3 {
		target := int64(3000 * (round + 1)) // beyond a write buffer each time
		testutil.WaitFor(t, 30*time.Second, "writes", func() bool { return acked.Load() >= target })
		n := int(acked.Load())
		if err := db.Sync(); err != nil {
			t.Fatal(err)
		}
		cut := filepath.Join(t.TempDir(), fmt.Sprint("cut", round))
		ps.cut(t, dir, cut)
		if kept := countKept(t, cut, n); kept != n {
			t.Fatalf("round %d: power loss after Sync kept %d of %d writes acknowledged before it", round, kept, n)
		}
	}
}
