package mailserver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// TableName is the storage.Table the client keeps its state in.
const TableName = "mailclient"

// Key layout in the table, format version 1:
//
//	'c' ‖ topic(4)  → covered ranges: (BE32 from ‖ BE32 to)*, sorted, disjoint, not adjacent
//	't' ‖ topic(4)  → empty: a tracked topic (online coverage, backfill)
//	's' ‖ hash(32)  → BE32 time first seen: dedupe of live and fetched envelopes
//	'l'             → enode ID (32 bytes) of the mailserver selected last (selection.go)
//	'f' ‖ id(32)    → BE64 Unix time found ‖ record (enr:…): a mailserver found by discovery (selection.go)
const (
	prefixCovered  = 'c'
	prefixTracked  = 't'
	prefixSeen     = 's'
	prefixLastUsed = 'l'
	prefixFound    = 'f'
)

// Range is an inclusive span of Unix seconds.
type Range struct {
	From uint32 `json:"from"`
	To   uint32 `json:"to"`
}

// ErrCorruptState is wrapped when the client's stored state cannot be read.
var ErrCorruptState = errors.New("mailserver: corrupt client state")

// gapStore keeps per-topic covered ranges, tracked topics and seen hashes
// in a KV. mu serialises read-modify-write of the covered ranges.
type gapStore struct {
	kv storage.KV
	mu sync.Mutex
}

func topicKey(prefix byte, t wproto.Topic) []byte { return append([]byte{prefix}, t[:]...) }

// Covered returns the covered ranges of topic, sorted.
func (g *gapStore) Covered(t wproto.Topic) ([]Range, error) {
	v, err := g.kv.Get(topicKey(prefixCovered, t))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(v)%8 != 0 {
		return nil, fmt.Errorf("%w: ranges of %d bytes", ErrCorruptState, len(v))
	}
	out := make([]Range, 0, len(v)/8)
	for i := 0; i < len(v); i += 8 {
		out = append(out, Range{From: binary.BigEndian.Uint32(v[i:]), To: binary.BigEndian.Uint32(v[i+4:])})
	}
	return out, nil
}

// Cover adds [r.From, r.To] to topic's covered ranges.
func (g *gapStore) Cover(t wproto.Topic, r Range) error {
	if r.From > r.To {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	cur, err := g.Covered(t)
	if err != nil {
		return err
	}
	merged := mergeRanges(append(cur, r))
	v := make([]byte, 0, 8*len(merged))
	for _, m := range merged {
		v = binary.BigEndian.AppendUint32(v, m.From)
		v = binary.BigEndian.AppendUint32(v, m.To)
	}
	return g.kv.Put(topicKey(prefixCovered, t), v)
}

// mergeRanges sorts rs and joins overlapping or adjacent ranges.
func mergeRanges(rs []Range) []Range {
	slices.SortFunc(rs, func(a, b Range) int { return int(int64(a.From) - int64(b.From)) })
	out := rs[:0:0]
	for _, r := range rs {
		if n := len(out); n > 0 && uint64(r.From) <= uint64(out[n-1].To)+1 {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// Gaps returns the parts of [from, to] not covered for topic.
func (g *gapStore) Gaps(t wproto.Topic, from, to uint32) ([]Range, error) {
	cov, err := g.Covered(t)
	if err != nil {
		return nil, err
	}
	return gapsIn(cov, from, to), nil
}

// gapsIn subtracts the sorted, disjoint cov from [from, to].
func gapsIn(cov []Range, from, to uint32) []Range {
	var out []Range
	next := uint64(from)
	for _, c := range cov {
		if uint64(c.To) < next || c.From > to {
			continue
		}
		if uint64(c.From) > next {
			out = append(out, Range{From: uint32(next), To: c.From - 1})
		}
		next = uint64(c.To) + 1
	}
	if next <= uint64(to) {
		out = append(out, Range{From: uint32(next), To: to})
	}
	return out
}

// Track adds topics to the tracked set.
func (g *gapStore) Track(topics ...wproto.Topic) error {
	var b storage.Batch
	for _, t := range topics {
		b.Put(topicKey(prefixTracked, t), nil)
	}
	return g.kv.Write(&b)
}

// Tracked lists the tracked topics.
func (g *gapStore) Tracked() ([]wproto.Topic, error) {
	var out []wproto.Topic
	err := g.kv.Iterate([]byte{prefixTracked}, nil, func(k, _ []byte) error {
		if len(k) != 1+wproto.TopicLength {
			return fmt.Errorf("%w: tracked key of %d bytes", ErrCorruptState, len(k))
		}
		out = append(out, wproto.Topic(k[1:]))
		return nil
	})
	return out, err
}

// stored reports whether h is recorded as seen in the store.
func (g *gapStore) stored(h common.Hash) (bool, error) {
	return g.kv.Has(append([]byte{prefixSeen}, h[:]...))
}

// pruneSeen forgets hashes first seen before sec.
func (g *gapStore) pruneSeen(sec uint32) (int, error) {
	var b storage.Batch
	err := g.kv.Iterate([]byte{prefixSeen}, nil, func(k, v []byte) error {
		if len(v) != 4 || binary.BigEndian.Uint32(v) < sec {
			b.Delete(k)
		}
		return nil
	})
	if err != nil || b.Len() == 0 {
		return 0, err
	}
	return b.Len(), g.kv.Write(&b)
}
