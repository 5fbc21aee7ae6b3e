package datasync

import (
	"fmt"
	"testing"
)

func BenchmarkDecodePayload(b *testing.B) {
	p := Payload{Acks: make([]MessageID, 20)}
	for i := 0; i < 20; i++ {
		p.Messages = append(p.Messages, Message{GroupID: GroupID{1}, Timestamp: int64(i), Body: make([]byte, 300)})
	}
	enc, err := p.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for i := 0; i < b.N; i++ {
		if _, err := DecodePayload(enc, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTick measures a tick of a node with many outstanding records, of
// which one in MaxBackoff is due on average.
func BenchmarkTick(b *testing.B) {
	for _, records := range []int{100, 10000} {
		b.Run(fmt.Sprint(records), func(b *testing.B) {
			n, err := NewNode(DefaultConfig(simPeerID(0)))
			if err != nil {
				b.Fatal(err)
			}
			g := GroupID{1}
			if err := n.AddPeer(g, simPeerID(1)); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < records; i++ {
				if _, err := n.Append(g, []byte(fmt.Sprint(i)), t0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n.Tick()
				n.Advance(n.Ready())
			}
		})
	}
}
