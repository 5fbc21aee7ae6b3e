package mailserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/lib/eventbus"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/transport/whisper"
)

// ClientRouter is what the client role needs of the Whisper router
// (*whisper.Whisper implements it).
type ClientRouter interface {
	SetP2PCompleteHook(h whisper.P2PCompleteHook)
	SetP2PEnvelopeHook(h whisper.P2PEnvelopeHook)
	SendP2PPacket(ctx context.Context, id enode.ID, code wproto.PacketCode, body []byte) error
	MarkTrustedPeer(id enode.ID) error
	HasPeer(id enode.ID) bool
	MinPoW() float64
	PeerCount() int
	SubscribeEvents(capacity int) *whisper.EventSubscription
}

// pageRetries is how many times in a row a request following cursors
// asks again for a page that timed out before it gives up.
const pageRetries = 2

// Client errors.
var (
	ErrTimeout       = errors.New("mailserver: request timed out")
	ErrRequestFailed = errors.New("mailserver: request failed")
	ErrNoMailserver  = errors.New("mailserver: no mailserver available")
	ErrInvalidParams = errors.New("mailserver: invalid request parameters")
)

// ClientConfig configures a Client; zero values take the defaults named.
type ClientConfig struct {
	NodeKey     *ecdsa.PrivateKey // signs requests (§4.5, §4.7); required
	Store       storage.KV        // gap tracker and dedupe state; use storage.NewTable(db, TableName)
	Mailservers []*enode.Node     // failover order for requests without a peer
	Timeout     time.Duration     // per page (default 10 s)
	// Overlap widens every gap request on both sides; it must be at least
	// the largest TTL + 10 s (default whisper.DefaultTTL + 10 s = 60 s).
	Overlap    time.Duration
	OnlineTick time.Duration // online-coverage tick (default 10 s)
	// Backfill fetches every gap of each tracked topic within the last
	// BackfillWindow (default 24 h, §8) when the first mailserver connects
	// (configured, or found by discovery with selection running).
	Backfill       bool
	BackfillWindow time.Duration
	SeenRetention  time.Duration // dedupe memory (default 7 days)
	// SeenFlushEvery spaces the writes of seen hashes: at most one batch
	// per interval (default 1 s; seen.go).
	SeenFlushEvery time.Duration
	PageLimit      uint32           // page size of gap requests (0: server default)
	Now            func() time.Time // default time.Now
	// Settle, when set, is the barrier the client waits on before it
	// records anything as handled — a covered range (each page's, each
	// request's, the online coverage) or a batch of seen hashes: it must
	// return once everything the router delivered to filters before the
	// call has been handled by the filters' consumer and what that
	// consumer stored is written to Store's database (internal/node
	// chains the router's and the messenger's Settle); the client then
	// syncs Store (storage.Sync), which makes those writes survive a
	// power loss too. When it fails, nothing is recorded: the
	// range is fetched again by a later fill, the hashes are kept in
	// memory and tried with the next batch. It is called on the client's
	// goroutines and on Request's, never on the router's delivering
	// goroutine. nil: no wait (a node without a consumer, tests).
	Settle func(ctx context.Context) error

	// Mailserver selection (StartSelection, selection.go).
	MaxFailures    int           // failed requests in a row before failing over (DefaultMaxFailures)
	ConnectTimeout time.Duration // RequestAny's wait for the selected mailserver (DefaultConnectTimeout)
	PingTimeout    time.Duration // DefaultPingTimeout
	Ping           Pinger        // default TCPPing
}

func (c *ClientConfig) defaults() error {
	if c.NodeKey == nil || c.Store == nil {
		return fmt.Errorf("%w: client needs a node key and a store", ErrConfig)
	}
	setDur(&c.Timeout, 10*time.Second)
	setDur(&c.Overlap, time.Duration(wproto.DefaultTTL)*time.Second+10*time.Second)
	setDur(&c.OnlineTick, 10*time.Second)
	setDur(&c.BackfillWindow, 24*time.Hour)
	setDur(&c.SeenRetention, 7*24*time.Hour)
	setDur(&c.SeenFlushEvery, time.Second)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = DefaultMaxFailures
	}
	setDur(&c.ConnectTimeout, DefaultConnectTimeout)
	setDur(&c.PingTimeout, DefaultPingTimeout)
	if c.Ping == nil {
		c.Ping = TCPPing
	}
	return nil
}

// RequestParams is one history request. Lower/Upper are inclusive Unix
// seconds; Topics select (their bloom is sent); Limit is the page size (0:
// server default); Cursor resumes a previous page; SymKey, when set,
// encrypts with the mailserver password key instead of to the server's node
// key; FollowCursor pages until the server reports no cursor.
type RequestParams struct {
	Lower, Upper uint32
	Topics       []wproto.Topic
	Limit        uint32
	Cursor       *msproto.Cursor
	SymKey       *wproto.SymKey
	Timeout      time.Duration // per page; 0: ClientConfig.Timeout
	FollowCursor bool
	// Sent, when set, is called with each page's request ID once its
	// packet was handed to the peer, before the completion is awaited (on
	// Request's goroutine; it must not block). It lets a caller return the
	// request ID before the request finishes (shhext_requestMessages).
	Sent func(id common.Hash)
	// Legacy sends the 2018 binary request that go-ethereum v1.9.20's
	// whisper/mailserver understands. Such servers send no completion and
	// know no cursor: a legacy request counts as done when its timeout
	// passes (envelopes arrive meanwhile), it records no covered range,
	// and a cursor is invalid.
	Legacy bool
}

// Result is the outcome of Request: the ID of every page's request (the
// first is "the" request ID), the last envelope hash and the cursor left
// (nil when the server has no more).
type Result struct {
	RequestIDs       []common.Hash
	LastEnvelopeHash common.Hash
	Cursor           *msproto.Cursor
}

// Client is the mailserver client role; see the package doc. Its methods
// are safe for concurrent use.
type Client struct {
	cfg    ClientConfig
	router ClientRouter
	log    *zap.Logger
	gaps   *gapStore
	seen   *seenWriter
	events *eventbus.Bus[Event]

	mu      sync.Mutex // guards waiters, received, filling, started, stopped, sel
	waiters map[common.Hash]chan *msproto.Completion
	// filling holds, per topic, the channel closed when the gap fill of
	// that topic now running ends (FillGaps runs one per topic at a time).
	filling map[wproto.Topic]chan struct{}
	// received counts the P2P (code 127) envelopes each peer delivered, so
	// that a completed page can report how many arrived while it was
	// pending (Event.Envelopes).
	received map[enode.ID]int
	started  bool
	stopped  bool
	sel      *selector // nil until StartSelection

	quit chan struct{}
	// ctx ends with quit: the client's own waits on Settle (seen batches,
	// online coverage, page progress) use it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewClient checks cfg; nothing runs until Start.
func NewClient(cfg ClientConfig, router ClientRouter, log *zap.Logger) (*Client, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{
		cfg: cfg, router: router, log: log.Named("mailclient"), ctx: ctx, cancel: cancel,
		gaps:    &gapStore{kv: cfg.Store},
		seen:    newSeenWriter(),
		waiters: make(map[common.Hash]chan *msproto.Completion),
		filling: make(map[wproto.Topic]chan struct{}),
		quit:    make(chan struct{}),
		events:  eventbus.New[Event](1),
	}, nil
}

// Start installs the code-125 and code-127 hooks and starts the online
// coverage loop (and backfill when configured).
func (c *Client) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started || c.stopped {
		return fmt.Errorf("%w: Start after Start or Stop", ErrStopped)
	}
	c.started = true
	c.router.SetP2PCompleteHook(c.handleComplete)
	c.router.SetP2PEnvelopeHook(c.allowP2P)
	sub := c.router.SubscribeEvents(64)
	c.wg.Add(2)
	go c.loop(sub)
	go c.seenLoop()
	return nil
}

// Stop removes the hooks, ends pending requests with ErrStopped and waits
// for the client's goroutines. Idempotent.
func (c *Client) Stop() error {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		c.wg.Wait()
		return nil
	}
	c.stopped = true
	started := c.started
	c.mu.Unlock()
	if started {
		c.router.SetP2PCompleteHook(nil)
		c.router.SetP2PEnvelopeHook(nil)
		close(c.quit)
	}
	c.cancel()
	c.wg.Wait()
	c.events.Close()
	return nil
}

// Subscribe returns a subscription to the client's events.
func (c *Client) Subscribe(capacity int) *Subscription { return c.events.Subscribe(capacity) }

// Seen records the hash of an envelope that a filter opened live, so that
// the same envelope fetched later is not delivered again. Envelopes that
// no filter opened when they arrived are not recorded: fetched later, when
// a filter for them may exist (a chat joined since), they are delivered.
// It is the client half of EnvelopeHook and runs on the ingest path, so it
// never touches the store: the hash is stored in batches by the client's
// goroutine once Settle returned (seen.go), and is seen in memory until
// then.
func (c *Client) Seen(hash common.Hash, arrived time.Time) {
	c.seen.add(hash, uint32(arrived.Unix()))
}

// allowP2P is the code-127 delivery filter: only envelopes not seen yet.
// It also counts the envelopes per peer.
func (c *Client) allowP2P(peer enode.ID, env *wproto.Envelope) bool {
	c.mu.Lock()
	if c.received == nil {
		c.received = make(map[enode.ID]int)
	}
	c.received[peer]++
	c.mu.Unlock()
	h := env.Hash()
	if c.seen.has(h) {
		return false
	}
	stored, err := c.gaps.stored(h)
	if err != nil {
		return true // deliver: a double is better than a loss
	}
	if stored {
		return false
	}
	// Recorded like a live envelope: in memory at once, in the store in
	// the seen writer's next batch, off this peer's read goroutine.
	c.seen.add(h, uint32(c.cfg.Now().Unix()))
	return true
}

// handleComplete routes a code-125 body to the waiting request.
func (c *Client) handleComplete(peer enode.ID, body []byte) {
	comp, err := msproto.DecodeCompletion(body)
	if err != nil {
		c.log.Debug("malformed completion", zap.String("peer", peer.TerminalString()), zap.Error(err))
		return
	}
	c.mu.Lock()
	ch, ok := c.waiters[comp.RequestID]
	delete(c.waiters, comp.RequestID)
	c.mu.Unlock()
	if ok {
		ch <- comp
	}
}

// Request sends params to the mailserver peer, marking it trusted first,
// and waits for each page's completion, following cursors when asked.
// Envelopes arrive through the router's P2P filters before the completion
// of their page. A page without completion, and without envelopes from
// peer, for the timeout fails with ErrTimeout — with FollowCursor after
// pageRetries more attempts from the same cursor;
// an ERROR= completion with ErrRequestFailed. When FollowCursor reaches the
// end, [Lower, Upper] is recorded as covered for every topic; before that,
// each page that leaves a cursor records [Lower, cursor time − 1] (pages
// come in archive-time order, so everything archived before the cursor's
// second has arrived), so that a request cut short — ctx ended, a timeout
// — leaves its progress behind and a later gap fill resumes from there.
// Every range is recorded only once ClientConfig.Settle returned for the
// envelopes of its pages (a page's on a goroutine of the request's, while
// the next page is fetched; Request returns after it). A range whose
// Settle fails is not recorded (a page's is logged); when the final one's
// fails, Request fails with ErrNotSettled.
//
// With selection, a timeout or a missing peer counts as a failure of the
// selected mailserver, and any answer resets its count.
func (c *Client) Request(ctx context.Context, peer *enode.Node, p RequestParams) (*Result, error) {
	res, _, err := c.request(ctx, peer, p)
	return res, err
}

// request is Request; failedOver reports that its failure made selection
// replace peer.
func (c *Client) request(ctx context.Context, peer *enode.Node, p RequestParams) (res *Result, failedOver bool, err error) {
	if err := validateParams(&p); err != nil {
		return nil, false, err
	}
	res, err = c.send(ctx, peer, p)
	if s := c.selection(); s != nil {
		failedOver = s.report(peer.ID(), err)
	}
	return res, failedOver, err
}

func (c *Client) send(ctx context.Context, peer *enode.Node, p RequestParams) (*Result, error) {
	if err := c.router.MarkTrustedPeer(peer.ID()); err != nil {
		return nil, err
	}
	res := &Result{}
	if !p.FollowCursor || p.Legacy {
		comp, id, err := c.requestPage(ctx, peer, &p, p.Cursor)
		if id != (common.Hash{}) {
			res.RequestIDs = append(res.RequestIDs, id)
		}
		if err != nil {
			return res, err
		}
		res.LastEnvelopeHash, res.Cursor = comp.LastEnvelopeHash, comp.Cursor
		return res, nil
	}
	pages := c.startPageCovers(p.Topics)
	defer pages.finish()
	cursor := p.Cursor
	for retries := 0; ; {
		comp, id, err := c.requestPage(ctx, peer, &p, cursor)
		if id != (common.Hash{}) {
			res.RequestIDs = append(res.RequestIDs, id)
		}
		if errors.Is(err, ErrTimeout) && retries < pageRetries {
			// Lost on the way, or a mailserver too busy: ask again from
			// the same cursor; the dedupe drops what arrives twice.
			retries++
			c.log.Info("page timed out, asking again", zap.String("peer", peer.ID().TerminalString()), zap.Int("retry", retries))
			continue
		}
		if err != nil {
			return res, err
		}
		retries = 0
		if comp.LastEnvelopeHash != (common.Hash{}) {
			res.LastEnvelopeHash = comp.LastEnvelopeHash
		}
		res.Cursor, cursor = comp.Cursor, comp.Cursor
		if cursor == nil {
			break
		}
		if cursor.Time > p.Lower {
			pages.add(Range{From: p.Lower, To: min(cursor.Time-1, p.Upper)})
		}
	}
	if err := c.coverSettled(ctx, p.Topics, Range{From: p.Lower, To: p.Upper}); err != nil {
		return res, err
	}
	return res, nil
}

// cover records r as covered for every topic.
func (c *Client) cover(topics []wproto.Topic, r Range) error {
	for _, t := range topics {
		if err := c.gaps.Cover(t, r); err != nil {
			return err
		}
	}
	return nil
}

func validateParams(p *RequestParams) error {
	switch {
	case p.Lower > p.Upper:
		return fmt.Errorf("%w: from %d > to %d", ErrInvalidParams, p.Lower, p.Upper)
	case len(p.Topics) == 0:
		return fmt.Errorf("%w: no topics", ErrInvalidParams)
	case p.Legacy && p.Cursor != nil:
		return fmt.Errorf("%w: a legacy request has no cursor", ErrInvalidParams)
	}
	return nil
}

// requestPage sends one request envelope and waits for its completion.
func (c *Client) requestPage(ctx context.Context, peer *enode.Node, p *RequestParams, cursor *msproto.Cursor) (*msproto.Completion, common.Hash, error) {
	var bloom wproto.Bloom
	for _, t := range p.Topics {
		bloom = bloom.Or(t.Bloom())
	}
	params := &msproto.RequestEnvelopeParams{NodeKey: c.cfg.NodeKey, PoW: c.router.MinPoW(), MaxNonces: 1 << 24, Legacy: p.Legacy}
	if p.SymKey != nil {
		params.SymKey = p.SymKey
	} else {
		params.ServerKey = peer.Pubkey()
	}
	env, err := msproto.NewRequestEnvelope(&msproto.RequestPayload{
		Lower: p.Lower, Upper: p.Upper, Bloom: bloom, Limit: p.Limit, Cursor: cursor, Batch: true,
	}, params, c.cfg.Now(), rand.Reader)
	if err != nil {
		return nil, common.Hash{}, err
	}
	id := env.Hash()
	ch := make(chan *msproto.Completion, 1)
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil, id, ErrStopped
	}
	c.waiters[id] = ch
	before := c.received[peer.ID()]
	c.mu.Unlock()
	defer func() { c.mu.Lock(); delete(c.waiters, id); c.mu.Unlock() }()

	timeout := p.Timeout
	if timeout <= 0 {
		timeout = c.cfg.Timeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.router.SendP2PPacket(tctx, peer.ID(), wproto.P2PRequestCode, env.AppendRLP(nil)); err != nil {
		return nil, id, err
	}
	if p.Sent != nil {
		p.Sent(id)
	}
	if p.Legacy {
		return c.awaitLegacy(ctx, tctx, id)
	}
	return c.awaitCompletion(ctx, peer.ID(), id, ch, before, timeout)
}

// awaitCompletion waits for the completion of request id on ch. The
// timeout counts from the last sign of progress: it restarts whenever
// envelopes from peer arrived meanwhile, so that a page a slow receiver
// is still taking in (the mailserver waits on it, TCP flow control) is
// not given up while it flows; only a peer silent for timeout expires it.
func (c *Client) awaitCompletion(ctx context.Context, peer enode.ID, id common.Hash, ch <-chan *msproto.Completion, before int, timeout time.Duration) (*msproto.Completion, common.Hash, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	last := before
	for {
		select {
		case comp := <-ch:
			c.mu.Lock()
			n := c.received[peer] - before
			c.mu.Unlock()
			c.events.Publish(Event{Kind: EventRequestCompleted, RequestID: id, Completion: comp, Envelopes: n})
			if comp.Failed() {
				return comp, id, fmt.Errorf("%w: %s", ErrRequestFailed, comp.Error)
			}
			return comp, id, nil
		case <-timer.C:
			c.mu.Lock()
			n := c.received[peer]
			c.mu.Unlock()
			if n != last {
				last = n
				timer.Reset(timeout)
				continue
			}
			c.events.Publish(Event{Kind: EventRequestExpired, RequestID: id})
			return nil, id, fmt.Errorf("%w: no completion within %v", ErrTimeout, timeout)
		case <-ctx.Done():
			return nil, id, ctx.Err()
		case <-c.quit:
			return nil, id, ErrStopped
		}
	}
}

// awaitLegacy waits out a legacy request's timeout (its server sends no
// completion) and then reports it completed with an empty completion.
func (c *Client) awaitLegacy(ctx, tctx context.Context, id common.Hash) (*msproto.Completion, common.Hash, error) {
	select {
	case <-tctx.Done():
		if ctx.Err() != nil {
			return nil, id, ctx.Err()
		}
		comp := &msproto.Completion{RequestID: id}
		c.events.Publish(Event{Kind: EventRequestCompleted, RequestID: id, Completion: comp})
		return comp, id, nil
	case <-c.quit:
		return nil, id, ErrStopped
	}
}

// RequestAny sends p to a mailserver. Without selection it tries the
// configured mailservers in order, moving on to the next after a timeout
// or when one is not connected. With selection it sends to the selected
// mailserver, waiting up to ConnectTimeout for it to connect; when that
// failure makes selection fail over, it goes on with the new one.
func (c *Client) RequestAny(ctx context.Context, p RequestParams) (*Result, *enode.Node, error) {
	if s := c.selection(); s != nil {
		return c.requestSelected(ctx, s, p)
	}
	err := error(ErrNoMailserver)
	for _, ms := range c.cfg.Mailservers {
		res, rerr := c.Request(ctx, ms, p)
		if rerr == nil {
			return res, ms, nil
		}
		err = rerr
		if !errors.Is(rerr, ErrTimeout) && !errors.Is(rerr, whisper.ErrPeerNotFound) {
			return res, ms, rerr
		}
		c.log.Info("mailserver unavailable, trying the next", zap.String("peer", ms.ID().TerminalString()), zap.Error(rerr))
	}
	return nil, nil, err
}

func (c *Client) requestSelected(ctx context.Context, s *selector, p RequestParams) (*Result, *enode.Node, error) {
	err := error(ErrNoMailserver)
	var avoid enode.ID
	for range s.count() {
		ms := s.wait(ctx, avoid)
		if ms == nil {
			break
		}
		res, failedOver, rerr := c.request(ctx, ms, p)
		if rerr == nil || !failedOver {
			return res, ms, rerr
		}
		err, avoid = rerr, ms.ID()
		c.log.Info("mailserver failed over, trying the next", zap.String("peer", ms.ID().TerminalString()), zap.Error(rerr))
	}
	return nil, nil, err
}

// Mailservers is the failover list: the configured mailservers, with
// selection the selected one first and the others in the order of the
// last ping.
func (c *Client) Mailservers() []*enode.Node {
	if s := c.selection(); s != nil {
		return s.order()
	}
	return c.cfg.Mailservers
}
