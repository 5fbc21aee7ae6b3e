package interop

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/statusnode/statusd/interop/whispersuite"
)

// BenchmarkPollCost measures what one shh_getFilterMessages call over HTTP
// costs an otherwise idle node, in CPU time of the node's process: b.N
// calls on one keep-alive connection, one a millisecond (as
// BenchmarkIngest's drain polls), on an empty polled filter, after 200
// calls to warm up. It reports cpu-µs/poll; a frontend or script that polls
// a filter pays it on every call, and BenchmarkIngest's drain costs each
// node this much per millisecond of its run.
//
// On virtual machines where every system call and thread wake-up is
// expensive, most of it is the Go runtime's scheduling around the request
// (waking a thread for the handler, the system monitor, netpoll), which
// both implementations share; the difference is the HTTP and JSON-RPC
// layers above it.
func BenchmarkPollCost(b *testing.B) {
	for _, kind := range benchKinds {
		b.Run(kind, func(b *testing.B) {
			x := whispersuite.StartNode(b, kind, kind)
			keyID := x.Str(b, "shh_addSymKey", hexutil.Encode(benchKey()))
			filter := x.Str(b, "shh_newMessageFilter", map[string]any{"symKeyID": keyID, "topics": []string{benchTopic.String()}})
			poll := func() {
				if _, err := x.CallErr("shh_getFilterMessages", filter); err != nil {
					b.Fatalf("%s: shh_getFilterMessages: %v", x.Name, err)
				}
			}
			for range 200 {
				poll()
			}
			cpu0, err := cpuTime(x.PID)
			if err != nil {
				b.Skip(err)
			}
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			b.ResetTimer()
			for range b.N {
				<-tick.C
				poll()
			}
			b.StopTimer()
			cpu1, err := cpuTime(x.PID)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/poll")
		})
	}
}
