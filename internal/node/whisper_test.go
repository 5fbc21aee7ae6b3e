package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/internal/identity"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

func dialWS(t *testing.T, n *Node) *rpc.Client {
	t.Helper()
	tok, _, err := identity.LoadOrCreateToken(n.TokenPath())
	if err != nil {
		t.Fatal(err)
	}
	c, err := rpc.DialOptions(context.Background(), n.RPC().WSURL(), rpc.WithHeader("Authorization", "Bearer "+tok))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func call(t *testing.T, c *rpc.Client, result any, method string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.CallContext(ctx, result, method, args...); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// joinLine peers a–b and b–c with admin_addPeer and waits for the Whisper
// handshakes.
func joinLine(t *testing.T, a, b, c *Node) {
	t.Helper()
	var ok bool
	call(t, dialHTTP(t, a), &ok, "admin_addPeer", b.P2P().Self().URLv4())
	call(t, dialHTTP(t, b), &ok, "admin_addPeer", c.P2P().Self().URLv4())
	testutil.WaitFor(t, 10*time.Second, "whisper peers a-b-c", func() bool {
		return a.Whisper().PeerCount() == 1 && b.Whisper().PeerCount() == 2 && c.Whisper().PeerCount() == 1
	})
}

// postAndReceive posts payload at a over HTTP and waits for it on sub.
func postAndReceive(t *testing.T, a *Node, symKeyA string, ch chan *shh.Message, payload string) {
	t.Helper()
	var hash hexutil.Bytes
	call(t, dialHTTP(t, a), &hash, "shh_post", map[string]any{
		"symKeyID": symKeyA, "topic": "0xcd423760", "payload": hexutil.Encode([]byte(payload)),
		"ttl": 50, "powTarget": 0.002, "powTime": 5,
	})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-ch:
			if string(m.Payload) == payload {
				if !bytes.Equal(m.Hash, hash) || m.Topic != wproto.TopicFromName("status") {
					t.Fatalf("message %+v, posted %x", m, hash)
				}
				return
			}
		case <-deadline:
			t.Fatalf("%q did not reach the subscription", payload)
		}
	}
}

// TestWhisperLine: three nodes A–B–C on loopback; a message posted at A
// over HTTP reaches a shh_subscribe over WebSocket at C.
func TestWhisperLine(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) }) // runs after the nodes stop
	a, b, c := startNode(t, testConfig(t)), startNode(t, testConfig(t)), startNode(t, testConfig(t))
	joinLine(t, a, b, c)
	ca, cc := dialHTTP(t, a), dialWS(t, c)
	var keyA, keyC string
	call(t, ca, &keyA, "shh_generateSymKeyFromPassword", "status")
	call(t, cc, &keyC, "shh_generateSymKeyFromPassword", "status")
	ch := make(chan *shh.Message, 16)
	sub, err := cc.Subscribe(context.Background(), "shh", ch, "messages", map[string]any{"symKeyID": keyC, "topics": []string{"0xcd423760"}})
	if err != nil {
		t.Fatal(err)
	}
	postAndReceive(t, a, keyA, ch, "hello from A")
	sub.Unsubscribe()
	for _, n := range []*Node{a, b, c} {
		if err := n.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// hostile runs a raw devp2p peer that speaks shh/6, completes the handshake,
// then runs script. It reports whether the victim disconnected it within
// wait.
func hostile(t *testing.T, victim *Node, wait time.Duration, script func(rw p2p.MsgReadWriter) error) bool {
	t.Helper()
	key, _ := crypto.GenerateKey()
	disconnected := make(chan struct{})
	proto := p2p.Protocol{Name: "shh", Version: 6, Length: 128, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		defer close(disconnected)
		st := wproto.EncodeStatus(&wproto.Status{Version: 6, Bloom: wproto.FullBloom()})
		sent := make(chan error, 1)
		go func() { sent <- sendRaw(rw, 0, st) }()
		if msg, err := rw.ReadMsg(); err != nil || msg.Code != 0 {
			return fmt.Errorf("no status: %v", err)
		}
		// The script must not overtake our status packet, or the victim
		// drops us for a bad handshake instead of for what the case tests.
		if err := <-sent; err != nil {
			return err
		}
		go script(rw)
		for { // drain until the victim hangs up
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
	srv := &p2p.Server{Config: p2p.Config{PrivateKey: key, MaxPeers: 1, NoDiscovery: true, Name: "hostile", Protocols: []p2p.Protocol{proto}}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	srv.AddPeer(victim.P2P().Self())
	select {
	case <-disconnected:
		return true
	case <-time.After(wait):
		return false
	}
}

func sendRaw(rw p2p.MsgWriter, code uint64, body []byte) error {
	return rw.WriteMsg(p2p.Msg{Code: code, Size: uint32(len(body)), Payload: bytes.NewReader(body)})
}

func sealedEnvelope(t *testing.T, topic wproto.Topic, payload []byte, now time.Time, ttl uint32, target float64) *wproto.Envelope {
	key, _ := wproto.GenerateSymKey(rand.Reader)
	e, err := wproto.Wrap(&wproto.MessageParams{TTL: ttl, KeySym: &key, Topic: topic, Payload: payload}, now, rand.Reader)
	if err != nil {
		t.Error(err)
		return &wproto.Envelope{}
	}
	if target > 0 {
		whisper.Seal(context.Background(), e, target, 10*time.Second)
	}
	return e
}

// TestWhisperHostilePeer: a raw peer connected to B sends bad RLP, an
// oversized packet, a low-PoW envelope, a far-future envelope, a flood of
// valid envelopes and a flood of repeats; B disconnects it (§5.8) or, for
// the valid flood, slows it, and A–C traffic through B keeps flowing.
func TestWhisperHostilePeer(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) }) // runs after the nodes stop
	cb := testConfig(t)
	cb.Whisper.RateEnvelopes = 100
	a, b, c := startNode(t, testConfig(t)), startNode(t, cb), startNode(t, testConfig(t))
	joinLine(t, a, b, c)
	ca, cc := dialHTTP(t, a), dialWS(t, c)
	var keyA, keyC string
	call(t, ca, &keyA, "shh_generateSymKeyFromPassword", "status")
	call(t, cc, &keyC, "shh_generateSymKeyFromPassword", "status")
	ch := make(chan *shh.Message, 256)
	sub, err := cc.Subscribe(context.Background(), "shh", ch, "messages", map[string]any{"symKeyID": keyC, "topics": []string{"0xcd423760"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	topic := wproto.TopicFromName("hostile")
	now := time.Now()
	cases := []struct {
		name   string
		script func(rw p2p.MsgReadWriter) error
		drop   bool
	}{
		{"bad rlp", func(rw p2p.MsgReadWriter) error { return sendRaw(rw, 1, []byte{0xf9, 0xff, 0x00}) }, true},
		{"oversized packet", func(rw p2p.MsgReadWriter) error { return sendRaw(rw, 1, make([]byte, 2<<20)) }, true},
		{"low pow", func(rw p2p.MsgReadWriter) error {
			e := sealedEnvelope(t, topic, make([]byte, 2000), now, 1000, 0)
			return sendRaw(rw, 1, wproto.EncodeEnvelopes([]*wproto.Envelope{e}))
		}, true},
		{"far future", func(rw p2p.MsgReadWriter) error {
			e := sealedEnvelope(t, topic, []byte("future"), now.Add(time.Hour), 50, 0.002)
			return sendRaw(rw, 1, wproto.EncodeEnvelopes([]*wproto.Envelope{e}))
		}, false},
		// A flood of valid envelopes past the burst (4 000 at 100/s) is
		// slowed, not dropped nor disconnected; A–C traffic keeps flowing.
		{"flood", func(rw p2p.MsgReadWriter) error {
			for i := 0; i < 60; i++ {
				var batch []*wproto.Envelope
				for j := 0; j < 100; j++ {
					batch = append(batch, sealedEnvelope(t, topic, []byte{byte(i), byte(j)}, now, 50, 0.002))
				}
				if err := sendRaw(rw, 1, wproto.EncodeEnvelopes(batch)); err != nil {
					return err
				}
			}
			return nil
		}, false},
		// Sending the same envelopes again and again is what no honest
		// peer does: disconnected.
		{"repeat flood", func(rw p2p.MsgReadWriter) error {
			var batch []*wproto.Envelope
			for j := 0; j < 100; j++ {
				batch = append(batch, sealedEnvelope(t, topic, []byte{byte(j)}, now, 50, 0.002))
			}
			packet := wproto.EncodeEnvelopes(batch)
			for i := 0; i < 50; i++ {
				if err := sendRaw(rw, 1, packet); err != nil {
					return err
				}
			}
			return nil
		}, true},
	}
	for i, tc := range cases {
		wait := 10 * time.Second
		if !tc.drop {
			wait = 500 * time.Millisecond
		}
		if got := hostile(t, b, wait, tc.script); got != tc.drop {
			t.Errorf("%s: disconnected %v, want %v", tc.name, got, tc.drop)
		}
		postAndReceive(t, a, keyA, ch, fmt.Sprintf("still flowing %d", i))
	}
	var text strings.Builder
	b.Metrics().WriteText(&text)
	for _, want := range []string{
		`whisper_envelopes_dropped_total{reason="future"} 1`,
		`whisper_envelopes_dropped_total{reason="low_pow"} 1`,
		`whisper_peer_disconnects_total{reason="abusive"} 1`,
		`whisper_peer_disconnects_total{reason="packet_too_large"} 1`,
		`whisper_peer_throttled_seconds_total `,
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
