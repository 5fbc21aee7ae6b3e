package mailserver

import (
	"context"

	"github.com/ethereum/go-ethereum/p2p/enode"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver"
)

// API is the "mailserver" namespace: the client's per-topic history
// bookkeeping and its events. Every exported method is a JSON-RPC method
// mailserver_<lowerCamelName>; all are safe for concurrent use.
type API struct{ s *Service }

// CoveredRanges is mailserver_coveredRanges(topics): for each 4-byte hex
// topic, the time ranges (inclusive Unix seconds) whose envelopes this
// node has: fetched completely from a mailserver, or seen while online
// (for tracked topics).
//
// Example: Covered ranges of the "status" topic
//
//	params: [["0xcd423760"]]
//	result: [{"topic":"0xcd423760","ranges":[{"from":1700000000,"to":1700086400}]}]
func (a *API) CoveredRanges(topics []string) ([]TopicRanges, error) {
	ts, err := parseTopics("topics", topics)
	if err != nil {
		return nil, rpcError(err)
	}
	return a.perTopic(ts, a.s.c.Covered)
}

// Gaps is mailserver_gaps(topics, from, to): for each 4-byte hex topic,
// the parts of [from, to] (inclusive Unix seconds) not covered, i.e. what
// mailserver_fillGaps would fetch. from and to are optional: to defaults
// to now, from to 24 h before to.
//
// Example: What of the last day is missing for the "status" topic
//
//	params: [["0xcd423760"]]
//	result: [{"topic":"0xcd423760","ranges":[{"from":1700000000,"to":1700086400}]}]
func (a *API) Gaps(topics []string, from, to *uint32) ([]TopicRanges, error) {
	ts, err := parseTopics("topics", topics)
	if err != nil {
		return nil, rpcError(err)
	}
	lo, hi, err := a.s.window(deref(from), deref(to))
	if err != nil {
		return nil, rpcError(err)
	}
	return a.perTopic(ts, func(t wproto.Topic) ([]mailserver.Range, error) { return a.s.c.Gaps(t, lo, hi) })
}

// FillGaps is mailserver_fillGaps(request): fetch every gap of
// [from, to] of each topic from the mailserver, following cursors, and
// record it as covered. It blocks until all are filled (or the first
// failure) and returns the gaps it requested. The envelopes arrive through
// Whisper filters created with allowP2P; each gap raises
// mailserver.gap.found and, once fetched, mailserver.gap.filled.
//
// The fill belongs to the node, not to the call: when the caller
// disconnects or its call times out, the call ends but the fill goes on
// to the end (mailserver.gap.filled tells when; only a node stop ends it
// early). Every page fetched is recorded as covered once the messages it
// brought are stored (a page whose messages a crash lost is fetched
// again), so a fill that failed half-way is resumed, not started over, by
// the next mailserver_fillGaps or the backfill; a fill of a topic already being
// filled waits for that one and fetches only what it left missing. Over
// HTTP a call ends at the server's write timeout (30 s) with -32002 while
// the fill goes on; to wait for a long fill, call over WebSocket or IPC,
// or watch mailserver_subscribe("events").
//
// Example: Fill the last day of the "status" topic from the known mailservers
//
//	params: [{"topics":["0xcd423760"]}]
//	result: [{"topic":"0xcd423760","ranges":[{"from":1700000000,"to":1700086400}]}]
func (a *API) FillGaps(ctx context.Context, req FillGapsRequest) ([]TopicRanges, error) {
	peer, err := parsePeer("mailServerPeer", req.MailServerPeer)
	if err != nil {
		return nil, rpcError(err)
	}
	ts, err := parseTopics("topics", req.Topics)
	if err != nil {
		return nil, rpcError(err)
	}
	lo, hi, err := a.s.window(req.From, req.To)
	if err != nil {
		return nil, rpcError(err)
	}
	gaps, err := a.perTopic(ts, func(t wproto.Topic) ([]mailserver.Range, error) { return a.s.c.Gaps(t, lo, hi) })
	if err != nil {
		return nil, err
	}
	err = a.s.detach(ctx, func(ctx context.Context) error {
		return a.s.eachServer(peer, func(ms *enode.Node) error { return a.s.c.FillGaps(ctx, ms, ts, lo, hi) })
	})
	return gaps, rpcError(err)
}

// Track is mailserver_track(topics): add 4-byte hex topics to the tracked
// set. While the node has Whisper peers, time passes as covered for
// tracked topics (online coverage), and with [mailserver] backfill the
// first known mailserver to connect is asked for every part of the last
// 24 hours they miss. Returns the whole tracked set.
//
// Example: Track the "status" topic
//
//	params: [["0xcd423760"]]
//	result: ["0xcd423760"]
func (a *API) Track(topics []string) ([]string, error) {
	ts, err := parseTopics("topics", topics)
	if err == nil {
		err = a.s.c.Track(ts...)
	}
	if err != nil {
		return nil, rpcError(err)
	}
	return a.Tracked()
}

// Tracked is mailserver_tracked: the tracked topics, as 4-byte hex.
func (a *API) Tracked() ([]string, error) {
	ts, err := a.s.c.Tracked()
	if err != nil {
		return nil, rpcError(err)
	}
	return topicStrings(ts), nil
}

// Mailservers is mailserver_mailservers: the known mailservers' enode
// URLs — configured ([mailserver] servers), the fleet's, and those found
// by discovery (docs/PROTOCOL.md §4.7) — in the order requests without
// mailServerPeer try them (the selected one first).
func (a *API) Mailservers() []string {
	out := []string{}
	for _, n := range a.s.c.Mailservers() {
		out = append(out, n.URLv4())
	}
	return out
}

// perTopic collects fn's ranges for each topic.
func (a *API) perTopic(ts []wproto.Topic, fn func(wproto.Topic) ([]mailserver.Range, error)) ([]TopicRanges, error) {
	out := make([]TopicRanges, 0, len(ts))
	for _, t := range ts {
		rs, err := fn(t)
		if err != nil {
			return nil, rpcError(err)
		}
		tr := TopicRanges{Topic: t.String(), Ranges: make([]Range, len(rs))}
		for i, r := range rs {
			tr.Ranges[i] = Range{From: r.From, To: r.To}
		}
		out = append(out, tr)
	}
	return out, nil
}

func deref(p *uint32) uint32 {
	if p == nil {
		return 0
	}
	return *p
}
