package whisper

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rlp"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestMain checks for leaked goroutines. goleveldb's mpoolDrain (the
// in-memory node database of the benchmark's p2p.Servers) outlives Close by
// design.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

// TestForwardAlongLine: A–B–C over pipes; an envelope sent at A reaches a
// subscription at C through B, and B and C keep it in their pools.
func TestForwardAlongLine(t *testing.T) {
	a, b, c := newTestWhisper(t, nil), newTestWhisper(t, nil), newTestWhisper(t, nil)
	link(t, a.Whisper, b.Whisper)
	link(t, b.Whisper, c.Whisper)
	testutil.WaitFor(t, 5*time.Second, "handshakes", func() bool { return b.PeerCount() == 2 && c.PeerCount() == 1 })

	key := testKey(t)
	topic := wproto.TopicFromName("status")
	_, ch, err := c.Filters().Subscribe(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	if err != nil {
		t.Fatal(err)
	}
	e := sealed(t, key, topic, []byte("hello"), time.Now(), 0.002)
	h, err := a.Send(e)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ch:
		if string(m.Payload) != "hello" || m.EnvelopeHash != h {
			t.Fatalf("got %s", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("message did not reach C")
	}
	if !b.pool.has(h) || !c.pool.has(h) {
		t.Fatal("envelope not pooled along the line")
	}
	// C counts a packet's accepted envelopes once its handling ends, which
	// can be just after the filter delivered the message.
	testutil.WaitFor(t, time.Second, "C's count", func() bool { return c.m.in.Value("peer") >= 1 })
	// Sending again is a duplicate everywhere and is not forwarded again.
	a.Send(e)
	testutil.WaitFor(t, time.Second, "dedupe", func() bool { return a.m.dropped.Value(dropDuplicate) == 1 })
	if got := c.m.in.Value("peer"); got != 1 {
		t.Fatalf("C accepted %v envelopes", got)
	}
}

// TestLateJoinerGetsPool: a peer connecting after an envelope was pooled
// receives it at once.
func TestLateJoinerGetsPool(t *testing.T) {
	a, b := newTestWhisper(t, nil), newTestWhisper(t, nil)
	key, topic := testKey(t), wproto.TopicFromName("late")
	h, err := a.Send(sealed(t, key, topic, []byte("x"), time.Now(), 0.002))
	if err != nil {
		t.Fatal(err)
	}
	link(t, a.Whisper, b.Whisper)
	testutil.WaitFor(t, 5*time.Second, "initial sync", func() bool { return b.pool.has(h) })
}

// TestLightClientDoesNotForward: B in light mode passes nothing from A to C
// but still sends its own envelopes.
func TestLightClientDoesNotForward(t *testing.T) {
	a, c := newTestWhisper(t, nil), newTestWhisper(t, nil)
	b := newTestWhisper(t, func(c *Config) { c.LightClient = true })
	link(t, a.Whisper, b.Whisper)
	link(t, b.Whisper, c.Whisper)
	testutil.WaitFor(t, 5*time.Second, "handshakes", func() bool { return b.PeerCount() == 2 })
	key, topic := testKey(t), wproto.TopicFromName("light")
	h1, _ := a.Send(sealed(t, key, topic, []byte("from a"), time.Now(), 0.002))
	testutil.WaitFor(t, 5*time.Second, "B receives", func() bool { return b.pool.has(h1) })
	h2, err := b.Send(sealed(t, key, topic, []byte("from b"), time.Now(), 0.002))
	if err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "C gets B's own", func() bool { return c.pool.has(h2) })
	if c.pool.has(h1) {
		t.Fatal("light client forwarded A's envelope")
	}
}

// TestPeerRequirementsRespected: after the peer announces a bloom (code 3)
// and a PoW requirement (code 2), envelopes outside them are not forwarded.
func TestPeerRequirementsRespected(t *testing.T) {
	w := newTestWhisper(t, nil)
	r := connectRaw(t, w.Whisper, goodStatus(), false)
	testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return w.PeerCount() == 1 })
	<-r.got // our status
	want := wproto.TopicFromName("wanted")
	r.send(wproto.BloomFilterExCode, wproto.EncodeBloomPacket(wproto.TopicToBloom(want)))
	r.send(wproto.PowRequirementCode, wproto.EncodePoWRequirement(0.001))
	testutil.WaitFor(t, 5*time.Second, "requirements applied", func() bool {
		p := w.peerList()[0]
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.powReq == 0.001 && p.bloom == wproto.TopicToBloom(want)
	})
	key := testKey(t)
	w.Send(sealed(t, key, wproto.TopicFromName("other"), []byte("no"), time.Now(), 0.002))
	h, _ := w.Send(sealed(t, key, want, []byte("yes"), time.Now(), 0.002))
	msg := r.next(5 * time.Second)
	envs, err := wproto.DecodeEnvelopes(readAll(t, msg), wproto.MaxMessageSize)
	if err != nil || msg.Code != uint64(wproto.MessagesCode) || len(envs) != 1 || envs[0].Hash() != h {
		t.Fatalf("code %d, %d envelopes, %v", msg.Code, len(envs), err)
	}
	// SetMinPoW notifies the peer with code 2.
	if err := w.SetMinPoW(0.0015); err != nil {
		t.Fatal(err)
	}
	msg = r.next(5 * time.Second)
	if pow, err := wproto.DecodePoWRequirement(readAll(t, msg)); msg.Code != uint64(wproto.PowRequirementCode) || pow != 0.0015 || err != nil {
		t.Fatalf("code %d pow %v %v", msg.Code, pow, err)
	}
}

func TestHandshakeRejects(t *testing.T) {
	bad := func(items ...any) []byte { b, _ := rlp.EncodeToBytes(items); return b }
	cases := map[string][]byte{
		"version 5":   bad(uint64(5)),
		"bloom 10":    bad(uint64(6), uint64(0), make([]byte, 10)),
		"garbage":     {0xff, 0x00},
		"oversized":   bad(uint64(6), uint64(0), make([]byte, 4096)),
		"list inside": bad([]any{uint64(6)}),
	}
	w := newTestWhisper(t, nil)
	for name, status := range cases {
		r := connectRaw(t, w.Whisper, status, false)
		err, ok := r.waitDisconnect(5 * time.Second)
		if !ok || !errors.Is(err, ErrHandshake) {
			t.Errorf("%s: %v (disconnected %v)", name, err, ok)
		}
	}
	// A first packet that is not Status.
	r := connectRaw(t, w.Whisper, nil, false)
	r.send(wproto.MessagesCode, []byte{0xc0})
	if err, _ := r.waitDisconnect(5 * time.Second); !errors.Is(err, ErrHandshake) {
		t.Errorf("messages first: %v", err)
	}
	// Two restricted light clients.
	lw := newTestWhisper(t, func(c *Config) { c.LightClient = true })
	r = connectRaw(t, lw.Whisper, wproto.EncodeStatus(&wproto.Status{Version: 6, Bloom: wproto.FullBloom(), LightNode: true}), false)
	if err, _ := r.waitDisconnect(5 * time.Second); !errors.Is(err, ErrLightClientPeer) {
		t.Errorf("light-light: %v", err)
	}
	if w.PeerCount() != 0 {
		t.Fatalf("%d peers left", w.PeerCount())
	}
}

func TestHandshakeTimeout(t *testing.T) {
	w := newTestWhisper(t, func(c *Config) { c.HandshakeTimeout = 50 * time.Millisecond })
	r := connectRaw(t, w.Whisper, nil, false)
	if err, ok := r.waitDisconnect(5 * time.Second); !ok || !errors.Is(err, ErrHandshake) {
		t.Fatalf("silent peer: %v %v", err, ok)
	}
}

func readAll(t testing.TB, msg p2p.Msg) []byte {
	t.Helper()
	b, err := io.ReadAll(msg.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSettersKeepTheNodeSending: shh_setMinPoW above the PoW of the node's
// own envelopes and shh_setMaxMessageSize below its largest message are
// refused, naming the bound, and change nothing; values within the bounds
// are taken.
func TestSettersKeepTheNodeSending(t *testing.T) {
	w := newTestWhisper(t, nil)
	for _, pow := range []float64{1e308, 0.5, DefaultMaxSettablePoW * 1.01} {
		if err := w.SetMinPoW(pow); !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), "0.002") {
			t.Errorf("SetMinPoW(%v): %v", pow, err)
		}
	}
	for _, size := range []uint32{1, 1024, DefaultMinSettableMessageSize - 1} {
		if err := w.SetMaxMessageSize(size); !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), "262144") {
			t.Errorf("SetMaxMessageSize(%d): %v", size, err)
		}
	}
	if w.MinPoW() != wproto.StatusMinimumPoW || w.MaxMessageSize() != wproto.DefaultMaxMessageSize {
		t.Fatalf("a refused setting changed the node: pow %v size %d", w.MinPoW(), w.MaxMessageSize())
	}
	if err := w.SetMinPoW(DefaultMaxSettablePoW); err != nil {
		t.Fatal(err)
	}
	if err := w.SetMaxMessageSize(DefaultMinSettableMessageSize); err != nil {
		t.Fatal(err)
	}
	// The node still sends its own kind of envelope.
	if _, err := w.Send(sealed(t, testKey(t), wproto.TopicFromName("still"), make([]byte, 1000), time.Now(), wproto.StatusPoWTarget)); err != nil {
		t.Fatalf("send after the setters: %v", err)
	}
}
