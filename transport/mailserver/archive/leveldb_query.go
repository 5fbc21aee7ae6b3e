package archive

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/statusnode/statusd/protocol/whisper"
)

// Query implements Archive. It opens one iterator per selected topic over
// 'i' ‖ topic ‖ [start, To], all on one snapshot, and merges them by
// (time, hash) with a heap, reading limit+1 entries at most. Topics that are
// not selected are never read.
func (l *LevelDB) Query(ctx context.Context, q *Query) (*Page, error) {
	explicit, err := q.validate()
	if err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, ErrClosed
	}
	topics, err := q.selectTopics(explicit, l.knownTopicsLocked)
	if err != nil {
		return nil, err
	}
	snap, err := l.db.GetSnapshot()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBackend, err)
	}
	defer snap.Release()
	m, err := newMerger(snap, topics, q)
	if err != nil {
		return nil, err
	}
	defer m.release()
	out := make([]Entry, 0, min(q.Limit+1, 1024))
	for len(out) <= q.Limit && m.Len() > 0 {
		if len(out)%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		e, err := m.pop()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return finishPage(out, q.Limit), nil
}

func (l *LevelDB) knownTopicsLocked() ([]whisper.Topic, error) {
	out := make([]whisper.Topic, 0, len(l.topics))
	for t := range l.topics {
		out = append(out, t)
	}
	return out, nil
}

// merger is a min-heap of topic iterators keyed by their current key's
// time ‖ hash suffix.
type merger struct {
	its []iterator.Iterator
}

func newMerger(snap *leveldb.Snapshot, topics []whisper.Topic, q *Query) (*merger, error) {
	start, after := q.start()
	m := &merger{its: make([]iterator.Iterator, 0, len(topics))}
	for _, t := range topics {
		r := &util.Range{Start: indexKey(t, start.Time, start.Hash[:])}
		if q.To == math.MaxUint32 {
			r.Limit = util.BytesPrefix(append([]byte{prefixIndex}, t[:]...)).Limit
		} else {
			r.Limit = indexKey(t, q.To+1, nil)
		}
		it := snap.NewIterator(r, nil)
		ok := it.Next()
		if ok && after && bytes.Equal(it.Key(), r.Start) {
			ok = it.Next() // the cursor's own entry
		}
		if !ok {
			err := it.Error()
			it.Release()
			if err != nil {
				m.release()
				return nil, fmt.Errorf("%w: %w", ErrBackend, err)
			}
			continue
		}
		m.its = append(m.its, it)
	}
	heap.Init(m)
	return m, nil
}

// pop returns the smallest current entry and advances its iterator.
func (m *merger) pop() (Entry, error) {
	it := m.its[0]
	k := it.Key()
	if len(k) != indexKeyLen {
		return Entry{}, fmt.Errorf("%w: index key of %d bytes", ErrCorrupt, len(k))
	}
	e, err := decodeEntry(binary.BigEndian.Uint32(k[1+whisper.TopicLength:]), k[indexKeyLen-32:], it.Value())
	if err != nil {
		return Entry{}, err
	}
	if it.Next() {
		heap.Fix(m, 0)
	} else {
		if err := it.Error(); err != nil {
			return Entry{}, fmt.Errorf("%w: %w", ErrBackend, err)
		}
		it.Release()
		heap.Pop(m)
	}
	return e, nil
}

func (m *merger) release() {
	for _, it := range m.its {
		it.Release()
	}
	m.its = nil
}

// heap.Interface over the time ‖ hash suffix of each iterator's key.
func (m *merger) Len() int { return len(m.its) }
func (m *merger) Less(i, j int) bool {
	const off = 1 + whisper.TopicLength
	return bytes.Compare(m.its[i].Key()[off:], m.its[j].Key()[off:]) < 0
}
func (m *merger) Swap(i, j int) { m.its[i], m.its[j] = m.its[j], m.its[i] }
func (m *merger) Push(x any)    { m.its = append(m.its, x.(iterator.Iterator)) }
func (m *merger) Pop() any {
	it := m.its[len(m.its)-1]
	m.its = m.its[:len(m.its)-1]
	return it
}
