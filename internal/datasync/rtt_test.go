package datasync

import (
	"testing"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// roundsToResend advances only p's clock, tick by tick, until p has sent
// one more payload than before, and returns the number of ticks.
func roundsToResend(t *testing.T, net *memNet, p *peer, max int) int {
	t.Helper()
	before := sentBy(net, p.id)
	for i := 1; i <= max; i++ {
		round(t, p)
		if sentBy(net, p.id) > before {
			return i
		}
	}
	t.Fatalf("no retransmission within %d ticks", max)
	return 0
}

// TestAdaptiveBackoffFromRTT: after an ACK that took 9 ticks (2.7 s) to
// come back, the first retransmission to that peer waits SRTT + 4·RTTVAR
// (8.1 s: 27 ticks) plus one tick; without AdaptiveBackoff it waits the
// configured 20 ticks. An ACK at once lowers the gap to
// MinAdaptiveBackoff (2 ticks).
func TestAdaptiveBackoffFromRTT(t *testing.T) {
	for _, tc := range []struct {
		adaptive bool
		ackAfter int // ticks of a before b's first tick
		want     int
	}{
		{adaptive: false, ackAfter: 10, want: 20},
		{adaptive: true, ackAfter: 10, want: 28},
		{adaptive: true, ackAfter: 1, want: 2},
	} {
		net := newMemNet()
		a := newTunedPeer(t, net, testPeerID(1), func(c *Config) {
			c.Node.InitialBackoff, c.AdaptiveBackoff = 20, tc.adaptive
		})
		b := newPeer(t, net, testPeerID(2), "")
		g := connect(t, a, b)
		if _, err := a.d.Append(ctxT(t), g, []byte("timed")); err != nil {
			t.Fatal(err)
		}
		// The manual clock is at +300 ms when the flush timer's send runs;
		// b acknowledges at its first tick, when a's clock is at +3 s.
		for range tc.ackAfter {
			round(t, a)
		}
		round(t, b)
		if err := a.d.Sync(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if n := outstanding(t, a); n != 0 {
			t.Fatalf("%d outstanding after the ACK", n)
		}
		net.setDown(b.id, true)
		if _, err := a.d.Append(ctxT(t), g, []byte("second")); err != nil {
			t.Fatal(err)
		}
		round(t, a) // the flush: first send
		// The record was scheduled for the tick after the append; its first
		// retransmission comes InitialBackoff ticks after that tick.
		if got := roundsToResend(t, net, a, 100); got != tc.want {
			t.Errorf("adaptive %v, ACK after %d: first retransmission after %d ticks, want %d", tc.adaptive, tc.ackAfter, got, tc.want)
		}
	}
}

// TestRTTEstimator: Karn's rule (no sample from a retransmitted message),
// the RFC 6298 smoothing, and the tick conversion with its bounds.
func TestRTTEstimator(t *testing.T) {
	e := newRTTEstimator()
	p := testPeerID(2)
	id1, id2 := mvds.MessageID{1}, mvds.MessageID{2}
	e.onSend(p, []mvds.MessageID{id1, id2}, t0)
	e.onSend(p, []mvds.MessageID{id2}, t0.Add(time.Second)) // id2 resent
	if e.onAcks(p, []mvds.MessageID{id2}, t0.Add(2*time.Second)) {
		t.Fatal("sample taken from a retransmitted message")
	}
	if !e.onAcks(p, []mvds.MessageID{id1}, t0.Add(time.Second)) {
		t.Fatal("no sample from a message sent once")
	}
	if w, ok := e.firstRetry(p); !ok || w != 3*time.Second { // 1 s + 4·0.5 s
		t.Fatalf("first retry %v %v, want 3s", w, ok)
	}
	e.onSend(p, []mvds.MessageID{id1}, t0)
	e.onAcks(p, []mvds.MessageID{id1}, t0.Add(time.Second))
	if w, _ := e.firstRetry(p); w != time.Second+4*375*time.Millisecond { // rttvar ¾·0.5 s
		t.Fatalf("first retry %v after a second equal sample", w)
	}
	if _, ok := e.firstRetry(testPeerID(3)); ok {
		t.Fatal("an unmeasured peer has an estimate")
	}
	for _, tc := range []struct {
		wait     time.Duration
		min, max uint64
		want     uint64
	}{
		{wait: 0, min: 2, max: 200, want: 2},
		{wait: 600 * time.Millisecond, min: 2, max: 200, want: 3},
		{wait: 601 * time.Millisecond, min: 2, max: 200, want: 4},
		{wait: time.Hour, min: 2, max: 200, want: 200},
	} {
		if got := backoffTicks(tc.wait, 300*time.Millisecond, tc.min, tc.max); got != tc.want {
			t.Errorf("backoffTicks(%v) = %d, want %d", tc.wait, got, tc.want)
		}
	}
}
