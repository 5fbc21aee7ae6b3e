package datasync

import (
	"fmt"
	"sort"
	"testing"
)

// TestSimulationExactlyOnce runs the acceptance scenarios: 2 to 10 nodes,
// 0–50 % loss, peers offline up to 90 % of the chaos phase, restarts from
// persisted state. Every member gets every message exactly once, and once
// everything is acknowledged nothing more is sent.
func TestSimulationExactlyOnce(t *testing.T) {
	cases := []simParams{
		{Nodes: 2, Loss: 0},
		{Nodes: 2, Loss: 0.5, Offline: 0.9, RestartRate: 0.02},
		{Nodes: 3, Loss: 0.1, MaxDelay: 3, Offline: 0.5, RestartRate: 0.01, GroupSize: 3},
		{Nodes: 5, Loss: 0.3, MaxDelay: 5, Offline: 0.9, RestartRate: 0.02},
		{Nodes: 5, Loss: 0.2, MaxDelay: 2, Offline: 0.3, GroupSize: 5, Mode: ModeInteractive},
		{Nodes: 10, Loss: 0.5, MaxDelay: 4, Offline: 0.9, RestartRate: 0.01, GroupSize: 10},
		{Nodes: 10, Loss: 0.1, MaxDelay: 1, Offline: 0.5, RestartRate: 0.02, Mode: ModeInteractive, GroupSize: 6},
	}
	for i, c := range cases {
		c.Seed = int64(100 + i)
		c.Messages = 30 * c.Nodes
		c.ChaosTicks = 400
		c.SettleTicks = 5000
		c.BodyMin, c.BodyMax = 10, 300
		t.Run(fmt.Sprintf("n%d_loss%.0f_off%.0f_%s", c.Nodes, c.Loss*100, c.Offline*100, c.Mode), func(t *testing.T) {
			r := newSimulation(t, c).run()
			r.checkExactlyOnce(t)
			if r.quietBytes != 0 {
				t.Fatalf("%d bytes sent after every message was acknowledged", r.quietBytes)
			}
			t.Logf("%d deliveries, settled at tick %d, %.2f bytes sent per body byte delivered",
				len(r.latencies), r.settledAt, float64(r.bytesSent)/float64(r.bodyBytes))
		})
	}
}

// simFigures runs the figure scenario at one loss rate: 5 nodes in 1:1
// chats, everyone online, delay up to 2 ticks, 200-byte-ish bodies.
func simFigures(t testing.TB, loss float64, initial, max uint64) (bytesPerByte, meanLat float64, p95Lat int) {
	p := simParams{
		Seed: 7, Nodes: 5, Loss: loss, MaxDelay: 2, Messages: 400, ChaosTicks: 400,
		SettleTicks: 5000, BodyMin: 100, BodyMax: 300, InitialBackoff: initial, MaxBackoff: max,
	}
	r := newSimulation(t, p).run()
	r.checkExactlyOnce(t)
	sort.Ints(r.latencies)
	sum := 0
	for _, l := range r.latencies {
		sum += l
	}
	return float64(r.bytesSent) / float64(r.bodyBytes), float64(sum) / float64(len(r.latencies)),
		r.latencies[len(r.latencies)*95/100]
}

// figureBackoffs are the back-off settings the figures compare: the default
// config, and a first retry after 8 ticks (longer than the simulated round
// trip of up to 6 ticks).
var figureBackoffs = []struct{ initial, max uint64 }{{2, 200}, {8, 200}}

// TestSimulationFigures prints the overhead and latency figures (one tick =
// 300 ms in Status; simulated one-way delay 1–3 ticks).
func TestSimulationFigures(t *testing.T) {
	for _, bo := range figureBackoffs {
		for _, loss := range []float64{0, 0.1, 0.3} {
			bpb, mean, p95 := simFigures(t, loss, bo.initial, bo.max)
			t.Logf("back-off %d..%d, loss %2.0f%%: %.2f bytes sent per payload byte delivered, latency mean %.2f ticks, p95 %d ticks",
				bo.initial, bo.max, loss*100, bpb, mean, p95)
		}
	}
}

// BenchmarkSimulation reports the same figures as metrics.
func BenchmarkSimulation(b *testing.B) {
	bo := figureBackoffs[0]
	for _, loss := range []float64{0, 0.1, 0.3} {
		b.Run(fmt.Sprintf("loss%.0f", loss*100), func(b *testing.B) {
			b.ReportAllocs()
			var bpb, mean float64
			var p95 int
			for i := 0; i < b.N; i++ {
				bpb, mean, p95 = simFigures(b, loss, bo.initial, bo.max)
			}
			b.ReportMetric(bpb, "wire-B/body-B")
			b.ReportMetric(mean, "mean-ticks")
			b.ReportMetric(float64(p95), "p95-ticks")
		})
	}
}
