package datasync

import (
	"encoding/hex"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	v := loadVectors(f)
	b, _ := hex.DecodeString(v.Payload)
	f.Add(b)
	for _, p := range []Payload{
		{Acks: []MessageID{{1}}, Offers: []MessageID{{2}}, Requests: []MessageID{{3}}},
		{Messages: []Message{{GroupID: GroupID{9}, Timestamp: -1, Body: []byte("x")}, {GroupID: GroupID{9}}}},
	} {
		enc, _ := p.Marshal()
		f.Add(enc)
	}
	f.Add([]byte(`["~#c4",["hi"]]`))
	f.Add([]byte{0x0a, 0x01, 0x00})
}

// FuzzDecodePayload: never panics, and agrees with the generated protobuf
// code on what it accepts.
func FuzzDecodePayload(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodeAgainstProto(t, data)
	})
}

// FuzzStep: the receive path (decode, Step, Tick, Ready) never panics, never
// emits an empty payload, delivers each message once even when the payload
// is replayed, and keeps the store equal to the node's state.
func FuzzStep(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePayload(data, DefaultLimits())
		if err != nil {
			return
		}
		self, from := simPeerID(1), simPeerID(2)
		g := GroupID{9}
		n, err := NewNode(DefaultConfig(self))
		if err != nil {
			t.Fatal(err)
		}
		if err := n.AddPeer(g, from); err != nil {
			t.Fatal(err)
		}
		store := NewMemoryStore()
		seen := make(map[MessageID]bool)
		for round := 0; round < 2; round++ {
			if err := n.Step(from, p); err != nil {
				t.Fatalf("step: %v", err)
			}
			n.Tick()
			rd := n.Ready()
			if err := store.Apply(rd.Changes); err != nil {
				t.Fatal(err)
			}
			for _, m := range rd.Deliver {
				if seen[m.ID()] {
					t.Fatalf("message %s delivered twice", m.ID())
				}
				seen[m.ID()] = true
			}
			for _, o := range rd.Outgoing {
				if _, err := o.Payload.Marshal(); err != nil {
					t.Fatalf("outgoing: %v", err)
				}
			}
			n.Advance(rd)
		}
		snap, _ := store.Load()
		if err := sameState(n.Snapshot(), snap); err != nil {
			t.Fatal(err)
		}
	})
}
