package mailserver

import (
	"context"
	"time"

	"github.com/statusnode/statusd/lib/metrics"
	"github.com/statusnode/statusd/transport/mailserver/archive"
)

// serverMetrics are the server role's counters and the archive size gauge.
type serverMetrics struct {
	requests       *metrics.CounterVec // result
	served         *metrics.CounterVec // outcome: sent, too_large
	archived       *metrics.CounterVec
	archiveDropped *metrics.CounterVec // reason: queue_full, error
	pruned         *metrics.CounterVec
}

func newServerMetrics(reg *metrics.Registry, a archive.Archive) *serverMetrics {
	reg.GaugeFunc("mailserver_archive_envelopes", "Envelopes in the mailserver archive.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, _ := a.Count(ctx)
		return float64(n)
	})
	return &serverMetrics{
		requests:       reg.Counter("mailserver_requests_total", "History requests received, by result.", "result"),
		served:         reg.Counter("mailserver_envelopes_served_total", "Archived envelopes answered to requests, by outcome.", "outcome"),
		archived:       reg.Counter("mailserver_envelopes_archived_total", "Envelopes handed to the archive."),
		archiveDropped: reg.Counter("mailserver_archive_dropped_total", "Envelopes not archived, by reason.", "reason"),
		pruned:         reg.Counter("mailserver_envelopes_pruned_total", "Envelopes deleted by retention."),
	}
}
