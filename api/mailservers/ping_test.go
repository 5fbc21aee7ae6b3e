package mailservers

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/storage"
	store "github.com/statusnode/statusd/storage/mailservers"
)

const testKey = "d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"

// TestTCPPinger checks the node's pinger on loopback only: a listener
// answers, a closed port refuses, and a dial that never completes times
// out with status-go's wording.
func TestTCPPinger(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// A port that was just free: nothing listens on it any more.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	// The clock moves 3 ms per reading, so the measured time is fixed.
	var ticks time.Duration
	p := TCPPinger{Now: func() time.Time { ticks += 3 * time.Millisecond; return time.Unix(0, 0).Add(ticks) }}
	ctx := context.Background()
	if rtt, err := p.Ping(ctx, ln.Addr().String(), 5*time.Second); err != nil || rtt != 3*time.Millisecond {
		t.Fatalf("listener: %v, %v; want 3ms", rtt, err)
	}
	if _, err := p.Ping(ctx, closedAddr, 5*time.Second); err == nil || !strings.HasPrefix(err.Error(), "unable to connect: ") {
		t.Fatalf("closed port: %v", err)
	}

	hang := TCPPinger{Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	if _, err := hang.Ping(ctx, "127.0.0.1:1", 10*time.Millisecond); err == nil || !strings.HasPrefix(err.Error(), "tcp check timeout: ") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hanging dial: %v", err)
	}
}

// TestPingOverLoopback runs mailservers_ping with the node's pinger
// against a loopback listener and a closed loopback port.
func TestPingOverLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	var dialled []string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if h, _, _ := net.SplitHostPort(addr); h != "127.0.0.1" {
			t.Errorf("dial of %s", addr)
			return nil, errors.New("not loopback")
		}
		dialled = append(dialled, addr) // serialPinger: one dial at a time
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	api := New(store.New(storage.NewMemory()), serialPinger{TCPPinger{Dial: dial}}).API()
	up, down := "enode://"+testKey+"@"+ln.Addr().String(), "enode://"+testKey+"@"+closedAddr
	res, err := api.Ping(context.Background(), PingQuery{Addresses: []string{up, down}, TimeoutMs: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Address != up || res[0].Error != nil || res[1].Address != down || res[1].Error == nil || res[1].RTTMs != nil {
		t.Fatalf("results %+v %+v", res[0], res[1])
	}
	if len(dialled) != 2 {
		t.Fatalf("dialled %v", dialled)
	}
}

// serialPinger runs one ping at a time, so the test's dial hook needs no
// lock.
type serialPinger struct{ p Pinger }

var serial = make(chan struct{}, 1)

func (s serialPinger) Ping(ctx context.Context, addr string, timeout time.Duration) (time.Duration, error) {
	serial <- struct{}{}
	defer func() { <-serial }()
	return s.p.Ping(ctx, addr, timeout)
}

func TestPingBounds(t *testing.T) {
	fp := &fakePinger{t: t, outcomes: fakeOutcomes}
	api := New(store.New(storage.NewMemory()), fp).API()
	addrs := make([]string, MaxPingAddresses+1)
	for i := range addrs {
		addrs[i] = "enode://" + testKey + "@127.0.0.1:30504"
	}
	if _, err := api.Ping(context.Background(), PingQuery{Addresses: addrs, TimeoutMs: 500}); err == nil ||
		err.Error() != "invalid params: addresses: 101 addresses, at most 100" {
		t.Fatalf("101 addresses: %v", err)
	}
	res, err := api.Ping(context.Background(), PingQuery{Addresses: addrs[1:], TimeoutMs: 500})
	if err != nil || len(res) != 1 || *res[0].RTTMs != 12 || len(fp.pinged) != 1 {
		t.Fatalf("100 copies of one address: %v %v, pinged %v", res, err, fp.pinged)
	}
}
