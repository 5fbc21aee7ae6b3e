package mailserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/p2p/enode"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage/topichistory"
	"github.com/statusnode/statusd/transport/mailserver"
)

// HistoryStore keeps the per-topic history bookkeeping of
// shhext_initiateHistoryRequests (*topichistory.Store in the node).
type HistoryStore interface {
	History(k topichistory.Key) (topichistory.History, error)
	Histories(topic wproto.Topic) ([]topichistory.History, error)
	Requests() ([]topichistory.Request, error)
	RequestHistories(r topichistory.Request) ([]topichistory.History, error)
	Save(hs ...topichistory.History) error
	Delete(k topichistory.Key) error
	Replace(old, id common.Hash, hs []topichistory.History) error
	Complete(id common.Hash) error
}

var _ HistoryStore = (*topichistory.Store)(nil)

// TopicRequest is one entry of InitiateHistoryRequestParams.Requests,
// status-go v0.35's shape: a 4-byte hex topic and how far back its history
// starts, in nanoseconds.
type TopicRequest struct {
	Topic    string
	Duration time.Duration
}

// InitiateHistoryRequestParams is shhext_initiateHistoryRequests'
// parameter, status-go v0.35's shape (Go field names as JSON keys, matched
// case-insensitively; Timeout in nanoseconds).
type InitiateHistoryRequestParams struct {
	// Peer is the mailserver's enode URL; empty tries the configured
	// mailservers in order.
	Peer string
	// SymKeyID is the Whisper key ID of the mailserver password; empty
	// encrypts the request to the mailserver's node key.
	SymKeyID string
	// Requests are the topics wanted, at most one duration per topic.
	Requests []TopicRequest
	// Force skips the 3 s repeat check.
	Force bool
	// Timeout is how long to wait for each completion (0: the default).
	Timeout time.Duration
}

// historyAllowance widens every request's lower bound, as status-go's
// WhisperTimeAllowance, so that envelopes that reached the mailserver late
// are not missed.
const historyAllowance = 20 * time.Second

// historyLimit is the page size of a history request (status-go v0.35).
const historyLimit = 10000

var errNoHistory = errors.New("mailserver: no topic history store")

// InitiateHistoryRequests implements shhext_initiateHistoryRequests: see
// API.md and ShhExtAPI.InitiateHistoryRequests (package api/shhext). It
// returns the IDs of the requests sent, as soon as each was sent.
func (s *Service) InitiateHistoryRequests(ctx context.Context, p InitiateHistoryRequestParams) ([]hexutil.Bytes, error) {
	out, err := s.initiate(ctx, p)
	return out, rpcError(err)
}

func (s *Service) initiate(ctx context.Context, p InitiateHistoryRequestParams) ([]hexutil.Bytes, error) {
	if s.cfg.History == nil {
		return nil, fmt.Errorf("%w: %w", errClosed, errNoHistory)
	}
	peer, err := parsePeer("Peer", p.Peer)
	if err != nil {
		return nil, err
	}
	var key *wproto.SymKey
	if p.SymKeyID != "" {
		k, err := s.keys.SymKey(p.SymKeyID)
		if err != nil {
			return nil, invalid("SymKeyID", err)
		}
		key = &k
	}
	if p.Timeout < 0 {
		return nil, invalid("Timeout", errors.New("must not be negative"))
	}
	wanted, err := s.parseTopicRequests(p.Requests)
	if err != nil {
		return nil, err
	}
	s.histMu.Lock() // one plan at a time, as status-go's reactor
	defer s.histMu.Unlock()
	plans, err := s.plan(wanted, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	out := []hexutil.Bytes{}
	for _, pl := range plans {
		id, err := s.sendPlan(ctx, peer, key, p, pl)
		if err != nil {
			return out, err
		}
		out = append(out, id[:])
	}
	return out, nil
}

func (s *Service) parseTopicRequests(rs []TopicRequest) ([]topichistory.Key, error) {
	out := make([]topichistory.Key, 0, len(rs))
	seen := map[wproto.Topic]bool{}
	for i, r := range rs {
		ts, err := parseTopics(fmt.Sprintf("Requests[%d].Topic", i), []string{r.Topic})
		if err != nil {
			return nil, err
		}
		if seen[ts[0]] {
			return nil, invalid(fmt.Sprintf("Requests[%d].Topic", i), errors.New("only one duration per topic is allowed"))
		}
		if r.Duration < 0 {
			return nil, invalid(fmt.Sprintf("Requests[%d].Duration", i), errors.New("must not be negative"))
		}
		seen[ts[0]] = true
		out = append(out, topichistory.Key{Topic: ts[0], Duration: r.Duration})
	}
	return out, nil
}

// plan is one request to send: its histories (times filled in) and the ID
// it was last sent under (zero for a new one).
type plan struct {
	old       common.Hash
	histories []topichistory.History
}

// plan decides the requests of one call as status-go v0.35's
// CreateRequests: pending requests not sent within the request delay are
// sent again; the wanted topics with no pending request are adjusted
// against their other durations and grouped by range into new requests;
// then every history gets Current = now − Duration, First = Current and
// End = now where unset.
func (s *Service) plan(wanted []topichistory.Key, now time.Time) ([]plan, error) {
	fresh := make([]topichistory.History, 0, len(wanted))
	for _, k := range wanted {
		h, err := s.cfg.History.History(k)
		if err != nil {
			return nil, err
		}
		if !h.Pending() {
			fresh = append(fresh, h)
		}
	}
	pending, err := s.cfg.History.Requests()
	if err != nil {
		return nil, err
	}
	var plans []plan
	for _, r := range pending {
		if s.recentlySent(r.ID, now) {
			continue
		}
		hs, err := s.cfg.History.RequestHistories(r)
		if err != nil {
			return nil, err
		}
		plans = append(plans, plan{old: r.ID, histories: hs})
	}
	var adjusted []topichistory.History
	for _, h := range fresh {
		a, err := s.adjust(h)
		if err != nil {
			return nil, err
		}
		if a != nil {
			adjusted = append(adjusted, *a)
		}
	}
	plans = append(plans, groupByRange(adjusted)...)
	for i := range plans {
		for j := range plans[i].histories {
			renew(&plans[i].histories[j], now)
		}
	}
	return plans, nil
}

// adjust reconciles h with the topic's other durations as status-go's
// adjustRequestedHistory: a longer, idle duration takes h's place (nil when
// it is pending); a shorter one that h has caught up with is merged into h;
// a shorter one already fetched bounds h's End at its First; a shorter one
// never fetched is dropped.
func (s *Service) adjust(h topichistory.History) (*topichistory.History, error) {
	others, err := s.cfg.History.Histories(h.Topic)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(others, func(a, b topichistory.History) int { return int(b.Duration - a.Duration) })
	th := &h
	for i := range others {
		o := others[i]
		switch {
		case o.Duration == th.Duration:
		case th.Duration > o.Duration && th.Current.Equal(o.First) && !o.First.IsZero():
			th.Current = o.Current
			if err := s.cfg.History.Save(*th); err != nil {
				return nil, err
			}
			if err := s.cfg.History.Delete(o.Key()); err != nil {
				return nil, err
			}
		case th.Duration > o.Duration && !o.First.IsZero():
			if o.First.Before(th.End) || th.End.IsZero() {
				th.End = o.First
			}
		case th.Duration > o.Duration:
			if err := s.cfg.History.Delete(o.Key()); err != nil {
				return nil, err
			}
		case o.Pending():
			return nil, nil
		default:
			th = &others[i]
		}
	}
	return th, nil
}

// groupByRange puts histories with the same range into one request: both
// never fetched with the same duration, or fetched up to the same time.
func groupByRange(hs []topichistory.History) []plan {
	var out []plan
	for _, h := range hs {
		i := slices.IndexFunc(out, func(p plan) bool { return sameRange(p.histories[0], h) })
		if i < 0 {
			out = append(out, plan{})
			i = len(out) - 1
		}
		out[i].histories = append(out[i].histories, h)
	}
	return out
}

func sameRange(a, b topichistory.History) bool {
	if a.Current.IsZero() && b.Current.IsZero() {
		return a.Duration == b.Duration
	}
	return a.Current.Equal(b.Current)
}

func renew(h *topichistory.History, now time.Time) {
	if h.Current.IsZero() {
		h.Current = now.Add(-h.Duration)
	}
	if h.First.IsZero() {
		h.First = h.Current
	}
	if h.End.IsZero() {
		h.End = now
	}
}

// bounds is the request's time range: from the latest Current (less the
// allowance) to the latest End, as status-go's ToBloomFilterOption.
func (pl plan) bounds() (lower, upper uint32, topics []wproto.Topic) {
	var lo, hi int64
	for _, h := range pl.histories {
		lo = max(lo, h.Current.Add(-historyAllowance).Unix())
		hi = max(hi, h.End.Unix())
		topics = append(topics, h.Topic)
	}
	return uint32(max(lo, 0)), uint32(max(hi, 0)), topics
}

// sendPlan sends one planned request and records it under its ID before
// the completion can arrive (persist before the outcome is reported).
func (s *Service) sendPlan(ctx context.Context, peer *enode.Node, key *wproto.SymKey, p InitiateHistoryRequestParams, pl plan) (common.Hash, error) {
	lower, upper, topics := pl.bounds()
	q := &request{peer: peer, force: p.Force, params: mailserver.RequestParams{
		Lower: lower, Upper: upper, Topics: topics, Limit: historyLimit, SymKey: key, Timeout: p.Timeout,
	}}
	if err := s.admit(q); err != nil {
		return common.Hash{}, err
	}
	type sent struct {
		id  common.Hash
		err error // recording it failed
	}
	ids := make(chan sent, 1)
	old := pl.old
	q.params.Sent = func(id common.Hash) {
		var err error
		if old != id {
			err = s.cfg.History.Replace(old, id, pl.histories)
			old = id
		}
		s.markSent(id, p.Force)
		select {
		case ids <- sent{id, err}:
		default: // a later mailserver's attempt: recorded above
		}
	}
	done := make(chan error, 1)
	if !s.spawn(func() { _, err := s.send(s.ctx, q); done <- err }) {
		return common.Hash{}, errClosed
	}
	select {
	case r := <-ids:
		return r.id, r.err
	case err := <-done:
		select {
		case r := <-ids:
			return r.id, r.err
		default:
			return common.Hash{}, err
		}
	case <-ctx.Done():
		return common.Hash{}, ctx.Err()
	}
}

// markSent remembers a non-forced request's ID for the request delay, as
// status-go's RequestsRegistry: a pending request sent that recently is
// not sent again by the next initiate.
func (s *Service) markSent(id common.Hash, force bool) {
	if force {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[id] = s.cfg.Now()
}

func (s *Service) recentlySent(id common.Hash, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.sent {
		if now.Sub(t) >= s.cfg.RequestDelay {
			delete(s.sent, k)
		}
	}
	_, ok := s.sent[id]
	return ok
}

// CompleteRequest implements shhext_completeRequest: the pending request
// id (hex, with or without 0x) is finished and every topic it covered is
// complete up to its end. An unknown ID is -32602.
func (s *Service) CompleteRequest(_ context.Context, id string) error {
	if s.cfg.History == nil {
		return rpcError(fmt.Errorf("%w: %w", errClosed, errNoHistory))
	}
	b, err := hexutil.Decode(id)
	if err != nil && !strings.HasPrefix(id, "0x") {
		b, err = hexutil.Decode("0x" + id)
	}
	if err == nil && len(b) != common.HashLength {
		err = fmt.Errorf("%d bytes, want %d", len(b), common.HashLength)
	}
	if err != nil {
		return rpcError(invalid("id", err))
	}
	s.histMu.Lock()
	defer s.histMu.Unlock()
	if err := s.cfg.History.Complete(common.BytesToHash(b)); err != nil {
		if errors.Is(err, topichistory.ErrNotFound) {
			return rpcError(invalid("id", err))
		}
		return rpcError(err)
	}
	return nil
}
