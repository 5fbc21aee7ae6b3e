package devp2p

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rlp"
	"go.uber.org/zap"
)

// The roles a node advertises in its node record (ENR, EIP-778) so that
// others find it through discovery v4 and v5, the stand-in for the 2019
// discovery v5 topics "whisper" and "whispermail" (docs/PROTOCOL.md §4.7).
// Each entry's value is an RLP list whose first element is the Whisper
// version the role speaks; further elements are ignored, so that later
// versions may append some.
const (
	RelayKey      = "whisper"     // a Whisper node that forwards envelopes
	MailserverKey = "whispermail" // a node answering history requests
)

// RelayEntry is the ENR entry RelayKey.
type RelayEntry struct {
	Version uint
	Rest    []rlp.RawValue `rlp:"tail"`
}

// ENRKey implements enr.Entry.
func (RelayEntry) ENRKey() string { return RelayKey }

// MailserverEntry is the ENR entry MailserverKey.
type MailserverEntry struct {
	Version uint
	Rest    []rlp.RawValue `rlp:"tail"`
}

// ENRKey implements enr.Entry.
func (MailserverEntry) ENRKey() string { return MailserverKey }

// IsRelay reports whether n's record carries a valid RelayKey entry.
func IsRelay(n *enode.Node) bool { return n.Load(&RelayEntry{}) == nil }

// IsMailserver reports whether n's record carries a valid MailserverKey
// entry and n can be dialled.
func IsMailserver(n *enode.Node) bool {
	return n.Load(&MailserverEntry{}) == nil && Dialable(n) == nil
}

// Topics configures the roles a node advertises and its search for others'.
type Topics struct {
	// Protocol names the registered sub-protocol the roles belong to
	// ("shh"): its Attributes get the entries, its DialCandidates the
	// relays found. Without a protocol of that name nothing is advertised
	// or searched.
	Protocol string
	// Version is the value of the advertised entries (6 for Whisper v6).
	Version uint
	// Relay and Mailserver advertise RelayKey and MailserverKey.
	Relay, Mailserver bool
	// Search looks for relays and mailservers in discovery (needs
	// discovery on): relays are dialled while fewer than MaxRelays of the
	// ones found are connected; the first MaxMailservers mailservers found
	// are passed to FoundMailserver, and the search for them ends there.
	Search                    bool
	MaxRelays, MaxMailservers int
	// FoundMailserver is called on the search goroutine for each mailserver
	// found; it must not block for long. Stop waits for it to return.
	FoundMailserver func(*enode.Node)
}

// enrRequestWorkers bounds the ENR requests in flight that resolve the
// records of nodes found by discovery v4, which reports only addresses.
const enrRequestWorkers = 4

// topicSearch runs the search Topics describes. newTopicSearch runs before
// the p2p server starts (its relay iterator is a DialCandidates), start once
// discovery runs, stop before the server stops.
type topicSearch struct {
	cfg    Topics
	log    *zap.Logger
	relays *enode.FairMix // behind limit; closed by the p2p server
	limit  *relayLimiter
	mail   *enode.FairMix
	done   chan struct{} // closed when the mailserver search returned
}

func newTopicSearch(cfg Topics, log *zap.Logger) *topicSearch {
	relays := enode.NewFairMix(0)
	return &topicSearch{cfg: cfg, log: log, relays: relays, mail: enode.NewFairMix(0),
		limit: newRelayLimiter(relays, max(cfg.MaxRelays, 1)), done: make(chan struct{})}
}

// start feeds both searches from srv's discovery and starts the mailserver
// search.
func (t *topicSearch) start(srv *p2p.Server) {
	peers := peerLister(srv.Peers)
	t.limit.peers.Store(&peers)
	for _, src := range discoverySources(srv) {
		t.relays.AddSource(enode.Filter(src(), IsRelay))
	}
	if t.cfg.MaxMailservers > 0 && t.cfg.FoundMailserver != nil {
		for _, src := range discoverySources(srv) {
			t.mail.AddSource(enode.Filter(src(), IsMailserver))
		}
	}
	go t.runMail(srv.Self().ID())
}

// stop ends the mailserver search and waits for it.
func (t *topicSearch) stop() {
	t.mail.Close()
	<-t.done
}

// discoverySources are constructors of srv's running discovery iterators,
// each yielding nodes with their records: discovery v5 carries records,
// for discovery v4 they are requested (ENRRequest, EIP-868).
func discoverySources(srv *p2p.Server) []func() enode.Iterator {
	var out []func() enode.Iterator
	if v4 := srv.DiscoveryV4(); v4 != nil {
		out = append(out, func() enode.Iterator {
			return newParallelFilter(v4.RandomNodes(), func(n *enode.Node) *enode.Node {
				rec, err := v4.RequestENR(n)
				if err != nil {
					return nil
				}
				return rec
			}, enrRequestWorkers)
		})
	}
	if v5 := srv.DiscoveryV5(); v5 != nil {
		out = append(out, v5.RandomNodes)
	}
	return out
}

// runMail reports the first MaxMailservers mailservers found, then ends.
func (t *topicSearch) runMail(self enode.ID) {
	defer close(t.done)
	defer t.mail.Close()
	if t.cfg.MaxMailservers <= 0 || t.cfg.FoundMailserver == nil {
		return
	}
	found := make(map[enode.ID]bool)
	for len(found) < t.cfg.MaxMailservers && t.mail.Next() {
		n := t.mail.Node()
		if n.ID() == self || found[n.ID()] {
			continue
		}
		found[n.ID()] = true
		t.log.Info("mailserver found by discovery", zap.Stringer("id", n.ID()), zap.String("enode", n.URLv4()))
		t.cfg.FoundMailserver(n)
	}
}

// Relay limiter timing: a relay handed to the dialer counts as pending for
// relayPending (the dial and handshakes), and the limit is looked at again
// every relayLimitPoll while it is reached.
const (
	relayPending   = 10 * time.Second
	relayLimitPoll = time.Second
)

// relayLimiter is the dial candidates iterator of the relay search: it hands
// the p2p dialer the relays of it while fewer than max of those it handed
// over are connected or being dialled. Next runs on the dialer's goroutine;
// Close may be called from any goroutine and ends a Next that waits.
type relayLimiter struct {
	it    enode.Iterator
	max   int
	peers atomic.Pointer[peerLister] // set by start; the dialer may call Next before
	now   func() time.Time

	closeOnce sync.Once
	closed    chan struct{}
	cur       *enode.Node
	offered   map[enode.ID]time.Time // owned by the Next goroutine
}

func newRelayLimiter(it enode.Iterator, limit int) *relayLimiter {
	return &relayLimiter{it: it, max: limit, now: time.Now, closed: make(chan struct{}),
		offered: make(map[enode.ID]time.Time)}
}

// Next waits until a relay may be dialled, then returns the next one found
// that is not connected yet.
func (l *relayLimiter) Next() bool {
	l.cur = nil
	poll := time.NewTicker(relayLimitPoll)
	defer poll.Stop()
	for {
		for l.busy() >= l.max {
			select {
			case <-poll.C:
			case <-l.closed:
				return false
			}
		}
		if !l.it.Next() {
			return false
		}
		if n := l.it.Node(); !l.connected()[n.ID()] {
			l.cur = n
			l.offered[n.ID()] = l.now()
			return true
		}
	}
}

// peerLister lists the connected peers (p2p.Server.Peers).
type peerLister func() []*p2p.Peer

func (l *relayLimiter) connected() map[enode.ID]bool {
	connected := make(map[enode.ID]bool)
	if peers := l.peers.Load(); peers != nil {
		for _, p := range (*peers)() {
			connected[p.ID()] = true
		}
	}
	return connected
}

// busy counts the relays handed over that are connected or still pending,
// and forgets the others.
func (l *relayLimiter) busy() int {
	connected := l.connected()
	now := l.now()
	for id, at := range l.offered {
		if !connected[id] && now.Sub(at) >= relayPending {
			delete(l.offered, id)
		}
	}
	return len(l.offered)
}

// Node is the relay Next returned.
func (l *relayLimiter) Node() *enode.Node { return l.cur }

// Close ends the iterator and the relay search under it.
func (l *relayLimiter) Close() {
	l.closeOnce.Do(func() {
		close(l.closed)
		l.it.Close()
	})
}
