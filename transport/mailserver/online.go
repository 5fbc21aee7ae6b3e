package mailserver

import (
	"context"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// EnvelopeHook returns the router hook that feeds accepted envelopes to the
// server's archive and delivered ones to the client's dedupe; either may be
// nil.
func EnvelopeHook(s *Server, c *Client) whisper.EnvelopeHook {
	return func(a whisper.Accepted) {
		if s != nil {
			s.Accept(a.Envelope, a.Arrived)
		}
		if c != nil && a.Delivered {
			c.Seen(a.Hash(), a.Arrived)
		}
	}
}

// Track adds topics to the set whose online time is recorded as covered
// and which backfill fetches.
func (c *Client) Track(topics ...wproto.Topic) error { return c.gaps.Track(topics...) }

// Tracked lists the tracked topics.
func (c *Client) Tracked() ([]wproto.Topic, error) { return c.gaps.Tracked() }

// Covered returns the ranges of topic fetched or covered online, sorted.
func (c *Client) Covered(t wproto.Topic) ([]Range, error) { return c.gaps.Covered(t) }

// Gaps returns the parts of [from, to] of topic not covered.
func (c *Client) Gaps(t wproto.Topic, from, to uint32) ([]Range, error) {
	return c.gaps.Gaps(t, from, to)
}

// Cover records [r.From, r.To] as covered for topic (e.g. after a request
// made elsewhere). It does not wait on ClientConfig.Settle: the caller
// vouches that the envelopes of r are handled.
func (c *Client) Cover(t wproto.Topic, r Range) error { return c.gaps.Cover(t, r) }

// FillGaps requests, from peer, every gap of [from, to] of each topic,
// each widened by the overlap on both sides (the dedupe drops the doubles),
// following cursors; a filled gap is recorded as covered and raises
// EventGapFilled. It stops at the first failure or when ctx ends; the pages
// fetched until then stay recorded as covered (see Request), so the next
// fill of the topic, or the backfill, resumes where this one stopped.
//
// Fills of one topic run one at a time: a fill waits (within ctx) for the
// one running on the same topic and then fetches only what that one left
// missing, so a caller that retries while its first fill still runs does
// not fetch the gap twice.
func (c *Client) FillGaps(ctx context.Context, peer *enode.Node, topics []wproto.Topic, from, to uint32) error {
	for _, t := range topics {
		if err := c.fillTopic(ctx, peer, t, from, to); err != nil {
			return err
		}
	}
	return nil
}

// fillTopic is FillGaps for one topic, holding the topic's fill turn.
func (c *Client) fillTopic(ctx context.Context, peer *enode.Node, t wproto.Topic, from, to uint32) error {
	done, err := c.fillTurn(ctx, t)
	if err != nil {
		return err
	}
	defer done()
	gaps, err := c.gaps.Gaps(t, from, to)
	if err != nil {
		return err
	}
	overlap := uint32(c.cfg.Overlap / time.Second)
	for _, g := range gaps {
		c.events.Publish(Event{Kind: EventGapFound, Topic: t, Range: g})
		lo := g.From - min(g.From, overlap)
		hi := g.To + min(^uint32(0)-g.To, overlap)
		if _, err := c.Request(ctx, peer, RequestParams{Lower: lo, Upper: hi, Topics: []wproto.Topic{t}, Limit: c.cfg.PageLimit, FollowCursor: true}); err != nil {
			return err
		}
		c.events.Publish(Event{Kind: EventGapFilled, Topic: t, Range: g})
	}
	return nil
}

// fillTurn waits until no other fill of t runs and takes the turn; done
// gives it back. It fails when ctx ends or the client stops first.
func (c *Client) fillTurn(ctx context.Context, t wproto.Topic) (done func(), err error) {
	for {
		c.mu.Lock()
		busy, ok := c.filling[t]
		if !ok {
			mine := make(chan struct{})
			c.filling[t] = mine
			c.mu.Unlock()
			return func() {
				c.mu.Lock()
				delete(c.filling, t)
				c.mu.Unlock()
				close(mine)
			}, nil
		}
		c.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.quit:
			return nil, ErrStopped
		}
	}
}

// onlineState is owned by the loop goroutine (and Tick's callers in tests).
type onlineState struct {
	since    uint32 // first tick seen online, 0 when offline
	lastSeen time.Time
}

// loop records online coverage every OnlineTick, prunes the dedupe memory
// and runs the backfill when a configured or found mailserver connects.
// The router's peer event starts the backfill at once; each tick also
// looks for a mailserver already connected, so a peer event the bounded
// subscription dropped (or one from before Start) delays the backfill by
// at most one tick instead of skipping it.
func (c *Client) loop(sub *whisper.EventSubscription) {
	defer c.wg.Done()
	defer sub.Unsubscribe()
	t := time.NewTicker(c.cfg.OnlineTick)
	defer t.Stop()
	var st onlineState
	backfilled := !c.cfg.Backfill
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startBackfill := func(ms *enode.Node) {
		backfilled = true
		c.wg.Add(1)
		go func() { defer c.wg.Done(); c.backfill(ctx, ms) }()
	}
	events := sub.C()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			c.tick(&st, c.cfg.Now())
			if !backfilled {
				if ms := c.connectedCandidate(); ms != nil {
					startBackfill(ms)
				}
			}
		case ev, ok := <-events:
			if !ok {
				events = nil // router stopped
				continue
			}
			if ev.Kind != whisper.EventPeerAdded || backfilled {
				continue
			}
			if ms := c.candidate(ev.Peer); ms != nil {
				startBackfill(ms)
			}
		}
	}
}

// connectedCandidate returns the first configured, then found, mailserver
// that is a connected Whisper peer, or nil.
func (c *Client) connectedCandidate() *enode.Node {
	for _, ms := range slices.Concat(c.cfg.Mailservers, c.Mailservers()) {
		if c.router.HasPeer(ms.ID()) {
			return ms
		}
	}
	return nil
}

// tick extends the covered range of every tracked topic while the node has
// Whisper peers: from the first tick seen online to now, once Settle
// returned for what was delivered until now (when it fails, the next tick
// covers the range with its own).
func (c *Client) tick(st *onlineState, now time.Time) {
	if c.router.PeerCount() == 0 {
		st.since = 0
		return
	}
	sec := uint32(now.Unix())
	if st.since == 0 {
		st.since = sec
	}
	topics, err := c.gaps.Tracked()
	if err == nil && len(topics) > 0 {
		err = c.settle(c.ctx)
	}
	for _, t := range topics {
		if err == nil {
			err = c.gaps.Cover(t, Range{From: st.since, To: sec})
		}
	}
	if now.Sub(st.lastSeen) > time.Hour {
		st.lastSeen = now
		if _, perr := c.gaps.pruneSeen(uint32(now.Add(-c.cfg.SeenRetention).Unix())); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		c.log.Warn("recording online coverage failed", zap.Error(err))
	}
}

// candidate returns the mailserver with id among the configured ones and
// those discovery found (Mailservers), or nil.
func (c *Client) candidate(id enode.ID) *enode.Node {
	if ms := c.configured(id); ms != nil {
		return ms
	}
	for _, ms := range c.Mailservers() {
		if ms.ID() == id {
			return ms
		}
	}
	return nil
}

func (c *Client) configured(id enode.ID) *enode.Node {
	i := slices.IndexFunc(c.cfg.Mailservers, func(n *enode.Node) bool { return n.ID() == id })
	if i < 0 {
		return nil
	}
	return c.cfg.Mailservers[i]
}

// backfill fills, for every tracked topic, every gap of the last
// BackfillWindow. Not only what follows the last covered second: online
// coverage may already have been recorded since the node came back (a
// relay connected before the mailserver), and the gap before it is the one
// to fetch.
func (c *Client) backfill(ctx context.Context, ms *enode.Node) {
	topics, err := c.gaps.Tracked()
	now := c.cfg.Now()
	from := uint32(now.Add(-c.cfg.BackfillWindow).Unix())
	for _, t := range topics {
		if err != nil {
			break
		}
		err = c.FillGaps(ctx, ms, []wproto.Topic{t}, from, uint32(now.Unix()))
	}
	if err != nil {
		c.log.Warn("backfill failed", zap.String("peer", ms.ID().TerminalString()), zap.Error(err))
		return
	}
	c.log.Info("backfill done", zap.String("peer", ms.ID().TerminalString()), zap.Int("topics", len(topics)))
}
