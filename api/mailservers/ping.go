package mailservers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
)

// Bounds of a ping query.
const (
	MaxPingAddresses = 100
	MaxPingTimeout   = time.Minute
)

// Ping is mailservers_ping(query): open a TCP connection to each enode
// URL's IPv4 address and port, all at once, each within timeoutMs, and
// report how long each took. An address whose URL cannot be used gets its
// error without a check; URLs with the same ip:port are checked once and
// reported once, under the last such URL, at the place of the first.
// Results follow the order of the addresses; [] when there is none.
// Host names are not resolved.
//
// Example: Check a mailserver listening on this machine
//
//	params: [{"addresses":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504"],"timeoutMs":500}]
//	result: [{"address":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504","rttMs":null,"error":"unable to connect: dial tcp 127.0.0.1:30504: connect: connection refused"}]
func (a *API) Ping(ctx context.Context, q PingQuery) ([]*PingResult, error) {
	timeout := time.Duration(q.TimeoutMs) * time.Millisecond
	if timeout <= 0 || timeout > MaxPingTimeout {
		return nil, rpcError(invalid("timeoutMs", fmt.Errorf("%d is not between 1 and %d", q.TimeoutMs, MaxPingTimeout.Milliseconds())))
	}
	if len(q.Addresses) > MaxPingAddresses {
		return nil, rpcError(invalid("addresses", fmt.Errorf("%d addresses, at most %d", len(q.Addresses), MaxPingAddresses)))
	}
	results := make([]*PingResult, 0, len(q.Addresses))
	byKey := map[string]*PingResult{}
	var toPing []string
	for _, url := range q.Addresses {
		addr, err := tcpAddr(url)
		key := addr
		if err != nil {
			key = url // unique, and never an ip:port
		}
		r := byKey[key]
		if r == nil {
			r = &PingResult{}
			byKey[key] = r
			results = append(results, r)
			if err == nil {
				toPing = append(toPing, addr)
			}
		}
		r.Address = url
		if err != nil {
			r.Error = ptr(err.Error())
		}
	}
	var wg sync.WaitGroup
	for _, addr := range toPing {
		r := byKey[addr]
		wg.Go(func() {
			rtt, err := a.s.ping.Ping(ctx, addr, timeout)
			if err != nil {
				r.Error = ptr(err.Error())
				return
			}
			if ms := int(rtt / time.Millisecond); ms > 0 {
				r.RTTMs = &ms
			}
		})
	}
	wg.Wait()
	return results, nil
}

// tcpAddr is the "ip:port" of an enode URL with an IPv4 address.
func tcpAddr(url string) (string, error) {
	n, err := enode.ParseV4(url)
	if err != nil {
		return "", err
	}
	var ip enr.IPv4
	if err := n.Load(&ip); err != nil {
		return "", fmt.Errorf("no IPv4 address: %w", err)
	}
	var port enr.TCP
	if err := n.Load(&port); err != nil {
		return "", fmt.Errorf("no TCP port: %w", err)
	}
	return net.JoinHostPort(net.IP(ip).String(), strconv.Itoa(int(port))), nil
}

func ptr[T any](v T) *T { return &v }

// TCPPinger is the Pinger of the node: a full TCP connect (closed at
// once), timed with Now.
type TCPPinger struct {
	// Dial opens the connection; nil uses a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// Ping implements Pinger. Its errors read as status-go's: "tcp check
// timeout: …" when timeout passed, "unable to connect: …" otherwise.
func (p TCPPinger) Ping(ctx context.Context, addr string, timeout time.Duration) (time.Duration, error) {
	dial, now := p.Dial, p.Now
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := now()
	c, err := dial(ctx, "tcp", addr)
	rtt := now().Sub(start)
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return 0, fmt.Errorf("tcp check timeout: %w", err)
		}
		return 0, fmt.Errorf("unable to connect: %w", err)
	}
	c.Close()
	return rtt, nil
}
