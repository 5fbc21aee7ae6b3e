package timesource

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"
)

// SNTP constants (RFC 4330 §4, §5).
const (
	packetSize  = 48
	defaultPort = "123"

	modeClient = 3
	modeServer = 4
	version    = 4
	liAlarm    = 3 // leap indicator: clock not synchronised

	maxStratum = 15
	// maxRootDistance is the largest root distance (half the round trip
	// plus the server's root delay/2 and dispersion) an answer may have.
	maxRootDistance = 16 * time.Second

	// ntpEraSeconds is the number of seconds from 1900-01-01 (the NTP
	// epoch) to 1970-01-01.
	ntpEraSeconds = 2208988800
)

// Sentinel errors.
var (
	ErrBadResponse = errors.New("timesource: bad SNTP response")
	ErrNoServers   = errors.New("timesource: too many servers failed")
)

// Response is one server's answer.
type Response struct {
	Offset time.Duration // add to the local clock to get the server's
	RTT    time.Duration // round trip, less the server's processing time
}

// Query sends one SNTP request to server (host or host:port; port 123 when
// absent) and reads the answer until ctx ends. now is the local clock the
// offset is measured against. The request carries a random transmit
// timestamp rather than the local time, and the answer must echo it.
func Query(ctx context.Context, server string, now func() time.Time) (Response, error) {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, defaultPort)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return Response{}, fmt.Errorf("timesource: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return Response{}, fmt.Errorf("timesource: %w", err)
	}
	req := make([]byte, packetSize)
	req[0] = version<<3 | modeClient
	copy(req[40:48], nonce[:])
	t1 := now()
	if _, err := conn.Write(req); err != nil {
		return Response{}, fmt.Errorf("timesource: query %s: %w", server, err)
	}
	buf := make([]byte, 2*packetSize)
	n, err := conn.Read(buf)
	t4 := now()
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return Response{}, fmt.Errorf("timesource: query %s: %w", server, err)
	}
	p, err := parsePacket(buf[:n])
	if err != nil {
		return Response{}, fmt.Errorf("%s: %w", server, err)
	}
	if p.origin != binary.BigEndian.Uint64(nonce[:]) {
		return Response{}, fmt.Errorf("%w from %s: origin timestamp does not echo the request", ErrBadResponse, server)
	}
	return p.response(t1, t4)
}

// packet is the part of a server's SNTP answer that a client uses.
type packet struct {
	leap, version, mode, stratum uint8
	rootDelay, rootDispersion    time.Duration
	origin, receive, transmit    uint64 // NTP timestamps
}

// parsePacket decodes and checks a server's answer. It never panics.
func parsePacket(b []byte) (packet, error) {
	if len(b) < packetSize {
		return packet{}, fmt.Errorf("%w: %d bytes", ErrBadResponse, len(b))
	}
	p := packet{
		leap: b[0] >> 6, version: (b[0] >> 3) & 7, mode: b[0] & 7, stratum: b[1],
		rootDelay:      shortDuration(binary.BigEndian.Uint32(b[4:8])),
		rootDispersion: shortDuration(binary.BigEndian.Uint32(b[8:12])),
		origin:         binary.BigEndian.Uint64(b[24:32]),
		receive:        binary.BigEndian.Uint64(b[32:40]),
		transmit:       binary.BigEndian.Uint64(b[40:48]),
	}
	switch {
	case p.mode != modeServer:
		return p, fmt.Errorf("%w: mode %d", ErrBadResponse, p.mode)
	case p.version < 1 || p.version > 4:
		return p, fmt.Errorf("%w: version %d", ErrBadResponse, p.version)
	case p.stratum == 0:
		return p, fmt.Errorf("%w: kiss-o'-death %q", ErrBadResponse, b[12:16])
	case p.stratum > maxStratum:
		return p, fmt.Errorf("%w: stratum %d", ErrBadResponse, p.stratum)
	case p.leap == liAlarm:
		return p, fmt.Errorf("%w: server clock not synchronised", ErrBadResponse)
	case p.transmit == 0 || p.receive == 0:
		return p, fmt.Errorf("%w: zero timestamp", ErrBadResponse)
	}
	return p, nil
}

// response computes the offset and round trip from the client's send time
// t1 and receive time t4 (RFC 4330 §5).
func (p packet) response(t1, t4 time.Time) (Response, error) {
	t2, t3 := fromNTP(p.receive), fromNTP(p.transmit)
	offset := (t2.Sub(t1) + t3.Sub(t4)) / 2
	rtt := max(t4.Sub(t1)-t3.Sub(t2), 0)
	if dist := rtt/2 + p.rootDelay/2 + p.rootDispersion; dist > maxRootDistance {
		return Response{}, fmt.Errorf("%w: root distance %v", ErrBadResponse, dist)
	}
	return Response{Offset: offset, RTT: rtt}, nil
}

// shortDuration decodes an NTP short format (16.16 fixed-point seconds).
func shortDuration(v uint32) time.Duration {
	return time.Duration(uint64(v) * uint64(time.Second) >> 16)
}

// fromNTP decodes an NTP timestamp (32.32 fixed-point seconds since 1900).
// Seconds with the top bit clear are taken to be in era 1, from 2036 on
// (RFC 4330 §3).
func fromNTP(v uint64) time.Time {
	secs := int64(v >> 32)
	if secs&(1<<31) == 0 {
		secs += 1 << 32
	}
	nanos := int64((v & 0xffffffff) * uint64(time.Second) >> 32)
	return time.Unix(secs-ntpEraSeconds, nanos)
}

// ToNTP encodes t as an NTP timestamp; times before 1968 or after 2104 do
// not fit and wrap.
func ToNTP(t time.Time) uint64 {
	secs := uint64(t.Unix()+ntpEraSeconds) & 0xffffffff
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}
