package mailserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/transport/whisper"
)

// Selection defaults (ClientConfig).
const (
	// DefaultMaxFailures: failed requests in a row before the selected
	// mailserver is replaced. status-go replaced it at the first expired
	// request; two tolerate one lost packet.
	DefaultMaxFailures = 2
	// DefaultConnectTimeout: how long RequestAny waits for the selected
	// mailserver to connect (status-go waited 5 s for its first one).
	DefaultConnectTimeout = 5 * time.Second
	// DefaultPingTimeout bounds one ping.
	DefaultPingTimeout = 2 * time.Second
)

// selectionPoll is how often a wait for the selected mailserver looks at
// the router again when no event woke it (events may be dropped).
const selectionPoll = 250 * time.Millisecond

// PeerManager is what mailserver selection needs of the devp2p server
// (*devp2p.Server implements it): keep a connection to a node, redialling
// it, and stop. Neither may block on the network.
type PeerManager interface {
	KeepPeer(*enode.Node)
	DropPeer(*enode.Node)
}

// Pinger measures how long reaching n takes; TCPPing is the default.
type Pinger func(ctx context.Context, n *enode.Node) (time.Duration, error)

// TCPPing is the time to open a TCP connection to n's devp2p endpoint,
// closed at once — status-go's mailserver ping. The mailserver sees an
// inbound attempt; go-ethereum (since v1.9) refuses a second one from the
// same Internet address within 30 s, so a dial right after a ping may be
// refused once and succeed on a later redial.
func TCPPing(ctx context.Context, n *enode.Node) (time.Duration, error) {
	addr, ok := n.TCPEndpoint()
	if !ok {
		return 0, fmt.Errorf("mailserver: %s has no TCP endpoint", n.ID().TerminalString())
	}
	var d net.Dialer
	begin := time.Now()
	conn, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return 0, fmt.Errorf("mailserver: ping: %w", err)
	}
	rtt := time.Since(begin)
	conn.Close()
	return rtt, nil
}

// lastUsedKey holds the enode ID (32 bytes) of the mailserver selected
// last (see the key layout in gaps.go).
var lastUsedKey = []byte{prefixLastUsed}

// selector chooses the mailserver the client keeps connected and sends
// requests to when none is named: at start the one used last, if it is
// still configured, otherwise the one that answers a ping fastest; after
// MaxFailures failed requests in a row (timeouts, or not connected), the
// fastest of the others. Its loop goroutine runs choose; report and wait
// are called from request goroutines.
type selector struct {
	c     *Client
	peers PeerManager

	mu       sync.Mutex
	ranked   []*enode.Node // selected first, then the order of the last ping
	selected *enode.Node   // nil until the first choice
	failures int           // failed requests in a row to selected
	changed  chan struct{} // closed and replaced when something changed

	failover chan struct{} // buffered 1: replace the selected mailserver
}

func newSelector(c *Client, peers PeerManager) *selector {
	return &selector{c: c, peers: peers, ranked: slices.Clone(c.cfg.Mailservers),
		changed: make(chan struct{}), failover: make(chan struct{}, 1)}
}

// StartSelection starts choosing among the configured mailservers and
// keeping the chosen one connected through peers. Call it after Start, once
// peers can dial; Stop ends it. Without mailservers it does nothing.
func (c *Client) StartSelection(peers PeerManager) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.started || c.stopped:
		return fmt.Errorf("%w: StartSelection outside Start and Stop", ErrStopped)
	case c.sel != nil:
		return errors.New("mailserver: selection already started")
	case len(c.cfg.Mailservers) == 0:
		return nil
	}
	c.sel = newSelector(c, peers)
	sub := c.router.SubscribeEvents(64)
	ctx, cancel := context.WithCancel(context.Background())
	c.wg.Add(2)
	go func() { defer c.wg.Done(); <-c.quit; cancel() }()
	go func() {
		defer c.wg.Done()
		defer sub.Unsubscribe()
		c.sel.run(ctx, sub.C())
	}()
	return nil
}

func (c *Client) selection() *selector {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sel
}

// Selected is the mailserver selection keeps connected, nil before the
// first choice or without selection.
func (c *Client) Selected() *enode.Node {
	if s := c.selection(); s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.selected
	}
	return nil
}

func (s *selector) run(ctx context.Context, events <-chan whisper.Event) {
	s.choose(ctx, true)
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			s.mu.Lock()
			s.notifyLocked()
			s.mu.Unlock()
		case <-s.failover:
			s.choose(ctx, false)
		}
	}
}

func (s *selector) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// choose ranks the mailservers and keeps the first connected, dropping the
// one it replaces. At start a last-used mailserver still configured is
// taken without pinging; on failover the failed one ranks last, so it is
// kept only when there is no other.
func (s *selector) choose(ctx context.Context, atStart bool) {
	s.mu.Lock()
	old := s.selected
	s.mu.Unlock()
	var ranked []*enode.Node
	last := s.lastUsed()
	usedLast := atStart && last != nil
	if usedLast {
		ranked = moveFirst(s.c.cfg.Mailservers, last.ID())
	} else {
		ranked = s.rank(ctx, old)
	}
	if ctx.Err() != nil {
		return
	}
	next := ranked[0]
	if old != nil && old.ID() != next.ID() {
		s.peers.DropPeer(old)
	}
	s.peers.KeepPeer(next)
	s.mu.Lock()
	s.ranked, s.selected, s.failures = ranked, next, 0
	s.notifyLocked()
	s.mu.Unlock()
	if err := s.c.cfg.Store.Put(lastUsedKey, next.ID().Bytes()); err != nil {
		s.c.log.Warn("cannot record the selected mailserver", zap.Error(err))
	}
	var from string
	if old != nil {
		from = old.ID().TerminalString()
	}
	s.c.log.Info("mailserver selected", zap.String("peer", next.ID().TerminalString()), zap.String("replaces", from),
		zap.Bool("last_used", usedLast))
}

// lastUsed is the configured mailserver selected last, or nil.
func (s *selector) lastUsed() *enode.Node {
	v, err := s.c.cfg.Store.Get(lastUsedKey)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			s.c.log.Warn("cannot read the last used mailserver", zap.Error(err))
		}
		return nil
	}
	i := slices.IndexFunc(s.c.cfg.Mailservers, func(n *enode.Node) bool { return string(n.ID().Bytes()) == string(v) })
	if i < 0 {
		return nil
	}
	return s.c.cfg.Mailservers[i]
}

// rank pings every mailserver at once and orders them: those that
// answered by round trip, then those that did not, with failed last.
func (s *selector) rank(ctx context.Context, failed *enode.Node) []*enode.Node {
	ms := s.c.cfg.Mailservers
	rtts := make([]time.Duration, len(ms))
	ctx, cancel := context.WithTimeout(ctx, s.c.cfg.PingTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for i, n := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rtt, err := s.c.cfg.Ping(ctx, n)
			if err != nil {
				rtt = -1
			}
			rtts[i] = rtt
		}()
	}
	wg.Wait()
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) (int, time.Duration) {
		switch {
		case failed != nil && ms[i].ID() == failed.ID():
			return 2, 0
		case rtts[i] < 0:
			return 1, 0
		}
		return 0, rtts[i]
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ka, ra := key(a)
		kb, rb := key(b)
		if ka != kb {
			return ka - kb
		}
		return int(ra - rb)
	})
	out := make([]*enode.Node, len(ms))
	for i, j := range idx {
		out[i] = ms[j]
	}
	return out
}

func moveFirst(nodes []*enode.Node, id enode.ID) []*enode.Node {
	out := slices.Clone(nodes)
	i := slices.IndexFunc(out, func(n *enode.Node) bool { return n.ID() == id })
	if i > 0 {
		n := out[i]
		copy(out[1:i+1], out[:i])
		out[0] = n
	}
	return out
}

// order is the failover order: the selected mailserver first.
func (s *selector) order() []*enode.Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ranked)
}

// report records the outcome of a request to peer. A timeout or a missing
// peer counts as a failure of the selected mailserver, any answer resets
// the count; it reports whether this failure made the selector replace it.
func (s *selector) report(peer enode.ID, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.selected == nil || peer != s.selected.ID() {
		return false
	}
	if !unreachable(err) {
		s.failures = 0
		return false
	}
	s.failures++
	s.c.log.Info("selected mailserver failed", zap.String("peer", peer.TerminalString()),
		zap.Int("failures", s.failures), zap.Int("max", s.c.cfg.MaxFailures), zap.Error(err))
	if s.failures < s.c.cfg.MaxFailures {
		return false
	}
	s.failures = 0
	select {
	case s.failover <- struct{}{}:
	default:
	}
	return true
}

// unreachable reports whether err means the mailserver did not answer.
func unreachable(err error) bool {
	return errors.Is(err, ErrTimeout) || errors.Is(err, whisper.ErrPeerNotFound)
}

// wait returns the selected mailserver once it is connected, other than
// avoid, waiting up to ConnectTimeout; after that, or when ctx ends, it
// returns the selected one even if not connected (nil before the first
// choice).
func (s *selector) wait(ctx context.Context, avoid enode.ID) *enode.Node {
	deadline := time.NewTimer(s.c.cfg.ConnectTimeout)
	defer deadline.Stop()
	poll := time.NewTicker(selectionPoll)
	defer poll.Stop()
	for {
		s.mu.Lock()
		sel, changed := s.selected, s.changed
		s.mu.Unlock()
		if sel != nil && sel.ID() != avoid && s.c.router.HasPeer(sel.ID()) {
			return sel
		}
		select {
		case <-changed:
		case <-poll.C:
		case <-deadline.C:
			return sel
		case <-ctx.Done():
			return sel
		case <-s.c.quit:
			return sel
		}
	}
}
