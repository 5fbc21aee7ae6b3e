package whisper

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// BenchmarkIngestDevp2p is BenchmarkIngest over real loopback devp2p (RLPx,
// snappy, p2p dispatch) in packets of 128 envelopes, as the interop harness
// feeds a node: one trusted feeding peer, one filter on the topic, every
// envelope costs a decrypt attempt and the last of each packet opens. b.N is
// rounded up to whole packets; the clock stops when the last opened message
// comes out of the subscription. Profile the node's side with
// -cpuprofile (the feeder, which only writes pre-encoded packets, shares
// the process).
func BenchmarkIngestDevp2p(b *testing.B) {
	const perPacket = 128
	w := newTestWhisper(b, func(c *Config) { c.MinPoW = 0; c.FilterQueue = 1 << 16 })
	key, other := testKey(b), testKey(b)
	topic := wproto.TopicFromName("bench")
	if _, err := w.Filters().Install(&Filter{KeySym: testKey(b), Topics: []wproto.Topic{wproto.TopicFromName("unrelated")}}); err != nil {
		b.Fatal(err)
	}
	_, ch, err := w.Filters().Subscribe(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	opened := sealed(b, key, topic, make([]byte, 100), now, 0)
	closed := sealed(b, other, topic, make([]byte, 100), now, 0)
	packets := (b.N + perPacket - 1) / perPacket
	bodies := make([][]byte, packets)
	for i := range bodies {
		envs := make([]*wproto.Envelope, perPacket)
		for j := range envs {
			src := closed
			if j == perPacket-1 {
				src = opened
			}
			e := *src
			e.Nonce = uint64(i*perPacket + j) // distinct hashes
			envs[j] = &e
		}
		bodies[i] = wproto.EncodeEnvelopes(envs)
	}

	feedRW := make(chan p2p.MsgReadWriter, 1)
	feeder := p2p.Protocol{Name: wproto.ProtocolName, Version: uint(wproto.ProtocolVersion), Length: wproto.NumberOfMessageCodes,
		Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
			errc := make(chan error, 1)
			go func() {
				body := goodStatus()
				errc <- rw.WriteMsg(p2p.Msg{Code: uint64(wproto.StatusCode), Size: uint32(len(body)), Payload: bytesReader(body)})
			}()
			if _, err := readStatus(rw); err != nil {
				return err
			}
			if err := <-errc; err != nil {
				return err
			}
			feedRW <- rw
			for { // drain whatever the node sends (nothing: it has no other peer)
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				msg.Discard()
			}
		}}
	var srvs [2]*p2p.Server
	for i, proto := range []p2p.Protocol{w.Protocol(), feeder} {
		k, _ := crypto.GenerateKey()
		srvs[i] = &p2p.Server{Config: p2p.Config{PrivateKey: k, MaxPeers: 5, NoDiscovery: true, ListenAddr: "127.0.0.1:0",
			Name: "bench", Protocols: []p2p.Protocol{proto}}}
		if err := srvs[i].Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(srvs[i].Stop)
	}
	srvs[1].AddPeer(srvs[0].Self())
	rw := <-feedRW
	testutil.WaitFor(b, 10*time.Second, "peer", func() bool { return w.MarkTrustedPeer(srvs[1].Self().ID()) == nil })

	b.ReportAllocs()
	b.ResetTimer()
	done := make(chan struct{})
	go func() {
		for range packets {
			<-ch
		}
		close(done)
	}()
	for _, body := range bodies {
		if err := rw.WriteMsg(p2p.Msg{Code: uint64(wproto.MessagesCode), Size: uint32(len(body)), Payload: bytesReader(body)}); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		b.Fatal("timed out")
	}
	b.StopTimer()
	b.ReportMetric(float64(packets*perPacket)/b.Elapsed().Seconds(), "envelopes/s")
	for _, s := range srvs {
		s.Stop()
	}
}
