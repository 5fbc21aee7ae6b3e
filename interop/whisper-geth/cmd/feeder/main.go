// Command feeder is BenchmarkIngest's out-of-process envelope source: a
// go-ethereum v1.9.20 devp2p node that speaks just enough shh/6 (Status
// with PoW 0 and a full bloom, then Messages packets) to feed pre-encoded
// Messages packets to one peer, so that the feeding does not compete with
// the benchmark's own goroutines inside the test process.
//
// -packets names a file of packets, each a 4-byte big-endian length and a
// Messages packet body (the RLP list of envelopes) exactly as sent; -dial
// is the enode URL of the peer to feed. Once listening it prints one JSON
// line {"enode"} on stdout, and "ready" once the shh/6 handshake with the
// peer is done. From then on each line on standard input is a number n:
// send the packets up to the n-th (packets are sent in file order, each
// once). It exits on standard input's EOF or a write error.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
)

const (
	statusCode   = 0
	messagesCode = 1
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "feeder:", err)
		os.Exit(1)
	}
}

func readPackets(path string) ([][]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for len(raw) > 0 {
		if len(raw) < 4 {
			return nil, fmt.Errorf("%s: truncated length", path)
		}
		n := binary.BigEndian.Uint32(raw)
		raw = raw[4:]
		if uint64(n) > uint64(len(raw)) {
			return nil, fmt.Errorf("%s: truncated packet", path)
		}
		out = append(out, raw[:n:n])
		raw = raw[n:]
	}
	return out, nil
}

func run() error {
	var packetsPath, dial string
	for i := 1; i+1 < len(os.Args); i += 2 {
		switch os.Args[i] {
		case "-packets":
			packetsPath = os.Args[i+1]
		case "-dial":
			dial = os.Args[i+1]
		default:
			return fmt.Errorf("unknown flag %s", os.Args[i])
		}
	}
	if packetsPath == "" || dial == "" {
		return fmt.Errorf("usage: feeder -packets FILE -dial ENODE")
	}
	packets, err := readPackets(packetsPath)
	if err != nil {
		return err
	}
	target, err := enode.ParseV4(dial)
	if err != nil {
		return err
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	rwc := make(chan p2p.MsgReadWriter, 1)
	errc := make(chan error, 1)
	proto := p2p.Protocol{Name: "shh", Version: 6, Length: 128, Run: func(peer *p2p.Peer, rw p2p.MsgReadWriter) error {
		if peer.ID() != target.ID() {
			return fmt.Errorf("unexpected peer")
		}
		bloom := bytes.Repeat([]byte{0xff}, 64)
		sent := make(chan error, 1)
		go func() { sent <- p2p.SendItems(rw, statusCode, uint64(6), math.Float64bits(0), bloom, false) }()
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		msg.Discard()
		if msg.Code != statusCode {
			return fmt.Errorf("first packet has code %d", msg.Code)
		}
		if err := <-sent; err != nil {
			return err
		}
		rwc <- rw
		for { // drain: the peer has nothing to forward to its only peer
			msg, err := rw.ReadMsg()
			if err != nil {
				errc <- err
				return err
			}
			msg.Discard()
		}
	}}
	srv := &p2p.Server{Config: p2p.Config{PrivateKey: key, Name: "feeder", MaxPeers: 1, NoDiscovery: true,
		ListenAddr: "127.0.0.1:0", Protocols: []p2p.Protocol{proto}}}
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Stop()
	line, _ := json.Marshal(map[string]string{"enode": srv.Self().URLv4()})
	fmt.Println(string(line))
	srv.AddPeer(target)
	var rw p2p.MsgReadWriter
	select {
	case rw = <-rwc:
	case err := <-errc:
		return err
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	next := 0
	for in.Scan() {
		n, err := strconv.Atoi(strings.TrimSpace(in.Text()))
		if err != nil {
			return err
		}
		for ; next < min(n, len(packets)); next++ {
			body := packets[next]
			if err := rw.WriteMsg(p2p.Msg{Code: messagesCode, Size: uint32(len(body)), Payload: bytes.NewReader(body)}); err != nil {
				return err
			}
		}
	}
	if err := in.Err(); err != nil && err != io.EOF {
		return err
	}
	return nil
}
