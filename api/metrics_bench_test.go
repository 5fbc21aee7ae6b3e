package api

import (
	"strings"
	"testing"

	"github.com/statusnode/statusd/lib/metrics"
)

// BenchmarkTrackerAnswers counts one call and its answer, as the HTTP,
// WebSocket and IPC endpoints do for every call: a short answer (a sent
// message's id) and a 16 KiB one (a page of messages).
func BenchmarkTrackerAnswers(b *testing.B) {
	req := []byte(`{"jsonrpc":"2.0","id":12,"method":"statusd_sendText","params":["0x04ab","hello"]}`)
	for _, c := range []struct{ name, answer string }{
		{"short", `{"jsonrpc":"2.0","id":12,"result":"0x9dd31ded2fa6df1f778f9368f9bd96ddaf84278d42719d05d793d39145c8536c"}` + "\n"},
		{"16KiB", `{"jsonrpc":"2.0","id":12,"result":{"messages":[` + strings.Repeat(`{"id":"0x9d","text":"hello \"there\"","clock":1},`, 330) + `{}],"cursor":""}}` + "\n"},
	} {
		b.Run(c.name, func(b *testing.B) {
			tr := newCallTracker(newRPCMetrics(metrics.NewRegistry()))
			answer := []byte(c.answer)
			b.ReportAllocs()
			for b.Loop() {
				tr.requests(req)
				tr.responses(answer)
			}
		})
	}
}
