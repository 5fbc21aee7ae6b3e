package timesource_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/transport/timesource"
	"github.com/statusnode/statusd/transport/timesource/ntptest"
)

func responder(t *testing.T, skew time.Duration, mangle func([]byte)) *ntptest.Server {
	t.Helper()
	s, err := ntptest.NewServer(func() time.Time { return time.Now().Add(skew) }, mangle)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// near reports whether got is within 1 s of want (loopback round trips and
// scheduling on a loaded machine).
func near(got, want time.Duration) bool {
	d := got - want
	return d > -time.Second && d < time.Second
}

func TestQueryOffset(t *testing.T) {
	for _, skew := range []time.Duration{30 * time.Second, -30 * time.Second, 0, 90 * 24 * time.Hour} {
		s := responder(t, skew, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		r, err := timesource.Query(ctx, s.Addr(), time.Now)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !near(r.Offset, skew) || r.RTT < 0 || r.RTT > time.Second {
			t.Errorf("skew %v: offset %v rtt %v", skew, r.Offset, r.RTT)
		}
	}
}

// TestQueryRefusesFaultyAnswers: answers a client must not use.
func TestQueryRefusesFaultyAnswers(t *testing.T) {
	for name, mangle := range map[string]func([]byte){
		"kiss-o'-death":   func(b []byte) { b[1] = 0; copy(b[12:16], "RATE") },
		"client mode":     func(b []byte) { b[0] = 4<<3 | 3 },
		"unsynchronised":  func(b []byte) { b[0] |= 3 << 6 },
		"stratum 16":      func(b []byte) { b[1] = 16 },
		"origin mismatch": func(b []byte) { b[24] ^= 1 },
		"zero transmit":   func(b []byte) { clear(b[40:48]) },
		"root dispersion": func(b []byte) { b[8] = 0x20 }, // 32 s
	} {
		s := responder(t, 0, mangle)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := timesource.Query(ctx, s.Addr(), time.Now)
		cancel()
		if !errors.Is(err, timesource.ErrBadResponse) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// silentServer is a UDP socket that never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.LocalAddr().String()
}

func TestQueryTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := timesource.Query(ctx, silentServer(t), time.Now)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

// TestSourceMedian: the median of three servers wins over one liar; with
// more failures than allowed the offset stays where it was.
func TestSourceMedian(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the responders closed
	a, b, c := responder(t, 30*time.Second, nil), responder(t, 31*time.Second, nil), responder(t, -time.Hour, nil)
	src := timesource.New(timesource.Config{Servers: []string{a.Addr(), b.Addr(), c.Addr()}}, zaptest.NewLogger(t))
	if src.Offset() != 0 || src.Synced() {
		t.Fatal("offset before the first round")
	}
	if err := src.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !near(src.Offset(), 30*time.Second) || !src.Synced() {
		t.Fatalf("offset %v", src.Offset())
	}
	if d := time.Until(src.Now()); !near(d, src.Offset()) {
		t.Fatalf("Now is %v ahead, offset %v", d, src.Offset())
	}

	dead := timesource.New(timesource.Config{Servers: []string{a.Addr(), silentServer(t), silentServer(t)},
		Timeout: 200 * time.Millisecond}, zaptest.NewLogger(t))
	if err := dead.Update(context.Background()); !errors.Is(err, timesource.ErrNoServers) {
		t.Fatalf("two of three silent: %v", err)
	}
	if dead.Offset() != 0 || dead.Synced() {
		t.Fatal("failed round changed the offset")
	}
	one := timesource.New(timesource.Config{Servers: []string{a.Addr(), b.Addr(), silentServer(t)},
		Timeout: 200 * time.Millisecond}, zaptest.NewLogger(t))
	if err := one.Update(context.Background()); err != nil || !near(one.Offset(), 30500*time.Millisecond) {
		t.Fatalf("one of three silent: %v %v", one.Offset(), err)
	}
}

// TestSourceStartStop: the refresh goroutine applies the offset on its own
// and stops; a skewed host clock is corrected.
func TestSourceStartStop(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the responders closed
	s := responder(t, 0, nil)
	host := func() time.Time { return time.Now().Add(-30 * time.Second) }
	src := timesource.New(timesource.Config{Servers: []string{s.Addr()}, Host: host}, zaptest.NewLogger(t))
	if err := src.Start(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "first round", src.Synced)
	if !near(src.Offset(), 30*time.Second) || !near(time.Until(src.Now()), 0) {
		t.Fatalf("offset %v", src.Offset())
	}
	src.Stop()
	src.Stop()

	off := timesource.New(timesource.Config{Host: host}, nil)
	if err := off.Start(); err != nil {
		t.Fatal(err)
	}
	if !near(time.Until(off.Now()), -30*time.Second) {
		t.Fatal("no servers: Now is not the host clock")
	}
	off.Stop()
}
