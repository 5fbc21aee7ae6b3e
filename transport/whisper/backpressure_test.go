package whisper

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// fill posts n envelopes on topic locally and returns them.
func fill(t *testing.T, w *testNode, n int, topic wproto.Topic) {
	t.Helper()
	key := testKey(t)
	for i := range n {
		if _, err := w.Send(sealed(t, key, topic, []byte{byte(i), byte(i >> 8)}, time.Now(), 0.002)); err != nil {
			t.Fatal(err)
		}
	}
}

func noDrops(t *testing.T, w *testNode) {
	t.Helper()
	for _, reason := range []string{dropDuplicate, dropExpired, dropFuture, dropVeryOld, dropLowPoW, dropQueueFull, dropMalformed} {
		if d := w.m.dropped.Value(reason); d != 0 {
			t.Errorf("%v envelopes dropped (%s)", d, reason)
		}
	}
}

// TestPoolSync: a node joining a relay whose pool holds 10 000 live
// envelopes receives every one and stays connected, on the default
// settings (the burst covers the pool) and with a small budget (the relay
// is slowed, nothing is dropped).
func TestPoolSync(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		rl   *RateLimit
	}{
		{"defaults", 10000, nil},
		{"small budget", 3000, &RateLimit{EnvelopesPerSecond: 2000, BurstEnvelopes: 500, BytesPerSecond: 4 << 20, DisconnectAfter: 2000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			relay := newTestWhisper(t, nil)
			fill(t, relay, c.n, wproto.TopicFromName("busy"))
			client := newTestWhisper(t, func(cfg *Config) {
				if c.rl != nil {
					cfg.RateLimit = *c.rl
				}
			})
			link(t, relay.Whisper, client.Whisper)
			testutil.WaitFor(t, 30*time.Second, "pool synced", func() bool { n, _ := client.pool.stats(); return n == c.n })
			if client.PeerCount() != 1 || relay.PeerCount() != 1 {
				t.Fatalf("peers: client %d relay %d", client.PeerCount(), relay.PeerCount())
			}
			noDrops(t, client)
			testutil.CheckRSS(t, 0, "relay and client (test process)")
			if c.rl != nil && client.m.throttled.Value() == 0 {
				t.Error("the small budget never slowed the relay")
			}
		})
	}
}

// TestFullQueueCatchesUp: envelopes that find a slow peer's queue full are
// not dropped for it: once its queue drains, the writer sends what the pool
// holds that the peer has not had.
func TestFullQueueCatchesUp(t *testing.T) {
	sender := newTestWhisper(t, func(c *Config) { c.PeerQueue = 4 })
	slow := newTestWhisper(t, func(c *Config) {
		c.RateLimit = RateLimit{EnvelopesPerSecond: 4000, BurstEnvelopes: 50, BytesPerSecond: 4 << 20, DisconnectAfter: 2000}
	})
	link(t, sender.Whisper, slow.Whisper)
	testutil.WaitFor(t, 5*time.Second, "linked", func() bool { return sender.PeerCount() == 1 && slow.PeerCount() == 1 })
	const n = 2000
	fill(t, sender, n, wproto.TopicFromName("fast"))
	testutil.WaitFor(t, 30*time.Second, "all delivered", func() bool { got, _ := slow.pool.stats(); return got == n })
	if sender.m.deferred.Value() == 0 {
		t.Error("the queue never overflowed: the test did not exercise the catch-up")
	}
	noDrops(t, slow)
}

// TestPaceToAdvertisedLimits: after a peer advertises a rate (packet 20,
// §4.6), the router sends it no faster than that.
func TestPaceToAdvertisedLimits(t *testing.T) {
	w := newTestWhisper(t, func(c *Config) { c.PaceBurstSeconds = 1 })
	r := handshaken(t, w)
	limits, err := rlp.EncodeToBytes([]uint64{0, 100, 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.send(wproto.RateLimitingCode, limits); err != nil {
		t.Fatal(err)
	}
	// The limit reaches the writer with the next batch; wait until the
	// read loop has taken the packet.
	testutil.WaitFor(t, 5*time.Second, "limits read", func() bool { return w.m.packets.Value("RateLimits") == 1 })
	start := time.Now()
	const n = 250 // 100 at once, then 100/s: at least 1.5 s
	fill(t, w, n, wproto.TopicFromName("paced"))
	got := 0
	for got < n {
		select {
		case msg := <-r.got:
			if wproto.PacketCode(msg.Code) == wproto.MessagesCode {
				envs, err := wproto.DecodeEnvelopesWire(readAll(t, msg), w.MaxMessageSize())
				if err != nil {
					t.Fatal(err)
				}
				got += len(envs)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("received %d of %d", got, n)
		}
	}
	if d := time.Since(start); d < 1400*time.Millisecond {
		t.Fatalf("%d envelopes in %v: faster than the advertised 100/s", n, d)
	}
}
