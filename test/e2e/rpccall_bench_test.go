package e2e

import (
	"testing"

	"github.com/statusnode/statusd/lib/testutil"
)

// BenchmarkRPCCall is the cost of the JSON-RPC path alone, over HTTP, on
// a running daemon: benchSenders goroutines call web3_clientVersion
// (STATUSD_BENCH_MESSAGES calls an iteration, as BenchmarkOneToOne sends
// its messages) through the same client as the 1:1 benchmark's senders.
// It reports the daemon's CPU a call, the part of every statusd_sendText
// that is HTTP, the bearer-token guard, go-ethereum's server and the
// per-method metrics, with nothing of the messenger.
func BenchmarkRPCCall(b *testing.B) {
	n, senders := envInt(b, "STATUSD_BENCH_MESSAGES", benchMessages), envInt(b, "STATUSD_BENCH_SENDERS", benchSenders)
	p := newPeer(b, "solo")
	p.mustStart()
	var version string
	p.mustCall(&version, "web3_clientVersion")
	cpu0, client0 := testutil.CPUTime(b, p.daemon().Pid()), testutil.CPUTime(b, 0)
	b.ResetTimer()
	for range b.N {
		err := spread(n, senders, func(int) error {
			var v string
			return p.call(&v, "web3_clientVersion")
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	calls := float64(n * b.N)
	b.ReportMetric(float64((testutil.CPUTime(b, p.daemon().Pid())-cpu0).Microseconds())/calls, "daemon-cpu-µs/call")
	b.ReportMetric(float64((testutil.CPUTime(b, 0)-client0).Microseconds())/calls, "client-cpu-µs/call")
	b.ReportMetric(calls/b.Elapsed().Seconds(), "calls/s")
}
