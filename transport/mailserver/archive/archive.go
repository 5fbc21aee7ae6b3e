package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/mailserver"
	"github.com/statusnode/statusd/protocol/whisper"
)

// Archive is the mailserver's envelope store. Implementations are safe for
// concurrent use by many goroutines (the router's archiving loop and one
// request handler per peer); every method may block on disk or network I/O
// and honours ctx where the backend can. After Close every method returns
// an error wrapping ErrClosed.
//
// Order: envelopes are ordered by (archive time, envelope hash) ascending —
// the mailserver.Cursor order — on every backend, so a cursor from one page
// resumes exactly after the last envelope of that page.
type Archive interface {
	// Put archives envs with archive time arrived (the time the server
	// received them; see doc.go for why not the sent time). It is atomic:
	// after an error none of envs is archived, after success all are. An
	// envelope whose hash is already archived is skipped: the first arrival
	// wins. envs are not retained.
	Put(ctx context.Context, arrived time.Time, envs ...*whisper.Envelope) error
	// Query returns up to q.Limit envelopes of the selected topics with
	// archive time in [q.From, q.To], strictly after q.Cursor, in archive
	// order. Page.Next is set when more envelopes match. Only the selected
	// topics' index ranges are read. The returned page belongs to the caller.
	Query(ctx context.Context, q *Query) (*Page, error)
	// Prune deletes every envelope archived before the given time and
	// returns how many it deleted. It may delete in several atomic steps; a
	// crash in between leaves a consistent archive with part of them gone.
	Prune(ctx context.Context, before time.Time) (int, error)
	// Count is the number of archived envelopes.
	Count(ctx context.Context) (int, error)
	// Close releases the backend. Calling it twice is not an error.
	Close() error
}

// MaxLimit bounds Query.Limit: the largest page a backend is asked for.
const MaxLimit = 10000

// MaxTopics bounds len(Query.Topics).
const MaxTopics = 1000

// Sentinel errors; compare with errors.Is.
var (
	ErrClosed       = errors.New("archive: closed")
	ErrInvalidQuery = errors.New("archive: invalid query")
	ErrCorrupt      = errors.New("archive: corrupt entry")
	ErrFormat       = errors.New("archive: unsupported format version")
	ErrBackend      = errors.New("archive: backend failure")
)

// Query selects archived envelopes. Topics, when not empty, names the exact
// topics; otherwise every archived topic whose bloom matches Bloom is read
// (whisper.FullBloom() reads all of them). From and To are inclusive archive
// times in Unix seconds. Limit is 1..MaxLimit. Cursor, when set, resumes
// strictly after that position.
type Query struct {
	From   uint32
	To     uint32
	Topics []whisper.Topic
	Bloom  whisper.Bloom
	Limit  int
	Cursor *mailserver.Cursor
}

// Entry is one archived envelope with its position in the archive order.
type Entry struct {
	Time     uint32 // archive time, Unix seconds
	Hash     common.Hash
	Envelope *whisper.Envelope
}

// Cursor is the position of e.
func (e *Entry) Cursor() mailserver.Cursor {
	return mailserver.Cursor{Time: e.Time, Hash: e.Hash}
}

// Page is one answer to a Query. Next is the cursor of the last entry when
// more envelopes match, nil when the query is exhausted.
type Page struct {
	Entries []Entry
	Next    *mailserver.Cursor
}

// validate checks q and returns its topic selection: the explicit topics,
// sorted and without duplicates, or nil when the bloom selects.
func (q *Query) validate() ([]whisper.Topic, error) {
	switch {
	case q.Limit < 1 || q.Limit > MaxLimit:
		return nil, fmt.Errorf("%w: limit %d not in 1..%d", ErrInvalidQuery, q.Limit, MaxLimit)
	case q.From > q.To:
		return nil, fmt.Errorf("%w: from %d > to %d", ErrInvalidQuery, q.From, q.To)
	case len(q.Topics) > MaxTopics:
		return nil, fmt.Errorf("%w: %d topics > %d", ErrInvalidQuery, len(q.Topics), MaxTopics)
	case len(q.Topics) == 0 && q.Bloom.IsEmpty():
		return nil, fmt.Errorf("%w: neither topics nor a bloom", ErrInvalidQuery)
	}
	if len(q.Topics) == 0 {
		return nil, nil
	}
	topics := slices.Clone(q.Topics)
	slices.SortFunc(topics, func(a, b whisper.Topic) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(topics), nil
}

// selectTopics returns the topics of known that q reads: its explicit
// topics, or the known ones matching its bloom.
func (q *Query) selectTopics(explicit []whisper.Topic, known func() ([]whisper.Topic, error)) ([]whisper.Topic, error) {
	if explicit != nil {
		return explicit, nil
	}
	all, err := known()
	if err != nil {
		return nil, err
	}
	out := all[:0:0]
	for _, t := range all {
		if q.Bloom.Contains(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// start is the first position q may return: just after the cursor, or
// (From, zero hash). after reports whether an entry exactly at start must be
// skipped (it is the cursor's own entry).
func (q *Query) start() (pos mailserver.Cursor, after bool) {
	from := mailserver.Cursor{Time: q.From}
	if q.Cursor != nil && q.Cursor.Compare(from) >= 0 {
		return *q.Cursor, true
	}
	return from, false
}

// unixSeconds clamps t to the uint32 archive time range.
func unixSeconds(t time.Time) uint32 {
	s := t.Unix()
	switch {
	case s < 0:
		return 0
	case s > math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(s)
}

// record is an envelope ready to store: its RLP and hash computed once.
type record struct {
	topic whisper.Topic
	time  uint32
	hash  common.Hash
	raw   []byte
}

// newRecords encodes envs, dropping duplicates within envs (first wins).
func newRecords(arrived time.Time, envs []*whisper.Envelope) []record {
	t := unixSeconds(arrived)
	out := make([]record, 0, len(envs))
	seen := make(map[common.Hash]struct{}, len(envs))
	for _, e := range envs {
		raw := e.AppendRLP(nil)
		h := crypto.Keccak256Hash(raw)
		if _, dup := seen[h]; dup {
			continue
		}
		seen[h] = struct{}{}
		out = append(out, record{topic: e.Topic, time: t, hash: h, raw: raw})
	}
	return out
}

// decodeEntry turns a stored row back into an Entry.
func decodeEntry(t uint32, hash, raw []byte) (Entry, error) {
	if len(hash) != common.HashLength {
		return Entry{}, fmt.Errorf("%w: hash of %d bytes", ErrCorrupt, len(hash))
	}
	env, err := whisper.DecodeEnvelope(raw, whisper.MaxMessageSize)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return Entry{Time: t, Hash: common.BytesToHash(hash), Envelope: env}, nil
}

// finishPage trims entries (limit+1 at most, in order) to a page.
func finishPage(entries []Entry, limit int) *Page {
	p := &Page{Entries: entries}
	if len(entries) > limit {
		p.Entries = entries[:limit]
		c := p.Entries[limit-1].Cursor()
		p.Next = &c
	}
	return p
}
