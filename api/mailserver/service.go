package mailserver

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver"
)

// SymKeys looks up a Whisper symmetric key by ID (*whisper.KeyStore).
type SymKeys interface {
	SymKey(id string) (wproto.SymKey, error)
}

// Client is what the namespace needs from the mailserver client
// (*mailserver.Client in the node; a fake in tests). Implementations must
// be safe for concurrent use. Request and FillGaps block until the
// mailserver answers, the request times out (mailserver.ErrTimeout) or ctx
// ends; the others answer from local state.
type Client interface {
	// Request sends one history request to peer and waits for its
	// completion, following cursors as p says; p.Sent, when set, is called
	// with each request's ID as it leaves.
	Request(ctx context.Context, peer *enode.Node, p mailserver.RequestParams) (*mailserver.Result, error)
	// Mailservers are the known mailservers (configured, fleet, found by
	// discovery), in the order to try them.
	Mailservers() []*enode.Node
	// Covered and Gaps report a topic's covered ranges and the missing
	// parts of [from, to].
	Covered(t wproto.Topic) ([]mailserver.Range, error)
	Gaps(t wproto.Topic, from, to uint32) ([]mailserver.Range, error)
	// FillGaps fetches the gaps of [from, to] of each topic from peer.
	FillGaps(ctx context.Context, peer *enode.Node, topics []wproto.Topic, from, to uint32) error
	// Track adds topics to the tracked set; Tracked lists it.
	Track(topics ...wproto.Topic) error
	Tracked() ([]wproto.Topic, error)
	// Subscribe returns a subscription to the client's events; the caller
	// unsubscribes.
	Subscribe(capacity int) *mailserver.Subscription
}

var _ Client = (*mailserver.Client)(nil)

// Config tunes a Service; zero values take the defaults named.
type Config struct {
	// RequestDelay is the minimum time between two non-forced requests
	// for the same topic set (default 3 s, status-go's RequestsRegistry).
	RequestDelay time.Duration
	// Window is the default span of a request or gap query without From
	// (default 24 h).
	Window time.Duration
	Now    func() time.Time // default time.Now
	// History keeps shhext_initiateHistoryRequests' per-topic bookkeeping;
	// nil makes that method and shhext_completeRequest answer -32000.
	History HistoryStore
	// Syncer runs shhext_syncMessages; nil (a node without a mailserver)
	// makes it answer -32000.
	Syncer Syncer
}

var errClosed = errors.New("mailserver: RPC service closed")

// Service is the RPC side of the mailserver client. Register API() under
// "mailserver" and hand the Service to shhext.Service.SetMailserver; call
// Close after the RPC server stopped.
type Service struct {
	c    Client
	keys SymKeys
	cfg  Config

	mu     sync.Mutex // guards recent, sent, closed and wg.Add
	recent map[string]time.Time
	sent   map[common.Hash]time.Time // history request IDs sent lately (markSent)
	histMu sync.Mutex                // one initiate or complete at a time
	closed bool
	ctx    context.Context // background requests; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // background requests and subscriptions
}

// New returns the service over a started client; keys resolves symKeyID.
func New(c Client, keys SymKeys, cfg Config) *Service {
	if cfg.RequestDelay <= 0 {
		cfg.RequestDelay = 3 * time.Second
	}
	if cfg.Window <= 0 {
		cfg.Window = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{c: c, keys: keys, cfg: cfg, recent: map[string]time.Time{}, sent: map[common.Hash]time.Time{}, ctx: ctx, cancel: cancel}
}

// API is the value to register under "mailserver".
func (s *Service) API() *API { return &API{s: s} }

// Close cancels the requests still waiting for their completion, ends
// every subscription and waits for their goroutines. Idempotent.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// spawn runs fn on a goroutine Close waits for; false after Close.
func (s *Service) spawn(fn func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); fn() }()
	return true
}

// detach runs fn with the service's context on a goroutine Close waits
// for, and waits for its result or for ctx. A long request a caller
// started (following cursors, filling gaps) must not be cut short when
// the caller disconnects or its call times out: pages already asked for
// would be lost half-way. So fn outlives ctx; it ends on its own or when
// Close cancels it, and reports its outcome through the client's events.
// After ctx ends, detach returns ctx's error at once.
func (s *Service) detach(ctx context.Context, fn func(ctx context.Context) error) error {
	done := make(chan error, 1)
	if !s.spawn(func() { done <- fn(s.ctx) }) {
		return errClosed
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// window fills the defaults of [from, to]: to = now, from = to − Window.
func (s *Service) window(from, to uint32) (uint32, uint32, error) {
	if to == 0 {
		to = uint32(s.cfg.Now().Unix())
	}
	if from == 0 {
		from = to - min(to, uint32(s.cfg.Window/time.Second))
	}
	if from > to {
		return 0, 0, invalid("from", fmt.Errorf("%d is after to (%d)", from, to))
	}
	return from, to, nil
}

// parsePeer reads an enode URL; "" gives nil (the known mailservers).
func parsePeer(field, s string) (*enode.Node, error) {
	if s == "" {
		return nil, nil
	}
	n, err := enode.ParseV4(s)
	if err != nil {
		return nil, invalid(field, err)
	}
	return n, nil
}

// parseTopics reads 4-byte hex topics, naming the bad entry.
func parseTopics(field string, list []string) ([]wproto.Topic, error) {
	out := make([]wproto.Topic, 0, len(list))
	for i, t := range list {
		b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X"))
		if err == nil && len(b) != wproto.TopicLength {
			err = fmt.Errorf("%d bytes, want %d", len(b), wproto.TopicLength)
		}
		if err != nil {
			return nil, invalid(fmt.Sprintf("%s[%d]", field, i), fmt.Errorf("%q is not a 4-byte hex topic: %w", t, err))
		}
		out = append(out, wproto.Topic(b))
	}
	if len(out) == 0 {
		return nil, invalid(field, errors.New("at least one topic is required"))
	}
	return out, nil
}

// eachServer runs fn with peer, or with each known mailserver in
// order until one answers (moving on after a timeout or when one is not
// connected), as Client.RequestAny does.
func (s *Service) eachServer(peer *enode.Node, fn func(*enode.Node) error) error {
	if peer != nil {
		return fn(peer)
	}
	err := error(mailserver.ErrNoMailserver)
	for _, ms := range s.c.Mailservers() {
		if err = fn(ms); err == nil || !retryable(err) {
			return err
		}
	}
	return err
}
