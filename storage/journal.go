package storage

import (
	"errors"
	"os"

	lstorage "github.com/syndtr/goleveldb/leveldb/storage"
)

// journalStorage makes one synced journal write cover every write before
// it, across journal files. goleveldb starts a new journal file when its
// write buffer is full and closes the old one without syncing it; the old
// one stays needed until its table is written, so a Sync on the new
// journal alone could survive a power loss that took the old one's tail.
// journalStorage syncs a journal file when goleveldb closes it, and the
// directory when it creates one, so that a journal file and its name are
// on disk before anything is written to the next. It costs two fsyncs per
// write buffer (4 MiB) of writes.
type journalStorage struct {
	lstorage.Storage
	dir string
}

// Create implements lstorage.Storage.
func (s journalStorage) Create(fd lstorage.FileDesc) (lstorage.Writer, error) {
	w, err := s.Storage.Create(fd)
	if err != nil || fd.Type != lstorage.TypeJournal {
		return w, err
	}
	if err := syncDir(s.dir); err != nil {
		w.Close()
		return nil, err
	}
	return syncOnClose{w}, nil
}

// syncOnClose is a journal file that is synced before it is closed.
type syncOnClose struct{ lstorage.Writer }

func (w syncOnClose) Close() error {
	return errors.Join(w.Writer.Sync(), w.Writer.Close())
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
