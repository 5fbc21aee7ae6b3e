package devp2p

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"
)

// Default redial back-off (Config.RedialFirst, Config.RedialMax).
const (
	DefaultRedialFirst = time.Second
	DefaultRedialMax   = 30 * time.Second
)

// staticDialedConn is go-ethereum's p2p.staticDialedConn flag (unexported;
// p2p/server.go in v1.17.10), passed to Server.SetupConn so that a peer we
// dial ourselves is reported and admitted as a static one.
// TestRedialedPeerIsStatic checks the value against the pinned version.
const staticDialedConn = 1 << 1

// redialDialTimeout bounds one TCP connect of the redialer; the RLPx
// handshake that follows has go-ethereum's own deadline.
const redialDialTimeout = 5 * time.Second

// redialer keeps static peers connected sooner than go-ethereum's dialer
// does: that dialer dials a node at most once per 35 s (its dial history),
// so a static peer that restarted, or that was not up yet when we started,
// stays away for up to 35 s. The redialer notices a missing static peer and
// dials it itself after first, then after a back-off that doubles up to
// max; the back-off starts over whenever the peer drops.
//
// One goroutine (run) owns the timing; add and remove may be called from any
// goroutine. stop cancels every dial in flight and waits for them.
type redialer struct {
	srv        *p2p.Server
	log        *zap.Logger
	first, max time.Duration
	now        func() time.Time

	mu    sync.Mutex
	peers map[enode.ID]*redialPeer

	wake   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// redialPeer is the redial state of one static peer, guarded by redialer.mu.
type redialPeer struct {
	node    *enode.Node
	backoff time.Duration
	due     time.Time
	dialing bool
}

func newRedialer(srv *p2p.Server, log *zap.Logger, first, max time.Duration) *redialer {
	return &redialer{srv: srv, log: log, first: first, max: max, now: time.Now,
		peers: make(map[enode.ID]*redialPeer), wake: make(chan struct{}, 1)}
}

// start launches the loop; nodes are the static peers known at start.
func (r *redialer) start(nodes []*enode.Node) {
	for _, n := range nodes {
		r.add(n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	events := make(chan *p2p.PeerEvent, 16)
	sub := r.srv.SubscribeEvents(events)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer sub.Unsubscribe()
		r.run(ctx, events)
	}()
}

// stop ends the loop and every dial in flight, and waits for them.
func (r *redialer) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}

// add makes n a peer to keep connected; its first redial is due after
// first. Adding a known peer updates its address.
func (r *redialer) add(n *enode.Node) {
	if _, ok := n.TCPEndpoint(); !ok {
		return // nothing to dial; go-ethereum resolves such nodes itself
	}
	r.mu.Lock()
	p := r.peers[n.ID()]
	if p == nil {
		p = &redialPeer{}
		r.peers[n.ID()] = p
	}
	p.node, p.backoff, p.due = n, r.first, r.now().Add(r.first)
	r.mu.Unlock()
	r.poke()
}

// remove stops redialling n.
func (r *redialer) remove(n *enode.Node) {
	r.mu.Lock()
	delete(r.peers, n.ID())
	r.mu.Unlock()
}

func (r *redialer) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *redialer) run(ctx context.Context, events <-chan *p2p.PeerEvent) {
	timer := time.NewTimer(r.first)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			if ev.Type == p2p.PeerEventTypeDrop {
				r.dropped(ev.Peer)
			}
		case <-r.wake:
		case <-timer.C:
		}
		timer.Reset(r.dialDue(ctx))
	}
}

// dropped starts the back-off of a static peer over.
func (r *redialer) dropped(id enode.ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.peers[id]; p != nil {
		p.backoff, p.due = r.first, r.now().Add(r.first)
	}
}

// dialDue dials every static peer that is not connected and whose redial is
// due, and returns the time until the next one is.
func (r *redialer) dialDue(ctx context.Context) time.Duration {
	connected := make(map[enode.ID]bool)
	for _, p := range r.srv.Peers() {
		connected[p.ID()] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	next := r.max
	for id, p := range r.peers {
		switch {
		case connected[id]:
			p.backoff, p.due = r.first, now.Add(r.first)
			continue
		case p.dialing:
			continue
		case !now.Before(p.due):
			p.dialing = true
			r.wg.Add(1)
			go r.dial(ctx, p.node)
			p.due = now.Add(p.backoff)
			p.backoff = min(2*p.backoff, r.max)
		}
		next = min(next, p.due.Sub(now))
	}
	return max(next, time.Millisecond)
}

// dial connects to n and hands the connection to the p2p server, which runs
// the handshakes and adds the peer. Cancelling ctx closes the connection
// while it is being set up.
func (r *redialer) dial(ctx context.Context, n *enode.Node) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		if p := r.peers[n.ID()]; p != nil {
			p.dialing = false
		}
		r.mu.Unlock()
		r.poke()
	}()
	addr, _ := n.TCPEndpoint()
	d := net.Dialer{Timeout: redialDialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		r.log.Debug("redial failed", zap.Stringer("id", n.ID()), zap.Error(err))
		return
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	err = r.srv.SetupConn(conn, staticDialedConn, n)
	stop()
	if err != nil {
		r.log.Debug("redial handshake failed", zap.Stringer("id", n.ID()), zap.Error(err))
		return
	}
	r.log.Info("static peer redialled", zap.Stringer("id", n.ID()))
}
