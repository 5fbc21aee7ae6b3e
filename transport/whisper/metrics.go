package whisper

import (
	"github.com/statusnode/statusd/lib/metrics"
)

// Drop reasons, the "reason" label of whisper_envelopes_dropped_total.
const (
	dropDuplicate     = "duplicate"
	dropExpired       = "expired"
	dropFuture        = "future"
	dropVeryOld       = "very_old"
	dropTooLarge      = "too_large"
	dropLowPoW        = "low_pow"
	dropBloom         = "bloom"
	dropQueueFull     = "queue_full"
	dropMalformed     = "malformed"
	dropUntrustedP2P  = "untrusted_p2p"
	dropFilterBacklog = "filter_backlog"
)

// routerMetrics are the router's counters. Gauges (peers, pool size) are
// read at scrape time by GaugeFuncs registered in New.
type routerMetrics struct {
	in             *metrics.CounterVec // source: peer, p2p, local
	out            *metrics.CounterVec // envelopes written to peers
	dropped        *metrics.CounterVec // reason
	packets        *metrics.CounterVec // incoming packets by code name
	disconnects    *metrics.CounterVec // reason
	delivered      *metrics.CounterVec // messages handed to filters
	deferred       *metrics.CounterVec // envelopes left for a peer's catch-up
	decryptions    *metrics.CounterVec // keys tried on envelopes for filters
	controlDropped *metrics.CounterVec // control packets a full queue did not take, by code
	throttled      *metrics.CounterVec // seconds read loops waited for budget
}

func newRouterMetrics(reg *metrics.Registry) *routerMetrics {
	return &routerMetrics{
		in:             reg.Counter("whisper_envelopes_in_total", "Envelopes accepted into the pool, by source.", "source"),
		out:            reg.Counter("whisper_envelopes_out_total", "Envelopes sent to peers."),
		dropped:        reg.Counter("whisper_envelopes_dropped_total", "Envelopes dropped, by reason.", "reason"),
		packets:        reg.Counter("whisper_packets_in_total", "Whisper packets received, by code.", "code"),
		disconnects:    reg.Counter("whisper_peer_disconnects_total", "Peers disconnected by the router, by reason.", "reason"),
		delivered:      reg.Counter("whisper_messages_delivered_total", "Opened messages handed to filters."),
		controlDropped: reg.Counter("whisper_control_packets_dropped_total", "Control packets (PoW, bloom, confirmations) not sent because the peer's queue was full, by code.", "code"),
		decryptions:    reg.Counter("whisper_trial_decryptions_total", "Keys tried on envelopes for the filters of their topic, once per distinct key."),
		deferred:       reg.Counter("whisper_envelopes_deferred_total", "Envelopes a peer's full queue left to its catch-up from the pool."),
		throttled:      reg.Counter("whisper_peer_throttled_seconds_total", "Time peers' read loops waited for their rate budget."),
	}
}
