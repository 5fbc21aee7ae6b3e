package archive

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/protocol/mailserver"
	"github.com/statusnode/statusd/protocol/whisper"
)

// Memory is the in-memory Archive: a plain list scanned linearly on every
// query. It is the naive model the other backends are checked against and
// a fake for the server role's tests; it is not meant for production sizes.
type Memory struct {
	mu      sync.Mutex
	entries map[common.Hash]memEntry
	closed  bool
}

type memEntry struct {
	time  uint32
	topic whisper.Topic
	raw   []byte
}

var _ Archive = (*Memory)(nil)

// NewMemory returns an empty in-memory archive.
func NewMemory() *Memory {
	return &Memory{entries: make(map[common.Hash]memEntry)}
}

// Put implements Archive.
func (m *Memory) Put(ctx context.Context, arrived time.Time, envs ...*whisper.Envelope) error {
	recs := newRecords(arrived, envs)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for _, r := range recs {
		if _, ok := m.entries[r.hash]; !ok {
			m.entries[r.hash] = memEntry{time: r.time, topic: r.topic, raw: r.raw}
		}
	}
	return nil
}

// Query implements Archive by scanning every entry.
func (m *Memory) Query(ctx context.Context, q *Query) (*Page, error) {
	explicit, err := q.validate()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	start, after := q.start()
	var out []Entry
	for h, e := range m.entries {
		pos := mailserver.Cursor{Time: e.time, Hash: h}
		if e.time > q.To || pos.Compare(start) < 0 || (after && pos == start) {
			continue
		}
		if explicit != nil && !slices.Contains(explicit, e.topic) || explicit == nil && !q.Bloom.Contains(e.topic) {
			continue
		}
		ent, err := decodeEntry(e.time, h[:], e.raw)
		if err != nil {
			return nil, err
		}
		out = append(out, ent)
	}
	slices.SortFunc(out, func(a, b Entry) int { return a.Cursor().Compare(b.Cursor()) })
	return finishPage(out[:min(len(out), q.Limit+1)], q.Limit), nil
}

// Prune implements Archive.
func (m *Memory) Prune(ctx context.Context, before time.Time) (int, error) {
	cut := unixSeconds(before)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	n := 0
	for h, e := range m.entries {
		if e.time < cut {
			delete(m.entries, h)
			n++
		}
	}
	return n, nil
}

// Count implements Archive.
func (m *Memory) Count(ctx context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	return len(m.entries), nil
}

// Close implements Archive.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
