package storage

import (
	"errors"
	"os"
	"slices"
	"sync"

	lstorage "github.com/syndtr/goleveldb/leveldb/storage"
)

// journalStorage is the goleveldb file storage of an open database, which
// keeps the journal files goleveldb writes so that LevelDB.Sync can fsync
// them itself.
//
// Why not goleveldb's own synced write (opt.WriteOptions.Sync): it holds
// goleveldb's write lock during the fsync, so every other write of the
// database waits for it, and the 1:1 benchmark lost a third of its rate
// that way. goleveldb hands the bytes of every write to the journal file
// (the operating system) before it acknowledges the write, so an fsync
// of that file made after a write was acknowledged makes the write
// durable, and it needs no lock of goleveldb's.
//
// Across journal files: goleveldb starts a new journal file when its
// write buffer is full and closes the old one without syncing it, and
// the old one stays needed until its table is written. journalStorage
// syncs a journal file when goleveldb closes it, and the directory when
// it creates one (so that the new file's name is on disk). A journal file
// is therefore either open — and synced by sync — or synced. That costs
// two fsyncs per write buffer (4 MiB) of writes.
type journalStorage struct {
	lstorage.Storage
	dir string

	mu   sync.Mutex
	open []*journalFile // journal files created and not yet closed; guarded by mu
}

// Create implements lstorage.Storage.
func (s *journalStorage) Create(fd lstorage.FileDesc) (lstorage.Writer, error) {
	w, err := s.Storage.Create(fd)
	if err != nil || fd.Type != lstorage.TypeJournal {
		return w, err
	}
	if err := syncDir(s.dir); err != nil {
		w.Close()
		return nil, err
	}
	f := &journalFile{Writer: w, s: s}
	s.mu.Lock()
	s.open = append(s.open, f)
	s.mu.Unlock()
	return f, nil
}

// sync fsyncs every open journal file: once it returns, every write
// goleveldb acknowledged before the call is on disk.
func (s *journalStorage) sync() error {
	s.mu.Lock()
	files := slices.Clone(s.open)
	s.mu.Unlock()
	var errs []error
	for _, f := range files {
		errs = append(errs, f.sync())
	}
	return errors.Join(errs...)
}

// journalFile is one journal file: goleveldb writes it on its write path
// (Write is not locked here), sync fsyncs it from any goroutine, and
// Close syncs it before it closes.
type journalFile struct {
	lstorage.Writer
	s *journalStorage

	mu       sync.Mutex // serialises sync and Close
	closed   bool       // guarded by mu
	closeErr error      // Close's sync error; guarded by mu
}

func (f *journalFile) sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed { // synced by Close, unless that failed
		return f.closeErr
	}
	return f.Writer.Sync()
}

// Close implements lstorage.Writer: the file is synced, then closed.
func (f *journalFile) Close() error {
	f.mu.Lock()
	serr := f.Writer.Sync()
	err := errors.Join(serr, f.Writer.Close())
	f.closed, f.closeErr = true, serr
	f.mu.Unlock()
	s := f.s
	s.mu.Lock()
	s.open = slices.DeleteFunc(s.open, func(g *journalFile) bool { return g == f })
	s.mu.Unlock()
	return err
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
