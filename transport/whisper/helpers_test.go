package whisper

import (
	"context"
	"crypto/rand"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/metrics"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testNode struct {
	*Whisper
	reg *metrics.Registry
}

func newTestWhisper(t testing.TB, mod func(*Config)) *testNode {
	t.Helper()
	cfg := DefaultConfig()
	if mod != nil {
		mod(&cfg)
	}
	reg := metrics.NewRegistry()
	w, err := New(cfg, nil, zaptest.NewLogger(t), reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Stop() })
	return &testNode{Whisper: w, reg: reg}
}

func randomID(t testing.TB) enode.ID {
	var id enode.ID
	if _, err := rand.Read(id[:]); err != nil {
		t.Fatal(err)
	}
	return id
}

// link connects a and b over an in-memory pipe and returns a function that
// cuts the link and waits for both peer loops to return.
func link(t testing.TB, a, b *Whisper) func() {
	t.Helper()
	rwA, rwB := p2p.MsgPipe()
	idA, idB := randomID(t), randomID(t)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.runPeer(idB, "b", rwA, false, func() { rwA.Close() }) }()
	go func() { defer wg.Done(); b.runPeer(idA, "a", rwB, false, func() { rwB.Close() }) }()
	cut := func() { rwA.Close(); wg.Wait() }
	t.Cleanup(cut)
	return cut
}

// rawPeer is a hand-driven shh/6 peer on the other end of a pipe.
type rawPeer struct {
	t    testing.TB
	rw   *p2p.MsgPipeRW
	id   enode.ID
	done chan error // runPeer's result
	got  chan p2p.Msg
}

// connectRaw runs w's side of a pipe against a raw peer. When status is not
// nil it is sent as the raw peer's handshake.
func connectRaw(t testing.TB, w *Whisper, status []byte, trusted bool) *rawPeer {
	t.Helper()
	ours, theirs := p2p.MsgPipe()
	r := &rawPeer{t: t, rw: theirs, id: randomID(t), done: make(chan error, 1), got: make(chan p2p.Msg, 1024)}
	go func() { r.done <- w.runPeer(r.id, "raw", ours, trusted, func() { ours.Close() }); ours.Close() }()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // drain what the router writes
		defer wg.Done()
		for {
			msg, err := theirs.ReadMsg()
			if err != nil {
				return
			}
			body, _ := io.ReadAll(msg.Payload)
			msg.Payload = nil
			msg.Size = uint32(len(body))
			select {
			case r.got <- p2p.Msg{Code: msg.Code, Size: msg.Size, Payload: bytesReader(body)}:
			default:
			}
		}
	}()
	t.Cleanup(func() { theirs.Close(); wg.Wait() })
	if status != nil {
		r.send(wproto.StatusCode, status)
	}
	return r
}

func (r *rawPeer) send(code wproto.PacketCode, body []byte) error {
	return r.rw.WriteMsg(p2p.Msg{Code: uint64(code), Size: uint32(len(body)), Payload: bytesReader(body)})
}

// next returns the next packet the router wrote to the raw peer, other than
// the rate limits it tells every peer at connect (code 20).
func (r *rawPeer) next(timeout time.Duration) p2p.Msg {
	r.t.Helper()
	for {
		select {
		case msg := <-r.got:
			if msg.Code != uint64(wproto.RateLimitingCode) {
				return msg
			}
		case <-time.After(timeout):
			r.t.Fatal("no packet from the router")
		}
	}
}

// waitDisconnect waits for the router to drop the raw peer.
func (r *rawPeer) waitDisconnect(timeout time.Duration) (error, bool) {
	select {
	case err := <-r.done:
		return err, true
	case <-time.After(timeout):
		return nil, false
	}
}

func goodStatus() []byte {
	return wproto.EncodeStatus(&wproto.Status{Version: 6, PoW: 0, Bloom: wproto.FullBloom()})
}

// sealed returns an envelope on topic sealed to PoW target with key.
func sealed(t testing.TB, key *wproto.SymKey, topic wproto.Topic, payload []byte, now time.Time, target float64) *wproto.Envelope {
	t.Helper()
	p := &wproto.MessageParams{TTL: 50, KeySym: key, Topic: topic, Payload: payload, PoW: target}
	e, err := wproto.Wrap(p, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := Seal(context.Background(), e, target, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return e
}

func testKey(t testing.TB) *wproto.SymKey {
	k, err := wproto.GenerateSymKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &k
}

// has reports whether the envelope with hash h is pooled. For tests only:
// it hashes every pooled envelope.
func (p *pool) has(h common.Hash) bool {
	for _, e := range p.snapshot() {
		if e.hash() == h {
			return true
		}
	}
	return false
}
