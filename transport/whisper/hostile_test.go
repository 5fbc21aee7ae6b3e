package whisper

import (
	"errors"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

func handshaken(t *testing.T, w *testNode) *rawPeer {
	t.Helper()
	before := w.PeerCount()
	r := connectRaw(t, w.Whisper, goodStatus(), false)
	testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return w.PeerCount() == before+1 })
	return r
}

// TestHostilePacketsDisconnect: each kind of bad input that §5.1/§5.8 say
// must cost the peer its connection does so, and is counted.
func TestHostilePacketsDisconnect(t *testing.T) {
	w := newTestWhisper(t, func(c *Config) { c.MinPoW = 0.5; c.MaxMessageSize = 4096 })
	key, topic := testKey(t), wproto.TopicFromName("x")
	lowPoW := sealed(t, key, topic, []byte("cheap"), time.Now(), 0) // PoW far below 0.5
	big := &wproto.Envelope{Expiry: uint32(time.Now().Unix()) + 50, TTL: 50, Topic: topic, Data: make([]byte, 4100)}
	cases := []struct {
		name string
		code wproto.PacketCode
		body []byte
		want error
	}{
		{"bad rlp", wproto.MessagesCode, []byte{0xf9, 0xff}, wproto.ErrEnvelopeMalformed},
		{"not a list", wproto.MessagesCode, []byte{0x85, 1, 2, 3, 4, 5}, wproto.ErrEnvelopeMalformed},
		{"oversized packet", wproto.MessagesCode, make([]byte, 8192), ErrPacketTooLarge},
		{"oversized envelope", wproto.MessagesCode, wproto.EncodeEnvelopes([]*wproto.Envelope{big}), wproto.ErrEnvelopeTooLarge},
		{"low pow", wproto.MessagesCode, wproto.EncodeEnvelopes([]*wproto.Envelope{lowPoW}), wproto.ErrPoWTooLow},
		{"NaN pow requirement", wproto.PowRequirementCode, []byte{0x88, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1}, wproto.ErrInvalidPoW},
		{"short bloom", wproto.BloomFilterExCode, []byte{0x82, 1, 2}, wproto.ErrInvalidBloom},
	}
	for _, c := range cases {
		r := handshaken(t, w)
		r.send(c.code, c.body)
		err, ok := r.waitDisconnect(5 * time.Second)
		if !ok || !errors.Is(err, c.want) {
			t.Errorf("%s: %v (disconnected %v), want %v", c.name, err, ok, c.want)
		}
	}
	if w.m.dropped.Value(dropLowPoW) != 1 || w.m.dropped.Value(dropMalformed) < 2 {
		t.Errorf("drops: low_pow %v malformed %v", w.m.dropped.Value(dropLowPoW), w.m.dropped.Value(dropMalformed))
	}
}

// TestToleratedPackets: future and expired envelopes, Status-fork codes 11
// and 12, P2P messages from an untrusted peer and unknown codes are dropped
// or ignored without disconnecting; a good envelope still gets in after.
func TestToleratedPackets(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	w := newTestWhisper(t, func(c *Config) { c.Now = clock.Now })
	r := handshaken(t, w)
	key, topic := testKey(t), wproto.TopicFromName("x")
	future := sealed(t, key, topic, []byte("later"), clock.Now().Add(time.Hour), 0.002)
	expired := sealed(t, key, topic, []byte("old"), clock.Now().Add(-time.Hour), 0.002)
	good := sealed(t, key, topic, []byte("ok"), clock.Now(), 0.002)
	for _, p := range []struct {
		code wproto.PacketCode
		body []byte
	}{
		{wproto.MessagesCode, wproto.EncodeEnvelopes([]*wproto.Envelope{future})},
		{wproto.MessagesCode, wproto.EncodeEnvelopes([]*wproto.Envelope{expired})},
		{wproto.BatchAcknowledgedCode, make([]byte, 33)},
		{wproto.MessageResponseCode, []byte{0xc2, 0x01, 0xc0}},
		{wproto.P2PMessageCode, wproto.EncodeEnvelopes([]*wproto.Envelope{good})},
		{wproto.StatusCode, goodStatus()},
		{99, []byte{0xde, 0xad}},
		{wproto.MessagesCode, wproto.EncodeEnvelopes([]*wproto.Envelope{good})},
	} {
		if err := r.send(p.code, p.body); err != nil {
			t.Fatalf("code %d: %v", p.code, err)
		}
	}
	testutil.WaitFor(t, 5*time.Second, "good envelope", func() bool { return w.pool.has(good.Hash()) })
	if _, gone := r.waitDisconnect(10 * time.Millisecond); gone {
		t.Fatal("peer disconnected")
	}
	for _, reason := range []string{dropFuture, dropVeryOld, dropUntrustedP2P} {
		if w.m.dropped.Value(reason) != 1 {
			t.Errorf("%s drops = %v", reason, w.m.dropped.Value(reason))
		}
	}
	if w.m.packets.Value("BatchAcknowledged") != 1 || w.m.packets.Value("Unknown(99)") != 1 {
		t.Error("codes 11/unknown not counted")
	}
}

// TestFloodSlowed: a peer over its budget is slowed, not dropped: every
// envelope it sends gets in, the read loop waited for the budget, and the
// peer stays connected.
func TestFloodSlowed(t *testing.T) {
	w := newTestWhisper(t, func(c *Config) {
		c.RateLimit = RateLimit{EnvelopesPerSecond: 1000, BurstEnvelopes: 100, BytesPerSecond: 1 << 20, DisconnectAfter: 50}
	})
	r := handshaken(t, w)
	key, topic := testKey(t), wproto.TopicFromName("flood")
	const packets, per = 10, 60
	// Sealed first, then sent back to back: sealing between sends (PoW) on
	// a busy machine would spread the flood out and let the budget refill.
	var batches [][]byte
	for p := range packets {
		var envs []*wproto.Envelope
		for i := range per {
			envs = append(envs, sealed(t, key, topic, []byte{byte(p), byte(i)}, time.Now(), 0.002))
		}
		batches = append(batches, wproto.EncodeEnvelopes(envs))
	}
	for _, b := range batches {
		if err := r.send(wproto.MessagesCode, b); err != nil {
			t.Fatal(err)
		}
	}
	testutil.WaitFor(t, 10*time.Second, "every envelope pooled", func() bool { n, _ := w.pool.stats(); return n == packets*per })
	for _, reason := range []string{dropDuplicate, dropExpired, dropFuture, dropVeryOld, dropLowPoW, dropQueueFull, dropMalformed} {
		if d := w.m.dropped.Value(reason); d != 0 {
			t.Fatalf("%v envelopes dropped (%s)", d, reason)
		}
	}
	// 600 envelopes, 100 at once then 1000/s: about half a second waited.
	if s := w.m.throttled.Value(); s < 0.3 {
		t.Fatalf("throttled %.2fs, want about 0.5s", s)
	}
	if _, gone := r.waitDisconnect(10 * time.Millisecond); gone {
		t.Fatal("an honest fast peer was disconnected")
	}
	testutil.CheckRSS(t, 0, "the node (test process)")
}

// TestRepeatFloodDisconnects: a peer that sends again what it already sent
// on the connection (no honest peer does) is disconnected once its abuse
// score passes DisconnectAfter; the repeats are counted as duplicates.
func TestRepeatFloodDisconnects(t *testing.T) {
	w := newTestWhisper(t, func(c *Config) {
		c.RateLimit = RateLimit{EnvelopesPerSecond: 10000, BytesPerSecond: 1 << 20, DisconnectAfter: 50, AbuseDrainPerSecond: 1}
	})
	r := handshaken(t, w)
	key, topic := testKey(t), wproto.TopicFromName("flood")
	var envs []*wproto.Envelope
	for i := range 30 {
		envs = append(envs, sealed(t, key, topic, []byte{byte(i)}, time.Now(), 0.002))
	}
	packet := wproto.EncodeEnvelopes(envs)
	r.send(wproto.MessagesCode, packet)
	testutil.WaitFor(t, 5*time.Second, "first packet", func() bool { n, _ := w.pool.stats(); return n == 30 })
	if _, gone := r.waitDisconnect(10 * time.Millisecond); gone {
		t.Fatal("disconnected after one packet")
	}
	for range 10 {
		if err := r.send(wproto.MessagesCode, packet); err != nil {
			break
		}
	}
	err, ok := r.waitDisconnect(5 * time.Second)
	if !ok || !errors.Is(err, ErrAbusivePeer) {
		t.Fatalf("repeat flood: %v %v", err, ok)
	}
	if w.m.disconnects.Value("abusive") != 1 || w.m.dropped.Value(dropDuplicate) < 50 {
		t.Fatalf("disconnects %v duplicates %v", w.m.disconnects.Value("abusive"), w.m.dropped.Value(dropDuplicate))
	}
}

// TestTrustedPeerP2P: a peer marked trusted may send P2P messages, which
// reach filters that allow P2P and skip the pool.
func TestTrustedPeerP2P(t *testing.T) {
	w := newTestWhisper(t, nil)
	r := handshaken(t, w)
	if err := w.MarkTrustedPeer(r.id); err != nil {
		t.Fatal(err)
	}
	key, topic := testKey(t), wproto.TopicFromName("mail")
	_, ch, _ := w.Filters().Subscribe(&Filter{KeySym: key, Topics: []wproto.Topic{topic}, AllowP2P: true})
	_, chNo, _ := w.Filters().Subscribe(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	e := sealed(t, key, topic, []byte("history"), time.Now().Add(-time.Hour), 0) // old and no PoW: fine for P2P
	r.send(wproto.P2PMessageCode, wproto.EncodeEnvelopes([]*wproto.Envelope{e}))
	select {
	case m := <-ch:
		if string(m.Payload) != "history" {
			t.Fatalf("payload %q", m.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("p2p message not delivered")
	}
	if len(chNo) != 0 || w.pool.has(e.Hash()) {
		t.Fatal("p2p message reached a non-p2p filter or the pool")
	}
}
