package storage

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	lstorage "github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// LevelDB is the goleveldb-backed Store, statusd's embedded default.
type LevelDB struct {
	db        *leveldb.DB
	stor      io.Closer // closed after db when set (OpenLevelDBStorage)
	closeOnce sync.Once
	closeErr  error
}

// levelDBOptions are the goleveldb settings of every statusd database.
func levelDBOptions() *opt.Options {
	return &opt.Options{
		BlockCacheCapacity: 8 * opt.MiB,
		WriteBuffer:        4 * opt.MiB,
	}
}

// OpenLevelDB opens or creates the database in dir. Corrupted databases are
// reported, not silently repaired.
func OpenLevelDB(dir string) (*LevelDB, error) {
	db, err := leveldb.OpenFile(dir, levelDBOptions())
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	return &LevelDB{db: db}, nil
}

// OpenLevelDBStorage opens or creates a database on stor, such as an
// encrypting wrapper of a file storage (storage/atrest). Closing the
// database closes stor; on error stor is left open.
func OpenLevelDBStorage(stor lstorage.Storage) (*LevelDB, error) {
	db, err := leveldb.Open(stor, levelDBOptions())
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	return &LevelDB{db: db, stor: stor}, nil
}

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, leveldb.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, leveldb.ErrClosed):
		return ErrClosed
	default:
		return fmt.Errorf("storage: %w", err)
	}
}

// Get implements KV.
func (l *LevelDB) Get(key []byte) ([]byte, error) {
	v, err := l.db.Get(key, nil)
	return v, mapErr(err)
}

// Has implements KV.
func (l *LevelDB) Has(key []byte) (bool, error) {
	ok, err := l.db.Has(key, nil)
	return ok, mapErr(err)
}

// Put implements KV.
func (l *LevelDB) Put(key, value []byte) error { return mapErr(l.db.Put(key, value, nil)) }

// Delete implements KV.
func (l *LevelDB) Delete(key []byte) error { return mapErr(l.db.Delete(key, nil)) }

// Write implements KV.
func (l *LevelDB) Write(b *Batch) error {
	var lb leveldb.Batch
	for _, o := range b.ops {
		if o.kind == opPut {
			lb.Put(o.key, o.value)
		} else {
			lb.Delete(o.key)
		}
	}
	return mapErr(l.db.Write(&lb, nil))
}

// Iterate implements KV.
func (l *LevelDB) Iterate(prefix, start []byte, fn func(key, value []byte) error) error {
	r := util.BytesPrefix(prefix)
	if start != nil && string(start) > string(r.Start) {
		r.Start = start
	}
	it := l.db.NewIterator(r, nil)
	defer it.Release()
	for it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return mapErr(it.Error())
}

// Close implements Store. It flushes and closes the database files.
func (l *LevelDB) Close() error {
	l.closeOnce.Do(func() {
		l.closeErr = mapErr(l.db.Close())
		if l.stor != nil {
			l.closeErr = errors.Join(l.closeErr, l.stor.Close())
		}
	})
	return l.closeErr
}
