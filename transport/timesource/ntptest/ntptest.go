// Package ntptest runs an SNTP responder on the loopback interface for
// tests, with a clock of the test's choosing.
package ntptest

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/statusnode/statusd/transport/timesource"
)

// Server answers SNTP requests on 127.0.0.1 with its clock's time, as a
// stratum-1 server would. Close stops it and waits for its goroutine.
type Server struct {
	conn   *net.UDPConn
	clock  func() time.Time
	mangle func(answer []byte)

	wg sync.WaitGroup
}

// NewServer starts a responder whose time is clock(). mangle, if not nil,
// may alter each answer before it is sent, to play a faulty server.
func NewServer(clock func() time.Time, mangle func(answer []byte)) (*Server, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	s := &Server{conn: conn, clock: clock, mangle: mangle}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is the responder's host:port.
func (s *Server) Addr() string { return s.conn.LocalAddr().String() }

// Close stops the responder.
func (s *Server) Close() error {
	err := s.conn.Close()
	s.wg.Wait()
	return err
}

func (s *Server) serve() {
	defer s.wg.Done()
	buf := make([]byte, 512)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil || n < 48 {
			continue
		}
		received := timesource.ToNTP(s.clock())
		answer := make([]byte, 48)
		answer[0] = 4<<3 | 4 // version 4, mode server, no leap warning
		answer[1] = 1        // stratum 1
		answer[2] = buf[2]   // poll
		answer[3] = 0xec     // precision ~2^-20 s
		copy(answer[12:16], "TEST")
		copy(answer[24:32], buf[40:48]) // origin: the request's transmit timestamp
		binary.BigEndian.PutUint64(answer[16:24], received)
		binary.BigEndian.PutUint64(answer[32:40], received)
		binary.BigEndian.PutUint64(answer[40:48], timesource.ToNTP(s.clock()))
		if s.mangle != nil {
			s.mangle(answer)
		}
		s.conn.WriteToUDP(answer, from)
	}
}
