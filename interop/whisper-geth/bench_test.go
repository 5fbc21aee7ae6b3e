package interop

// Side-by-side benchmarks, statusd against go-ethereum v1.9.20 whisperv6,
// over real loopback devp2p. Each benchmark's sub-benchmarks start fresh
// processes and feed them the same envelopes (sealed once per test binary
// run with go-ethereum v1.9.20's whisperv6), through an in-process prober
// that speaks shh/6 on the wire. Run them with a fixed count so both
// implementations get exactly the same envelopes:
//
//	go test -run '^$' -bench . -benchtime 20000x   (ingest; latency uses b.N probes)

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/whisper/whisperv6"
)

// benchKinds are the implementations compared, in report order.
var benchKinds = []string{kindStatusd, kindGethRef}

// Wire constants of shh/6 (spec/PROTOCOL.md §5.1).
const (
	statusCode   = 0
	messagesCode = 1
	benchTTL     = 300 // long enough for any run; the pool never expires mid-run
	batchSize    = 128 // envelopes per Messages packet (~40 KB, far under 1 MiB)
)

// envelopeSet holds the envelopes every implementation is fed, sealed on
// demand and kept for the whole test binary run.
var envelopeSet struct {
	sync.Mutex
	envs []*whisperv6.Envelope
}

// envelopes returns the first n shared envelopes: symmetric, random
// 100-byte payloads on random topics, sealed to PoW 0.002 (twice the nodes'
// minimum, as Status does, so the RLP-length term of §5.4 cannot push one
// below 0.001).
func envelopes(tb testing.TB, n int) []*whisperv6.Envelope {
	envelopeSet.Lock()
	defer envelopeSet.Unlock()
	key := make([]byte, 32)
	copy(key, crypto.Keccak256([]byte("statusd whisper interop bench")))
	for len(envelopeSet.envs) < n {
		var topic whisperv6.TopicType
		copy(topic[:], crypto.Keccak256([]byte(fmt.Sprint(len(envelopeSet.envs))))[:4])
		params := &whisperv6.MessageParams{TTL: benchTTL, KeySym: key, Topic: topic, Payload: make([]byte, 100), WorkTime: 5, PoW: 0.002}
		copy(params.Payload, crypto.Keccak256([]byte(fmt.Sprint("payload", len(envelopeSet.envs)))))
		msg, err := whisperv6.NewSentMessage(params)
		if err != nil {
			tb.Fatal(err)
		}
		env, err := msg.Wrap(params)
		if err != nil {
			tb.Fatal(err)
		}
		envelopeSet.envs = append(envelopeSet.envs, env)
	}
	return envelopeSet.envs[:n]
}

// prober is an in-process devp2p node that speaks just enough shh/6 to feed
// envelopes to peers and timestamp the envelopes they forward to it. It
// advertises PoW 0 and a full bloom, so a node forwards it everything.
type prober struct {
	srv   *p2p.Server
	mu    sync.Mutex
	peers map[enode.ID]p2p.MsgReadWriter
	seen  map[common.Hash]time.Time
	cond  *sync.Cond
}

func newProber(tb testing.TB) *prober {
	key, err := crypto.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	p := &prober{peers: map[enode.ID]p2p.MsgReadWriter{}, seen: map[common.Hash]time.Time{}}
	p.cond = sync.NewCond(&p.mu)
	p.srv = &p2p.Server{Config: p2p.Config{PrivateKey: key, Name: "prober", MaxPeers: 10, NoDiscovery: true,
		ListenAddr: "127.0.0.1:0", Protocols: []p2p.Protocol{{Name: "shh", Version: 6, Length: 128, Run: p.run}}}}
	if err := p.srv.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.srv.Stop)
	return p
}

// run is the shh/6 protocol for one peer: Status both ways, then record
// every envelope of every Messages packet; other codes are ignored.
func (p *prober) run(peer *p2p.Peer, rw p2p.MsgReadWriter) error {
	bloom := make([]byte, 64)
	for i := range bloom {
		bloom[i] = 0xff
	}
	errc := make(chan error, 1)
	go func() { errc <- p2p.SendItems(rw, statusCode, uint64(6), math.Float64bits(0), bloom, false) }()
	msg, err := rw.ReadMsg()
	if err != nil {
		return err
	}
	msg.Discard()
	if msg.Code != statusCode {
		return fmt.Errorf("prober: first packet has code %d", msg.Code)
	}
	if err := <-errc; err != nil {
		return err
	}
	p.mu.Lock()
	p.peers[peer.ID()] = rw
	p.cond.Broadcast()
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.peers, peer.ID())
		p.mu.Unlock()
	}()
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		if msg.Code != messagesCode {
			msg.Discard()
			continue
		}
		var envs []*whisperv6.Envelope
		err = msg.Decode(&envs)
		now := time.Now()
		if err != nil {
			return err
		}
		p.mu.Lock()
		for _, e := range envs {
			if _, ok := p.seen[e.Hash()]; !ok {
				p.seen[e.Hash()] = now
			}
		}
		p.cond.Broadcast()
		p.mu.Unlock()
	}
}

func (p *prober) enode() string { return p.srv.Self().URLv4() }

// peer waits for the shh session with the node of the given enode URL.
func (p *prober) peer(tb testing.TB, url string) p2p.MsgReadWriter {
	id := enode.MustParse(url).ID()
	deadline := time.Now().Add(30 * time.Second)
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.peers[id] == nil {
		if time.Now().After(deadline) {
			tb.Fatalf("no shh session with %s", url)
		}
		p.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		p.mu.Lock()
	}
	return p.peers[id]
}

// waitSeen waits until every hash has been seen and returns when each was.
func (p *prober) waitSeen(tb testing.TB, hashes []common.Hash, timeout time.Duration) []time.Time {
	done := make(chan struct{})
	timer := time.AfterFunc(timeout, func() {
		p.mu.Lock()
		close(done)
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]time.Time, len(hashes))
	for i, h := range hashes {
		for {
			if at, ok := p.seen[h]; ok {
				out[i] = at
				break
			}
			select {
			case <-done:
				tb.Fatalf("only %d of %d envelopes came back within %v", i, len(hashes), timeout)
			default:
			}
			p.cond.Wait()
		}
	}
	return out
}

func send(tb testing.TB, rw p2p.MsgReadWriter, envs []*whisperv6.Envelope) {
	if err := p2p.Send(rw, messagesCode, envs); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkIngest: b.N envelopes fed as fast as devp2p carries them (in
// Messages packets of 128) by a trusted peer to a fresh node, which passes
// them to a second peer; the clock runs from the first packet sent until
// the last envelope comes back out. So it measures decode, PoW and §5.8
// checks, dedupe, pooling and forwarding, and includes the reference's
// 300 ms forwarding cycle once (use a large b.N).
func BenchmarkIngest(b *testing.B) {
	for _, kind := range benchKinds {
		b.Run(kind, func(b *testing.B) {
			b.StopTimer()
			envs := envelopes(b, b.N)
			x := startNode(b, kind, kind)
			feed, sink := newProber(b), newProber(b)
			var ok bool
			x.call(b, &ok, "admin_addPeer", feed.enode())
			x.call(b, &ok, "admin_addPeer", sink.enode())
			rw := feed.peer(b, x.enode)
			sink.peer(b, x.enode)
			// Exempt the feeder from per-peer rate limits (statusd, §4.6).
			waitFor(b, msgTimeout, "feeder trusted", func() (bool, error) {
				_, err := x.callErr("shh_markTrustedPeer", feed.enode())
				return err == nil, err
			})
			hashes := make([]common.Hash, len(envs))
			for i, e := range envs {
				hashes[i] = e.Hash()
			}
			b.StartTimer()
			start := time.Now()
			for i := 0; i < len(envs); i += batchSize {
				send(b, rw, envs[i:min(i+batchSize, len(envs))])
			}
			seen := sink.waitSeen(b, hashes, 2*time.Minute)
			b.StopTimer()
			last := start
			for _, at := range seen {
				if at.After(last) {
					last = at
				}
			}
			b.ReportMetric(float64(b.N)/last.Sub(start).Seconds(), "envelopes/s")
		})
	}
}

// BenchmarkForwardLatency: three nodes of one implementation in a line
// X1–X2–X3 on loopback; the prober, peered with X1 and X3, sends b.N
// envelopes to X1 (one every 5 ms) and timestamps each when X3 passes it
// back. Each envelope crosses three forwarding hops (X1→X2→X3→prober);
// the reported latencies are end to end / 3.
func BenchmarkForwardLatency(b *testing.B) {
	for _, kind := range benchKinds {
		b.Run(kind, func(b *testing.B) {
			b.StopTimer()
			envs := envelopes(b, b.N)
			xs := []*node{startNode(b, kind, kind+"-1"), startNode(b, kind, kind+"-2"), startNode(b, kind, kind+"-3")}
			connect(b, xs[0], xs[1])
			connect(b, xs[1], xs[2])
			p := newProber(b)
			var ok bool
			xs[0].call(b, &ok, "admin_addPeer", p.enode())
			xs[2].call(b, &ok, "admin_addPeer", p.enode())
			in := p.peer(b, xs[0].enode)
			p.peer(b, xs[2].enode)
			sent := make([]time.Time, len(envs))
			hashes := make([]common.Hash, len(envs))
			b.StartTimer()
			for i, e := range envs {
				hashes[i] = e.Hash()
				sent[i] = time.Now()
				send(b, in, envs[i:i+1])
				time.Sleep(5 * time.Millisecond) // pacing, not waiting for a condition
			}
			seen := p.waitSeen(b, hashes, time.Minute)
			b.StopTimer()
			lat := make([]time.Duration, len(envs))
			for i := range envs {
				lat[i] = seen[i].Sub(sent[i]) / 3
			}
			reportPercentiles(b, lat, "hop")
		})
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration, what string) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), what+"-p50-ms")
	b.ReportMetric(pct(0.99), what+"-p99-ms")
}
