package datasync

import (
	"fmt"
	"sort"
	"testing"
)

// This file computes the figures of the MVDS closing note: wire bytes per
// body byte delivered and delivery latency in ticks, batch mode, under
// packet loss (everyone online) and under peers offline 50 % and 90 % of the
// time, without and with an always-online store (a mailserver that keeps
// what is sent to an offline peer and hands it over when the peer is back,
// docs/PROTOCOL.md §4.5). Interactive mode is shown at 90 % offline for
// comparison with Vac's simulations (×100–1000 overhead interactive at 90 %
// offline, under ×10 with an always-online store).
//
// It reuses the simulation of sim_test.go with its own network loop, because
// the figures need churn that never stops and a different byte count:
//
//   - Offline means the device has no network: it keeps ticking (the user
//     may append), but its payloads never reach the wire and are not
//     counted, and payloads arriving for it are lost — or, with the store,
//     kept until it is online again.
//   - Online/offline is a two-state Markov chain per node, from the first
//     tick to the last: a node comes back with probability 1 % per tick
//     (mean offline stretch 100 ticks = 30 s at 300 ms), and leaves with the
//     probability that gives the target offline fraction.
//   - Bytes: encoded payload bytes put on the wire by online senders, lost
//     or not; the store's hand-over is not counted again. A second column
//     also counts what offline senders produced (Vac's simulations drop
//     those at the transport but count them).
//   - Latency: ticks from append to delivery.
//
// Back-off is statusd's default (2 ticks, doubling to 200).

// figureCase is one row of the table.
type figureCase struct {
	Mode    Mode
	Loss    float64
	Offline float64
	Store   bool
}

// figureRow is what a figureCase measured.
type figureRow struct {
	BytesPerByte              float64 // wire bytes (online senders) per body byte delivered
	AttemptedPerByte          float64 // also counting what offline senders produced
	Mean                      float64
	P50, P95, Max, Deliveries int
}

// figureNet routes packets for the figure runs.
type figureNet struct {
	s         *simulation
	c         figureCase
	mailbox   map[int][]wirePacket
	wireBytes int
	attempted int // every payload byte a node produced, online or not
}

func runFigureCase(t testing.TB, c figureCase) figureRow {
	p := simParams{
		Seed: 21, Nodes: 5, Loss: c.Loss, MaxDelay: 2, Messages: 200, ChaosTicks: 400,
		BodyMin: 100, BodyMax: 300, InitialBackoff: 2, MaxBackoff: 200, Mode: c.Mode,
	}
	s := newSimulation(t, p)
	f := &figureNet{s: s, c: c, mailbox: make(map[int][]wirePacket)}
	const pOn = 0.01
	pOff := pOn * c.Offline / (1 - c.Offline)
	for i := range s.online {
		s.online[i] = s.churn.Float64() >= c.Offline
	}
	appendAt := s.schedule()
	const limit = 400000
	for s.tick = 0; s.tick < limit; s.tick++ {
		for i := range s.online {
			flip := s.churn.Float64()
			if s.online[i] && flip < pOff {
				s.online[i] = false
			} else if !s.online[i] && flip < pOn {
				s.online[i] = true
			}
		}
		f.deliverNetwork()
		for i := range s.peers {
			s.peers[i].Tick()
			f.flush(i)
		}
		for _, a := range appendAt[s.tick] {
			s.append(a) // the Ready of an append carries no payload
		}
		if s.tick >= p.ChaosTicks && f.settled() {
			break
		}
	}
	if s.tick == limit {
		t.Fatalf("%+v: not settled after %d ticks: %s", c, limit, s.missing())
	}
	s.res.checkExactlyOnce(t)
	lat := append([]int(nil), s.res.latencies...)
	sort.Ints(lat)
	sum := 0
	for _, l := range lat {
		sum += l
	}
	return figureRow{
		BytesPerByte:     float64(f.wireBytes) / float64(s.res.bodyBytes),
		AttemptedPerByte: float64(f.attempted) / float64(s.res.bodyBytes),
		Mean:             float64(sum) / float64(len(lat)),
		P50:              lat[len(lat)/2], P95: lat[len(lat)*95/100], Max: lat[len(lat)-1],
		Deliveries: len(lat),
	}
}

// settled: every expected message delivered and every node idle.
func (f *figureNet) settled() bool {
	for i := range f.s.peers {
		if len(f.s.res.delivered[i]) != len(f.s.res.expected[i]) || !f.s.peers[i].Idle() {
			return false
		}
	}
	return true
}

// flush is simulation.flush with the figure's routing: an offline sender's
// payloads never reach the wire.
func (f *figureNet) flush(i int) {
	s := f.s
	del, out, err := s.peers[i].Flush()
	if err != nil {
		s.t.Fatalf("tick %d node %d: flush: %v", s.tick, i, err)
	}
	for _, m := range del {
		id := m.ID()
		s.res.delivered[i][id]++
		if s.res.delivered[i][id] > 1 || !s.res.expected[i][id] {
			s.t.Fatalf("tick %d node %d: delivery %d of %s (expected %v)", s.tick, i, s.res.delivered[i][id], id, s.res.expected[i][id])
		}
		s.res.bodyBytes += len(m.Body)
		s.res.latencies = append(s.res.latencies, s.tick-s.appended[id])
	}
	for _, w := range out {
		f.attempted += len(w.data)
		if !s.online[i] {
			continue
		}
		f.wireBytes += len(w.data)
		if s.rng.Float64() < s.p.Loss {
			continue
		}
		at := s.tick + 1 + s.rng.Intn(s.p.MaxDelay+1)
		s.queue[at] = append(s.queue[at], w)
	}
}

// deliverNetwork hands this tick's packets to online recipients, parks the
// others in the store (or drops them), and empties the store for every
// recipient that is online.
func (f *figureNet) deliverNetwork() {
	s := f.s
	for _, w := range s.queue[s.tick] {
		i := s.index[w.to]
		if !s.online[i] {
			if f.c.Store {
				f.mailbox[i] = append(f.mailbox[i], w)
			}
			continue
		}
		f.receive(i, w)
	}
	delete(s.queue, s.tick)
	for i, box := range f.mailbox {
		if !s.online[i] || len(box) == 0 {
			continue
		}
		delete(f.mailbox, i)
		for _, w := range box {
			f.receive(i, w)
		}
	}
}

func (f *figureNet) receive(i int, w wirePacket) {
	if err := f.s.peers[i].Receive(w.from, w.data); err != nil {
		f.s.t.Fatalf("tick %d node %d: receive: %v", f.s.tick, i, err)
	}
	f.flush(i)
}

// figureCases are the rows of the closing note's table.
var figureCases = []figureCase{
	{Loss: 0},
	{Loss: 0.1},
	{Loss: 0.5},
	{Offline: 0.5},
	{Offline: 0.5, Store: true},
	{Offline: 0.9},
	{Offline: 0.9, Store: true},
	{Mode: ModeInteractive, Offline: 0.9},
	{Mode: ModeInteractive, Offline: 0.9, Store: true},
}

func (c figureCase) String() string {
	store := "no store"
	if c.Store {
		store = "store"
	}
	return fmt.Sprintf("%-11s loss %2.0f%% offline %2.0f%% %-8s", c.Mode, c.Loss*100, c.Offline*100, store)
}

// TestFigures prints the table (go test -run TestFigures -v). One tick is
// 300 ms in Status.
func TestFigures(t *testing.T) {
	t.Log("mode        conditions                      | wire B/body B | attempted B/body B | latency ticks: mean    p50    p95    max")
	for _, c := range figureCases {
		r := runFigureCase(t, c)
		t.Logf("%s | %13.2f | %18.2f | %20.1f %6d %6d %6d", c, r.BytesPerByte, r.AttemptedPerByte, r.Mean, r.P50, r.P95, r.Max)
	}
}

// BenchmarkFigures reports the same figures as metrics.
func BenchmarkFigures(b *testing.B) {
	for _, c := range figureCases {
		b.Run(fmt.Sprintf("%s/loss%.0f/off%.0f/store=%v", c.Mode, c.Loss*100, c.Offline*100, c.Store), func(b *testing.B) {
			var r figureRow
			for i := 0; i < b.N; i++ {
				r = runFigureCase(b, c)
			}
			b.ReportMetric(r.BytesPerByte, "wire-B/body-B")
			b.ReportMetric(r.Mean, "mean-ticks")
			b.ReportMetric(float64(r.P95), "p95-ticks")
		})
	}
}
