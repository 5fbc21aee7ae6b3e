package whisper

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
)

// TestOwnedPayloadsStayIntact: over real loopback devp2p, the payload of
// every message p2p hands Protocol().Run is a *bytes.Reader over a buffer
// of its own, which readBody keeps without copying, and which reading the
// following messages leaves as it was. This is what ownedPayloads relies
// on; a go-ethereum that reused its read buffer would fail here.
func TestOwnedPayloadsStayIntact(t *testing.T) {
	const packets = 64
	want := make([][]byte, packets)
	for i := range want {
		want[i] = bytes.Repeat([]byte(fmt.Sprint(i, ",")), 100+i*37)
	}
	got := make(chan [][]byte, 1)
	errc := make(chan error, 1)
	recv := p2p.Protocol{Name: "owned", Version: 1, Length: 2, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		rw = ownedPayloads{rw}
		var bodies [][]byte
		for range packets {
			msg, err := rw.ReadMsg()
			if err != nil {
				errc <- err
				return err
			}
			if _, ok := msg.Payload.(*bytes.Reader); !ok {
				errc <- fmt.Errorf("payload is a %T, not a *bytes.Reader", msg.Payload)
				return nil
			}
			body, err := readBody(msg, true)
			if err != nil {
				errc <- err
				return err
			}
			if err := msg.Discard(); err != nil {
				errc <- err
				return err
			}
			bodies = append(bodies, body)
		}
		got <- bodies
		return nil
	}}
	send := p2p.Protocol{Name: "owned", Version: 1, Length: 2, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		for _, b := range want {
			if err := rw.WriteMsg(p2p.Msg{Code: 1, Size: uint32(len(b)), Payload: bytes.NewReader(b)}); err != nil {
				return err
			}
		}
		_, err := rw.ReadMsg() // until the connection goes
		return err
	}}
	var srvs [2]*p2p.Server
	for i, proto := range []p2p.Protocol{recv, send} {
		k, _ := crypto.GenerateKey()
		srvs[i] = &p2p.Server{Config: p2p.Config{PrivateKey: k, MaxPeers: 2, NoDiscovery: true, ListenAddr: "127.0.0.1:0",
			Name: "owned", Protocols: []p2p.Protocol{proto}}}
		if err := srvs[i].Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srvs[i].Stop)
	}
	srvs[1].AddPeer(srvs[0].Self())
	select {
	case err := <-errc:
		t.Fatal(err)
	case bodies := <-got:
		for i, b := range bodies {
			if !bytes.Equal(b, want[i]) {
				t.Fatalf("body %d changed after the messages that followed it", i)
			}
		}
	case <-time.After(20 * time.Second):
		t.Fatal("timed out")
	}
}

// TestReadBodyCopies: a payload that is not known to be the message's own
// (a pipe's, or any reader) is copied, so its buffer may be reused.
func TestReadBodyCopies(t *testing.T) {
	for _, owned := range []bool{false, true} {
		buf := []byte("packet body")
		msg := p2p.Msg{Code: 1, Size: uint32(len(buf)), Payload: bytes.NewReader(buf)}
		if owned {
			// Owned, but the size does not match the reader: copied.
			msg.Size--
		}
		body, err := readBody(msg, owned)
		if err != nil {
			t.Fatal(err)
		}
		buf[0] = 'X'
		if body[0] != 'p' {
			t.Fatalf("owned=%v: body aliases the reader's buffer", owned)
		}
	}
	buf := []byte("packet body")
	body, err := readBody(p2p.Msg{Code: 1, Size: uint32(len(buf)), Payload: bytes.NewReader(buf)}, true)
	if err != nil || !bytes.Equal(body, buf) {
		t.Fatalf("owned: %q, %v", body, err)
	}
	if &body[0] != &buf[0] {
		t.Fatal("owned payload was copied")
	}
}
