package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"
	lstorage "github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// ErrUnhealthy wraps the error of the last failed write while the database
// cannot write (a full disk, say); see LevelDB.
var ErrUnhealthy = errors.New("storage: writes are failing")

// RecoverEvery is how often a failing database tries to recover.
const RecoverEvery = time.Second

// Opener opens the goleveldb file storage of a database: a plain file
// storage, or an encrypting wrapper of one (storage/atrest). It is called
// again to reopen the database after writes failed.
type Opener func() (lstorage.Storage, error)

// handle is one open instance of the database.
type handle struct {
	db      *leveldb.DB
	stor    lstorage.Storage
	journal *journalStorage // stor, keeping its journal files for Sync
}

func (h *handle) close() error {
	return errors.Join(h.db.Close(), h.stor.Close())
}

// LevelDB is the goleveldb-backed Store, statusd's embedded default.
//
// Recovery. goleveldb keeps a failed journal write as a permanent error, so
// after a full disk every later write would fail until restart. Instead, a
// failed write marks the database failing (Health, OnHealth); while it is,
// writes and Health try at most every RecoverEvery to recover: once a
// probe file can be written in the directory again, the database is closed
// and reopened (goleveldb replays its journal, so nothing acknowledged is
// lost) and writes resume. Reads keep working on the open instance
// throughout. Operations running on the instance being swapped retry once
// on the new one.
type LevelDB struct {
	dir  string
	open Opener
	cur  atomic.Pointer[handle]
	sync syncGroup // Sync's group commit
	// syncCalls and fsyncs count Sync calls and the synced journal
	// writes that served them (SyncStats).
	syncCalls, fsyncs atomic.Uint64
	// batches holds *leveldb.Batch and keys *[]byte scratch buffers for
	// writePrefixed.
	batches, keys sync.Pool

	mu       sync.Mutex // guards the fields below and serialises recovery
	failing  error      // last write error while unhealthy, nil when healthy
	lastTry  time.Time
	onHealth func(err error)
	closed   bool
	closeErr error
}

// levelDBOptions are the goleveldb settings of every statusd database. A
// Bloom filter of 10 bits a key in every table lets a look-up of a missing
// key (the messenger's dedupe check of every received message) skip the
// tables that cannot hold it; tables written without one (before it was
// set) are read as before. Seek-triggered compaction is off: goleveldb
// compacts a table that look-ups passed through too often, and with keys
// that are hashes (message IDs) nearly every look-up that reaches the
// tables counts, so under a stream of writes and dedupe look-ups it kept
// rewriting the first level (~6 % of a sender's CPU in the 1:1 benchmark);
// size-triggered compaction still bounds the levels.
//
// The write buffer stays at goleveldb's 4 MiB although a larger one
// spends less CPU on level-0 flushes and compactions (16 MiB: about 20 %
// less on the sender and 15 % on the receiver of 16 000 1:1 messages in a
// quiet spell; within the noise, medians of 3 runs, on a busy machine).
// It costs memory while writes stream in: goleveldb keeps the buffer
// being filled and the one being flushed, both resident once written,
// and the Go heap goal grows with them. A client filling a gap of
// 100 000 public messages (the CatchUpPublic benchmark) peaked at
// 158 MiB RSS with 16 MiB and 128 MiB with 8 MiB, against 111 and
// 109 MiB with 4 MiB in the same runs (one run each on a busy 2-core
// machine), and the aim for that catch-up is at most 128 MiB. A restart
// would also replay a journal of up to the buffer's size.
func levelDBOptions() *opt.Options {
	return &opt.Options{
		BlockCacheCapacity:     8 * opt.MiB,
		WriteBuffer:            4 * opt.MiB,
		Filter:                 filter.NewBloomFilter(10),
		DisableSeeksCompaction: true,
	}
}

// OpenLevelDB opens or creates the plain database in dir. Corrupted
// databases are reported, not silently repaired.
func OpenLevelDB(dir string) (*LevelDB, error) {
	return OpenLevelDBWith(dir, func() (lstorage.Storage, error) { return lstorage.OpenFile(dir, false) })
}

// OpenLevelDBWith opens or creates the database in dir on the storage
// open returns, such as an encrypting wrapper (storage/atrest).
func OpenLevelDBWith(dir string, open Opener) (*LevelDB, error) {
	l := &LevelDB{dir: dir, open: open}
	l.batches.New = func() any { return new(leveldb.Batch) }
	l.keys.New = func() any { return new([]byte) }
	h, err := l.openHandle()
	if err != nil {
		return nil, err
	}
	l.cur.Store(h)
	return l, nil
}

func (l *LevelDB) openHandle() (*handle, error) {
	stor, err := l.open()
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", l.dir, err)
	}
	js := &journalStorage{Storage: stor, dir: l.dir}
	db, err := leveldb.Open(js, levelDBOptions())
	if err != nil {
		stor.Close()
		return nil, fmt.Errorf("storage: open %s: %w", l.dir, err)
	}
	return &handle{db: db, stor: stor, journal: js}, nil
}

// OnHealth sets a function called, outside any lock, each time the
// database turns unhealthy (with the write error) or healthy again (nil).
func (l *LevelDB) OnHealth(fn func(err error)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onHealth = fn
}

// Health returns nil while writes work, else an error wrapping
// ErrUnhealthy and the last write error. While unhealthy it first tries to
// recover (at most every RecoverEvery).
func (l *LevelDB) Health() error { return l.recover() }

// recover is a no-op when healthy; otherwise it tries to reopen the
// database once space is back and reports whether it is still failing.
func (l *LevelDB) recover() error {
	l.mu.Lock()
	if l.failing == nil || l.closed {
		l.mu.Unlock()
		return nil
	}
	if time.Since(l.lastTry) < RecoverEvery {
		err := l.failing
		l.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrUnhealthy, err)
	}
	l.lastTry = time.Now()
	err := l.reopenLocked()
	if err != nil {
		l.failing = err
		l.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrUnhealthy, err)
	}
	l.failing = nil
	fn := l.onHealth
	l.mu.Unlock()
	if fn != nil {
		fn(nil)
	}
	return nil
}

// probeSize is written to test for free space before a reopen, which
// itself needs room for a new journal and manifest.
const probeSize = 256 << 10

func (l *LevelDB) reopenLocked() error {
	probe := filepath.Join(l.dir, "SPACE-PROBE")
	err := os.WriteFile(probe, make([]byte, probeSize), 0o600)
	os.Remove(probe)
	if err != nil {
		return err
	}
	old := l.cur.Load()
	old.close() // its error is the failure we are recovering from
	h, err := l.openHandle()
	if err != nil {
		return err // reads fail with ErrClosed until a later attempt succeeds
	}
	l.cur.Store(h)
	return nil
}

// fail records a write error and reports the transition.
func (l *LevelDB) fail(err error) {
	l.mu.Lock()
	was := l.failing
	l.failing = err
	if was == nil {
		l.lastTry = time.Now()
	}
	fn := l.onHealth
	l.mu.Unlock()
	if was == nil && fn != nil {
		fn(err)
	}
}

// read runs fn on the current instance, again on a new one if the current
// was swapped meanwhile.
func (l *LevelDB) read(fn func(db *leveldb.DB) error) error {
	h := l.cur.Load()
	err := fn(h.db)
	if errors.Is(err, leveldb.ErrClosed) {
		if h2 := l.cur.Load(); h2 != h {
			err = fn(h2.db)
		}
	}
	return mapErr(err)
}

// write is read for writes: it first recovers a failing database, and a
// failure marks it failing.
func (l *LevelDB) write(fn func(db *leveldb.DB) error) error {
	if err := l.recover(); err != nil {
		return err
	}
	err := l.read(fn)
	if err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrNotFound) {
		l.fail(err)
	}
	return err
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
	var v []byte
	err := l.read(func(db *leveldb.DB) (err error) { v, err = db.Get(key, nil); return err })
	return v, err
}

// Has implements KV.
func (l *LevelDB) Has(key []byte) (bool, error) {
	var ok bool
	err := l.read(func(db *leveldb.DB) (err error) { ok, err = db.Has(key, nil); return err })
	return ok, err
}

// Put implements KV.
func (l *LevelDB) Put(key, value []byte) error {
	return l.write(func(db *leveldb.DB) error { return db.Put(key, value, nil) })
}

// Delete implements KV.
func (l *LevelDB) Delete(key []byte) error {
	return l.write(func(db *leveldb.DB) error { return db.Delete(key, nil) })
}

// Write implements KV.
func (l *LevelDB) Write(b *Batch) error { return l.writePrefixed(nil, b) }

// writePrefixed writes b with every key under prefix (a Table's write):
// the keys are joined in one scratch buffer, which goleveldb's batch
// copies. The goleveldb batch comes from l.batches when b is small enough
// to be worth keeping (maxPooledBatch), else it is sized once for all of b.
// goleveldb is done with a batch when its Write returns (a batch merged
// into another writer's is acknowledged once written), so it goes back to
// the pool then.
func (l *LevelDB) writePrefixed(prefix []byte, b *Batch) error {
	n := 0
	for _, o := range b.ops {
		n += 1 + 2*binary.MaxVarintLen32 + len(prefix) + len(o.key) + len(o.value)
	}
	var lb *leveldb.Batch
	if n <= maxPooledBatch {
		lb = l.batches.Get().(*leveldb.Batch)
		defer func() {
			lb.Reset()
			l.batches.Put(lb)
		}()
	} else {
		lb = leveldb.MakeBatch(n)
	}
	key := l.keys.Get().(*[]byte)
	defer l.keys.Put(key)
	for _, o := range b.ops {
		*key = append(append((*key)[:0], prefix...), o.key...)
		if o.kind == opPut {
			lb.Put(*key, o.value)
		} else {
			lb.Delete(*key)
		}
	}
	return l.write(func(db *leveldb.DB) error { return db.Write(lb, nil) })
}

// maxPooledBatch is the largest batch, in bytes, whose goleveldb batch is
// taken from and returned to the pool: the messenger's and MVDS's writes of
// a few messages fit, and a rare large write does not leave its memory
// behind in the pool.
const maxPooledBatch = 64 << 10

// Sync implements Syncer. It fsyncs the open journal files itself
// (journalStorage) rather than asking goleveldb for a synced write, which
// would hold every other write of the database for the fsync. Concurrent
// calls share one fsync (syncGroup). A failing database (Health) is
// first recovered; while it fails, Sync fails. A failed fsync marks the
// database failing as a failed write does (its writes may not be on
// disk, and a reopen writes them again from the journal).
func (l *LevelDB) Sync() error {
	l.syncCalls.Add(1)
	return l.sync.do(func() error {
		if err := l.recover(); err != nil {
			return err
		}
		l.mu.Lock()
		closed := l.closed
		l.mu.Unlock()
		if closed {
			return ErrClosed
		}
		l.fsyncs.Add(1)
		if err := l.cur.Load().journal.sync(); err != nil {
			err = fmt.Errorf("storage: sync: %w", err)
			l.fail(err)
			return err
		}
		return nil
	})
}

// SyncStats returns how many times Sync was called and how many journal
// fsyncs served those calls, since the database was opened. Safe for
// concurrent use.
func (l *LevelDB) SyncStats() (calls, fsyncs uint64) {
	return l.syncCalls.Load(), l.fsyncs.Load()
}

// Iterate implements KV.
func (l *LevelDB) Iterate(prefix, start []byte, fn func(key, value []byte) error) error {
	r := util.BytesPrefix(prefix)
	if start != nil && string(start) > string(r.Start) {
		r.Start = start
	}
	it := l.cur.Load().db.NewIterator(r, nil)
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
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		l.closeErr = mapErr(l.cur.Load().close())
	}
	return l.closeErr
}
