package mailserver

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
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

// maxFound is how many mailservers found by discovery (AddMailserver) the
// client remembers across restarts; the ones found last are kept.
const maxFound = 16

// selector chooses the mailserver the client keeps connected and sends
// requests to when none is named, among its candidates — the configured
// mailservers, then those found by discovery (AddMailserver), remembered
// across restarts: at start the one used last, if it is still a candidate,
// otherwise the one that answers a ping fastest; after
// MaxFailures failed requests in a row (timeouts, or not connected), the
// fastest of the others. Its loop goroutine runs choose; report and wait
// are called from request goroutines.
type selector struct {
	c     *Client
	peers PeerManager

	mu         sync.Mutex
	candidates []*enode.Node // configured, then found
	ranked     []*enode.Node // selected first, then the order of the last ping
	selected   *enode.Node   // nil until the first choice
	failures   int           // failed requests in a row to selected
	changed    chan struct{} // closed and replaced when something changed

	failover chan struct{} // buffered 1: replace the selected mailserver
	found    chan struct{} // buffered 1: a candidate came, choose if none is selected
}

func newSelector(c *Client, peers PeerManager, found []*enode.Node) *selector {
	cands := slices.Clone(c.cfg.Mailservers)
	for _, n := range found {
		if !slices.ContainsFunc(cands, func(m *enode.Node) bool { return m.ID() == n.ID() }) {
			cands = append(cands, n)
		}
	}
	return &selector{c: c, peers: peers, candidates: cands, ranked: slices.Clone(cands),
		changed: make(chan struct{}), failover: make(chan struct{}, 1), found: make(chan struct{}, 1)}
}

// StartSelection starts choosing among the configured mailservers and those
// found by discovery, and keeping the chosen one connected through peers.
// Call it after Start, once peers can dial; Stop ends it. Without any
// candidate yet it chooses when AddMailserver brings the first.
func (c *Client) StartSelection(peers PeerManager) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.started || c.stopped:
		return fmt.Errorf("%w: StartSelection outside Start and Stop", ErrStopped)
	case c.sel != nil:
		return errors.New("mailserver: selection already started")
	}
	c.sel = newSelector(c, peers, c.loadFound())
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
		case <-s.found:
			s.mu.Lock()
			none := s.selected == nil
			s.mu.Unlock()
			if none {
				s.choose(ctx, false)
			}
		}
	}
}

// AddMailserver makes n, a mailserver found by discovery, a candidate of
// selection after the configured ones, and remembers it in the store so
// that the next start has it too (the maxFound found last are kept). It may
// be called before StartSelection; a known mailserver gets n's address.
// Without a selected mailserver yet, selection chooses at once.
func (c *Client) AddMailserver(n *enode.Node) {
	if c.configured(n.ID()) == nil {
		val := binary.BigEndian.AppendUint64(nil, uint64(c.cfg.Now().Unix()))
		if err := c.cfg.Store.Put(foundKey(n.ID()), append(val, n.String()...)); err != nil {
			c.log.Warn("cannot record a found mailserver", zap.Error(err))
		}
	}
	if s := c.selection(); s != nil {
		s.add(n)
	}
}

func foundKey(id enode.ID) []byte { return append([]byte{prefixFound}, id[:]...) }

// loadFound reads the remembered found mailservers, newest first, and
// forgets all but the maxFound newest and any it cannot read.
func (c *Client) loadFound() []*enode.Node {
	type rec struct {
		at   uint64
		node *enode.Node
	}
	var recs []rec
	var drop [][]byte
	err := c.cfg.Store.Iterate([]byte{prefixFound}, nil, func(k, v []byte) error {
		var n *enode.Node
		var err error
		if len(v) > 8 {
			n, err = enode.Parse(enode.ValidSchemes, string(v[8:]))
		}
		if n == nil || err != nil || !bytes.Equal(k[1:], n.ID().Bytes()) {
			drop = append(drop, slices.Clone(k))
			return nil
		}
		recs = append(recs, rec{binary.BigEndian.Uint64(v), n})
		return nil
	})
	if err != nil {
		c.log.Warn("cannot read the found mailservers", zap.Error(err))
		return nil
	}
	slices.SortStableFunc(recs, func(a, b rec) int { return cmp.Compare(b.at, a.at) })
	out := make([]*enode.Node, 0, min(len(recs), maxFound))
	for i, r := range recs {
		if i >= maxFound {
			drop = append(drop, foundKey(r.node.ID()))
			continue
		}
		out = append(out, r.node)
	}
	for _, k := range drop {
		if err := c.cfg.Store.Delete(k); err != nil {
			c.log.Warn("cannot forget a found mailserver", zap.Error(err))
		}
	}
	return out
}

// add makes n a candidate, or updates the address of the one with its ID.
func (s *selector) add(n *enode.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	replace := func(list []*enode.Node) bool {
		i := slices.IndexFunc(list, func(m *enode.Node) bool { return m.ID() == n.ID() })
		if i >= 0 {
			list[i] = n
		}
		return i >= 0
	}
	if replace(s.candidates) {
		replace(s.ranked)
		return
	}
	s.candidates = append(s.candidates, n)
	s.ranked = append(s.ranked, n)
	s.notifyLocked()
	select {
	case s.found <- struct{}{}:
	default:
	}
}

func (s *selector) candidateList() []*enode.Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.candidates)
}

// count is the number of candidates, at least one: a request waits for
// the first even before there is one.
func (s *selector) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(len(s.candidates), 1)
}

func (s *selector) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// choose ranks the candidates and keeps the first connected, dropping the
// one it replaces. At start a last-used mailserver still a candidate is
// taken without pinging; on failover the failed one ranks last, so it is
// kept only when there is no other. Without candidates it does nothing.
func (s *selector) choose(ctx context.Context, atStart bool) {
	s.mu.Lock()
	old := s.selected
	s.mu.Unlock()
	cands := s.candidateList()
	if len(cands) == 0 {
		return
	}
	var ranked []*enode.Node
	last := s.lastUsed(cands)
	usedLast := atStart && last != nil
	if usedLast {
		ranked = moveFirst(cands, last.ID())
	} else {
		ranked = s.rank(ctx, cands, old)
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
	// Candidates added since candidateList (while pinging, or since) go
	// last, and those add gave a new address since are taken as they are
	// now, in the same critical section that publishes the order: add
	// changes the order in place, and what it did before this would be
	// overwritten.
	ranked = append(ranked, s.candidates[len(cands):]...)
	for i, n := range ranked[:len(cands)] {
		if j := slices.IndexFunc(s.candidates, func(m *enode.Node) bool { return m.ID() == n.ID() }); j >= 0 {
			ranked[i] = s.candidates[j]
		}
	}
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

// lastUsed is the candidate selected last, or nil.
func (s *selector) lastUsed(cands []*enode.Node) *enode.Node {
	v, err := s.c.cfg.Store.Get(lastUsedKey)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			s.c.log.Warn("cannot read the last used mailserver", zap.Error(err))
		}
		return nil
	}
	i := slices.IndexFunc(cands, func(n *enode.Node) bool { return string(n.ID().Bytes()) == string(v) })
	if i < 0 {
		return nil
	}
	return cands[i]
}

// rank pings every mailserver of ms at once and orders them: those that
// answered by round trip, then those that did not, with failed last.
func (s *selector) rank(ctx context.Context, ms []*enode.Node, failed *enode.Node) []*enode.Node {
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
