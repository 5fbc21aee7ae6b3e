package datasync

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// TestExchange: two drivers over the in-memory network send each other
// messages; each arrives once, and both nodes end with nothing outstanding.
func TestExchange(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	b := newPeer(t, net, testPeerID(2), "")
	g := connect(t, a, b)
	want := map[*peer][]mvds.MessageID{}
	for i := 0; i < 5; i++ {
		for _, x := range [][2]*peer{{a, b}, {b, a}} {
			id, err := x[0].d.Append(ctxT(t), g, []byte(fmt.Sprintf("from %s #%d", x[0].id, i)))
			if err != nil {
				t.Fatal(err)
			}
			want[x[1]] = append(want[x[1]], id)
		}
	}
	rounds := runUntil(t, 20, "delivered and acknowledged", func() bool {
		return a.app.len() == 5 && b.app.len() == 5 && outstanding(t, a) == 0 && outstanding(t, b) == 0
	}, a, b)
	for _, p := range []*peer{a, b} {
		for i, id := range want[p] {
			if p.app.count[id] != 1 {
				t.Fatalf("message %d delivered %d times", i, p.app.count[id])
			}
		}
	}
	t.Logf("settled in %d rounds; a sent %+v", rounds, a.d.Stats())
}

// TestOnePayloadPerPeerPerTick: messages and ACKs for one peer leave in one
// payload per tick.
func TestOnePayloadPerPeerPerTick(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	b := newPeer(t, net, testPeerID(2), "")
	g := connect(t, a, b)
	if _, err := b.d.Append(ctxT(t), g, []byte("to a")); err != nil {
		t.Fatal(err)
	}
	round(t, a, b) // b sends its message; a stores it and queues the ACK
	for i := 0; i < 3; i++ {
		if _, err := a.d.Append(ctxT(t), g, []byte(fmt.Sprint("to b ", i))); err != nil {
			t.Fatal(err)
		}
	}
	net.mu.Lock()
	before := len(net.sent)
	net.mu.Unlock()
	round(t, a, b)
	net.mu.Lock()
	defer net.mu.Unlock()
	var fromA []packet
	for _, p := range net.sent[before:] {
		if p.from == a.id {
			fromA = append(fromA, p)
		}
	}
	if len(fromA) != 1 {
		t.Fatalf("a sent %d payloads in one tick, want 1", len(fromA))
	}
	pl, err := mvds.DecodePayload(fromA[0].data, mvds.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Acks) != 1 || len(pl.Messages) != 3 {
		t.Fatalf("payload has %d acks and %d messages, want 1 and 3", len(pl.Acks), len(pl.Messages))
	}
}

func TestReceiveErrors(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	// A Transit payload starts with '[': not protobuf, so not MVDS (§0).
	transit := []byte(`["~#c4",["hello","text/plain","~:public-group-user-message",1,2]]`)
	if err := a.d.Receive(testPeerID(2), transit); !errors.Is(err, mvds.ErrNotPayload) {
		t.Fatalf("Transit bytes: %v, want ErrNotPayload", err)
	}
	// Valid protobuf with none of the MVDS fields (a ProtocolMessage-like field 1).
	if err := a.d.Receive(testPeerID(2), []byte{0x0a, 0x01, 0x00}); !errors.Is(err, mvds.ErrNotPayload) {
		t.Fatalf("foreign protobuf: %v, want ErrNotPayload", err)
	}
	ack, err := mvds.Payload{Acks: []mvds.MessageID{{1}}}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.d.Receive(a.id, ack); !errors.Is(err, mvds.ErrSelf) {
		t.Fatalf("from self: %v, want ErrSelf", err)
	}
	if err := a.d.Receive(mvds.PeerID{0x02}, ack); !errors.Is(err, mvds.ErrInvalidKey) {
		t.Fatalf("bad sender: %v, want ErrInvalidKey", err)
	}
	if err := a.d.Receive(testPeerID(2), ack); err != nil {
		t.Fatal(err)
	}
	if err := a.d.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := a.d.Receive(testPeerID(2), ack); !errors.Is(err, ErrStopped) {
		t.Fatalf("after Stop: %v, want ErrStopped", err)
	}
	if _, err := a.d.Append(ctxT(t), mvds.GroupID{}, nil); !errors.Is(err, ErrStopped) {
		t.Fatalf("Append after Stop: %v, want ErrStopped", err)
	}
}

func TestInboxFull(t *testing.T) {
	cfg := DefaultConfig(testPeerID(1))
	cfg.InboxSize = 2
	d, err := New(cfg, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ack, _ := mvds.Payload{Acks: []mvds.MessageID{{1}}}.Marshal()
	for i := 0; i < 2; i++ {
		if err := d.Receive(testPeerID(2), ack); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Receive(testPeerID(2), ack); !errors.Is(err, ErrInboxFull) {
		t.Fatalf("third payload: %v, want ErrInboxFull", err)
	}
	if s := d.Stats(); s.Dropped != 1 || s.PayloadsReceived != 2 {
		t.Fatalf("stats %+v", s)
	}
	if err := d.Sync(ctxT(t)); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("Sync before Start: %v", err)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidate(t *testing.T) {
	cfg := DefaultConfig(testPeerID(1))
	cfg.TickInterval = 0
	if _, err := New(cfg, nil, nil, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("zero tick: %v", err)
	}
	cfg = DefaultConfig(mvds.PeerID{})
	if _, err := New(cfg, nil, nil, nil); !errors.Is(err, ErrInvalidConfig) || !errors.Is(err, mvds.ErrInvalidConfig) {
		t.Fatalf("bad node config: %v", err)
	}
}

// TestDeliveredBodies: the application gets the bytes that were appended.
func TestDeliveredBodies(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	b := newPeer(t, net, testPeerID(2), "")
	g := connect(t, a, b)
	body := bytes.Repeat([]byte{0xab}, 5000)
	if _, err := a.d.Append(ctxT(t), g, body); err != nil {
		t.Fatal(err)
	}
	runUntil(t, 10, "delivered", func() bool { return b.app.len() == 1 }, a, b)
	if m := b.app.order[0]; !bytes.Equal(m.Body, body) || m.GroupID != g || m.Timestamp != t0.Unix() {
		t.Fatalf("delivered %x… group %s ts %d", m.Body[:4], m.GroupID, m.Timestamp)
	}
}

// TestResendAfterAck: Recent lists what a sent in the group; Resend sends
// it to b again (persisted: b's ACK clears it again) without b delivering
// it twice.
func TestResendAfterAck(t *testing.T) {
	net := newMemNet()
	a := newPeer(t, net, testPeerID(1), "")
	b := newPeer(t, net, testPeerID(2), "")
	g := connect(t, a, b)
	for i := 0; i < 3; i++ {
		if _, err := a.d.Append(ctxT(t), g, []byte(fmt.Sprint("to b ", i))); err != nil {
			t.Fatal(err)
		}
	}
	runUntil(t, 20, "delivered and acknowledged", func() bool {
		return b.app.len() == 3 && outstanding(t, a) == 0
	}, a, b)
	recent, err := a.d.Recent(ctxT(t), g, time.Hour, 2)
	if err != nil || len(recent) != 2 {
		t.Fatalf("Recent: %d messages, %v", len(recent), err)
	}
	ids := []mvds.MessageID{recent[0].ID(), recent[1].ID()}
	if n, err := a.d.Resend(ctxT(t), b.id, ids); err != nil || n != 2 || outstanding(t, a) != 2 {
		t.Fatalf("Resend: %d scheduled, %v", n, err)
	}
	runUntil(t, 20, "acknowledged again", func() bool { return outstanding(t, a) == 0 }, a, b)
	for _, id := range ids {
		if b.app.count[id] != 1 {
			t.Fatalf("message delivered %d times", b.app.count[id])
		}
	}
}
