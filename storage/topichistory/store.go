package topichistory

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// TableName is the table statusd keeps the records in.
const TableName = "topichistory"

// ErrNotFound is returned for a request ID that is not pending.
var ErrNotFound = errors.New("topichistory: request not found")

// History is the bookkeeping of one (Topic, Duration) pair; see the
// package doc. Zero times mean unset.
type History struct {
	Topic     wproto.Topic
	Duration  time.Duration
	First     time.Time
	Current   time.Time
	End       time.Time
	RequestID common.Hash
}

// Pending reports whether a request for h is in flight.
func (h History) Pending() bool { return h.RequestID != (common.Hash{}) }

// Key identifies a History: its topic and duration.
type Key struct {
	Topic    wproto.Topic
	Duration time.Duration
}

// Key returns h's key.
func (h History) Key() Key { return Key{Topic: h.Topic, Duration: h.Duration} }

// Request is a pending request: its ID and the histories it covers.
type Request struct {
	ID        common.Hash
	Histories []Key
}

// Store keeps the records in a storage.KV. Returned values belong to the
// caller.
type Store struct {
	kv storage.KV
	mu sync.Mutex // serialises the read-modify-write of Complete
}

// New returns a store over kv, normally storage.NewTable(db, TableName).
func New(kv storage.KV) *Store { return &Store{kv: kv} }

const (
	pHistory = 'h'
	pRequest = 'r'
)

func historyKey(k Key) []byte {
	b := make([]byte, 1+wproto.TopicLength+8)
	b[0] = pHistory
	copy(b[1:], k.Topic[:])
	binary.BigEndian.PutUint64(b[1+wproto.TopicLength:], uint64(k.Duration))
	return b
}

func requestKey(id common.Hash) []byte { return append([]byte{pRequest}, id[:]...) }

// historyJSON is History's stored form.
type historyJSON struct {
	Topic     string `json:"topic"`
	Duration  int64  `json:"duration"`
	First     int64  `json:"first"`
	Current   int64  `json:"current"`
	End       int64  `json:"end"`
	RequestID string `json:"requestId,omitempty"`
}

type requestJSON struct {
	ID        string   `json:"id"`
	Topics    []string `json:"topics"`
	Durations []int64  `json:"durations"`
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

func encodeHistory(h History) ([]byte, error) {
	j := historyJSON{Topic: h.Topic.String(), Duration: int64(h.Duration),
		First: unix(h.First), Current: unix(h.Current), End: unix(h.End)}
	if h.Pending() {
		j.RequestID = h.RequestID.Hex()
	}
	return json.Marshal(j)
}

func decodeHistory(v []byte) (History, error) {
	var j historyJSON
	if err := json.Unmarshal(v, &j); err != nil {
		return History{}, fmt.Errorf("topichistory: decode: %w", err)
	}
	t, err := parseTopic(j.Topic)
	if err != nil {
		return History{}, err
	}
	h := History{Topic: t, Duration: time.Duration(j.Duration),
		First: fromUnix(j.First), Current: fromUnix(j.Current), End: fromUnix(j.End)}
	if j.RequestID != "" {
		h.RequestID = common.HexToHash(j.RequestID)
	}
	return h, nil
}

func parseTopic(s string) (wproto.Topic, error) {
	var t wproto.Topic
	b := common.FromHex(s)
	if len(b) != wproto.TopicLength {
		return t, fmt.Errorf("topichistory: decode: bad topic %q", s)
	}
	copy(t[:], b)
	return t, nil
}

// History returns the history of k, or a fresh one (zero times, not
// pending) when none is stored.
func (s *Store) History(k Key) (History, error) {
	v, err := s.kv.Get(historyKey(k))
	if errors.Is(err, storage.ErrNotFound) {
		return History{Topic: k.Topic, Duration: k.Duration}, nil
	}
	if err != nil {
		return History{}, fmt.Errorf("topichistory: read: %w", err)
	}
	return decodeHistory(v)
}

// Histories lists the stored histories of topic, by duration.
func (s *Store) Histories(topic wproto.Topic) ([]History, error) {
	var out []History
	err := s.kv.Iterate(append([]byte{pHistory}, topic[:]...), nil, func(_, v []byte) error {
		h, err := decodeHistory(v)
		if err == nil {
			out = append(out, h)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("topichistory: read: %w", err)
	}
	return out, nil
}

// Requests lists the pending requests by ID.
func (s *Store) Requests() ([]Request, error) {
	var out []Request
	err := s.kv.Iterate([]byte{pRequest}, nil, func(_, v []byte) error {
		r, err := decodeRequest(v)
		if err == nil {
			out = append(out, r)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("topichistory: read: %w", err)
	}
	return out, nil
}

func decodeRequest(v []byte) (Request, error) {
	var j requestJSON
	if err := json.Unmarshal(v, &j); err != nil || len(j.Topics) != len(j.Durations) {
		return Request{}, fmt.Errorf("topichistory: decode request: %w", errors.Join(err, errors.New("bad record")))
	}
	r := Request{ID: common.HexToHash(j.ID)}
	for i := range j.Topics {
		t, err := parseTopic(j.Topics[i])
		if err != nil {
			return Request{}, err
		}
		r.Histories = append(r.Histories, Key{Topic: t, Duration: time.Duration(j.Durations[i])})
	}
	return r, nil
}

func encodeRequest(r Request) ([]byte, error) {
	j := requestJSON{ID: r.ID.Hex(), Topics: []string{}, Durations: []int64{}}
	for _, k := range r.Histories {
		j.Topics = append(j.Topics, k.Topic.String())
		j.Durations = append(j.Durations, int64(k.Duration))
	}
	return json.Marshal(j)
}

// Save stores hs as they are.
func (s *Store) Save(hs ...History) error {
	var b storage.Batch
	for _, h := range hs {
		v, err := encodeHistory(h)
		if err != nil {
			return err
		}
		b.Put(historyKey(h.Key()), v)
	}
	return s.write(&b)
}

// Delete removes the history of k.
func (s *Store) Delete(k Key) error {
	var b storage.Batch
	b.Delete(historyKey(k))
	return s.write(&b)
}

// Replace records a request with ID id covering hs: each history is
// stored with RequestID id, the request under id, and the request old
// (when not zero, a previous ID of the same request) is removed.
func (s *Store) Replace(old, id common.Hash, hs []History) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b storage.Batch
	if old != (common.Hash{}) {
		b.Delete(requestKey(old))
	}
	r := Request{ID: id}
	for _, h := range hs {
		h.RequestID = id
		v, err := encodeHistory(h)
		if err != nil {
			return err
		}
		b.Put(historyKey(h.Key()), v)
		r.Histories = append(r.Histories, h.Key())
	}
	v, err := encodeRequest(r)
	if err != nil {
		return err
	}
	b.Put(requestKey(id), v)
	return s.write(&b)
}

// Complete finishes the pending request id, as status-go's
// UpdateFinishedRequest: every history it covers becomes complete up to
// its End (Current = End, End and RequestID cleared) and the request is
// removed. An ID that is not pending is ErrNotFound.
func (s *Store) Complete(id common.Hash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.kv.Get(requestKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNotFound, id.Hex())
	}
	if err != nil {
		return fmt.Errorf("topichistory: read: %w", err)
	}
	r, err := decodeRequest(v)
	if err != nil {
		return err
	}
	var b storage.Batch
	for _, k := range r.Histories {
		h, err := s.History(k)
		if err != nil {
			return err
		}
		if h.RequestID == id {
			h.RequestID = common.Hash{}
			h.Current, h.End = h.End, time.Time{}
		}
		v, err := encodeHistory(h)
		if err != nil {
			return err
		}
		b.Put(historyKey(k), v)
	}
	b.Delete(requestKey(id))
	return s.write(&b)
}

// RequestHistories loads the histories r covers, in r's order.
func (s *Store) RequestHistories(r Request) ([]History, error) {
	out := make([]History, 0, len(r.Histories))
	for _, k := range r.Histories {
		h, err := s.History(k)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func (s *Store) write(b *storage.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := s.kv.Write(b); err != nil {
		return fmt.Errorf("topichistory: write: %w", err)
	}
	return nil
}
