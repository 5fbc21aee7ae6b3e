package archive

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/statusnode/statusd/protocol/whisper"
)

// LevelDB key layout, format version 1 (see doc.go).
const (
	levelFormat uint32 = 1

	prefixVersion = 'v' // 'v' → BE32 format version
	prefixCount   = 'n' // 'n' → BE64 number of envelopes
	prefixTopic   = 't' // 't' ‖ topic(4) → empty
	prefixIndex   = 'i' // 'i' ‖ topic(4) ‖ BE32 time ‖ hash(32) → envelope RLP
	prefixHash    = 'h' // 'h' ‖ hash(32) → topic(4) ‖ BE32 time

	indexKeyLen = 1 + whisper.TopicLength + 4 + 32
	// pruneBatch bounds the deletions of one atomic Prune step.
	pruneBatch = 10000
)

// LevelDB is the goleveldb Archive, the embedded default. It owns its
// database directory. Writers (Put, Prune) are serialised by a mutex that
// also guards the in-memory topic set and count; queries read a snapshot
// and run concurrently with everything.
type LevelDB struct {
	db  *leveldb.DB
	dir string

	mu     sync.RWMutex // guards topics, count, closed; held for writing by Put and Prune
	topics map[whisper.Topic]struct{}
	count  int64
	closed bool
}

var _ Archive = (*LevelDB)(nil)

// OpenLevelDB opens or creates the archive in dir. A database written by
// another format version is refused with ErrFormat; a corrupted one is
// reported, not repaired.
func OpenLevelDB(dir string) (*LevelDB, error) {
	db, err := leveldb.OpenFile(dir, &opt.Options{
		Filter:             filter.NewBloomFilter(10),
		BlockCacheCapacity: 32 * opt.MiB,
		WriteBuffer:        16 * opt.MiB,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %w", ErrBackend, dir, err)
	}
	l := &LevelDB{db: db, dir: dir, topics: make(map[whisper.Topic]struct{})}
	if err := l.load(); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// load checks the format version (writing it into a new database) and
// reads the topic set and the count.
func (l *LevelDB) load() error {
	v, err := l.db.Get([]byte{prefixVersion}, nil)
	switch {
	case errors.Is(err, leveldb.ErrNotFound):
		if err := l.db.Put([]byte{prefixVersion}, binary.BigEndian.AppendUint32(nil, levelFormat), nil); err != nil {
			return fmt.Errorf("%w: %w", ErrBackend, err)
		}
	case err != nil:
		return fmt.Errorf("%w: %w", ErrBackend, err)
	case len(v) != 4 || binary.BigEndian.Uint32(v) != levelFormat:
		return fmt.Errorf("%w: %x, want %d", ErrFormat, v, levelFormat)
	}
	it := l.db.NewIterator(util.BytesPrefix([]byte{prefixTopic}), nil)
	for it.Next() {
		var t whisper.Topic
		copy(t[:], it.Key()[1:])
		l.topics[t] = struct{}{}
	}
	it.Release()
	if err := it.Error(); err != nil {
		return fmt.Errorf("%w: %w", ErrBackend, err)
	}
	n, err := l.db.Get([]byte{prefixCount}, nil)
	if err == nil && len(n) == 8 {
		l.count = int64(binary.BigEndian.Uint64(n))
	} else if err != nil && !errors.Is(err, leveldb.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrBackend, err)
	}
	return nil
}

func indexKey(t whisper.Topic, time uint32, hash []byte) []byte {
	k := make([]byte, 0, indexKeyLen)
	k = append(k, prefixIndex)
	k = append(k, t[:]...)
	k = binary.BigEndian.AppendUint32(k, time)
	return append(k, hash...)
}

func hashKey(hash []byte) []byte { return append([]byte{prefixHash}, hash...) }

func countValue(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }

// Put implements Archive: one atomic goleveldb batch holding the index
// entries, the hash entries, new topics and the new count.
func (l *LevelDB) Put(ctx context.Context, arrived time.Time, envs ...*whisper.Envelope) error {
	recs := newRecords(arrived, envs)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	var b leveldb.Batch
	var added int64
	var newTopics []whisper.Topic
	for _, r := range recs {
		known, err := l.db.Has(hashKey(r.hash[:]), nil)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBackend, err)
		}
		if known {
			continue
		}
		b.Put(indexKey(r.topic, r.time, r.hash[:]), r.raw)
		b.Put(hashKey(r.hash[:]), binary.BigEndian.AppendUint32(r.topic[:], r.time))
		if _, ok := l.topics[r.topic]; !ok {
			b.Put(append([]byte{prefixTopic}, r.topic[:]...), nil)
			newTopics = append(newTopics, r.topic)
		}
		added++
	}
	if added == 0 {
		return nil
	}
	b.Put([]byte{prefixCount}, countValue(l.count+added))
	if err := l.db.Write(&b, nil); err != nil {
		return fmt.Errorf("%w: %w", ErrBackend, err)
	}
	l.count += added
	for _, t := range newTopics {
		l.topics[t] = struct{}{}
	}
	return nil
}

// Prune implements Archive, topic by topic, in atomic steps of at most
// pruneBatch envelopes; a topic left empty is forgotten.
func (l *LevelDB) Prune(ctx context.Context, before time.Time) (int, error) {
	cut := unixSeconds(before)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, ErrClosed
	}
	total := 0
	for t := range l.topics {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := l.pruneTopicLocked(t, cut)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (l *LevelDB) pruneTopicLocked(t whisper.Topic, cut uint32) (int, error) {
	total := 0
	for {
		var b leveldb.Batch
		it := l.db.NewIterator(&util.Range{Start: indexKey(t, 0, nil), Limit: indexKey(t, cut, nil)}, nil)
		n := 0
		for n < pruneBatch && it.Next() {
			b.Delete(it.Key())
			b.Delete(hashKey(it.Key()[indexKeyLen-32:]))
			n++
		}
		it.Release()
		if err := it.Error(); err != nil {
			return total, fmt.Errorf("%w: %w", ErrBackend, err)
		}
		empty := n < pruneBatch && !l.hasAny(t, cut)
		if empty {
			b.Delete(append([]byte{prefixTopic}, t[:]...))
		}
		if n > 0 || empty {
			b.Put([]byte{prefixCount}, countValue(l.count-int64(n)))
			if err := l.db.Write(&b, nil); err != nil {
				return total, fmt.Errorf("%w: %w", ErrBackend, err)
			}
			l.count -= int64(n)
			total += n
		}
		if empty {
			delete(l.topics, t)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// hasAny reports whether topic t has an entry at or after time from.
func (l *LevelDB) hasAny(t whisper.Topic, from uint32) bool {
	r := util.BytesPrefix(append([]byte{prefixIndex}, t[:]...))
	r.Start = indexKey(t, from, nil)
	it := l.db.NewIterator(r, nil)
	defer it.Release()
	return it.Next()
}

// Count implements Archive from the persisted counter.
func (l *LevelDB) Count(ctx context.Context) (int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0, ErrClosed
	}
	return int(l.count), nil
}

// Close implements Archive; it waits for running writers.
func (l *LevelDB) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if err := l.db.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrBackend, err)
	}
	return nil
}
