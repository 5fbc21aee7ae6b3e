package datasync

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// naivePeer is the reference model: every tick it resends every message it
// authored to every group peer that has not acknowledged it, and ACKs every
// message it receives. No epochs, no back-off, no offers. Its state is kept
// whole across restarts except the ACKs not yet sent.
type naivePeer struct {
	id       PeerID
	groups   map[GroupID][]PeerID
	messages map[MessageID]Message
	authored []MessageID
	acked    map[RecordKey]bool
	acks     map[PeerID][]MessageID
	deliver  []Message
	out      []wirePacket
}

func newNaivePeer(id PeerID) *naivePeer {
	return &naivePeer{
		id: id, groups: make(map[GroupID][]PeerID), messages: make(map[MessageID]Message),
		acked: make(map[RecordKey]bool), acks: make(map[PeerID][]MessageID),
	}
}

func (n *naivePeer) Append(g GroupID, body []byte, now time.Time) (MessageID, error) {
	m := Message{GroupID: g, Timestamp: now.Unix(), Body: body}
	id := m.ID()
	n.messages[id] = m
	n.authored = append(n.authored, id)
	return id, nil
}

func (n *naivePeer) AddPeer(g GroupID, p PeerID) error {
	n.groups[g] = append(n.groups[g], p)
	return nil
}

func (n *naivePeer) Receive(from PeerID, data []byte) error {
	p, err := DecodePayload(data, DefaultLimits())
	if err != nil {
		return err
	}
	for _, id := range p.Acks {
		n.acked[RecordKey{Message: id, Peer: from}] = true
	}
	for _, m := range p.Messages {
		id := m.ID()
		if !slices.Contains(n.acks[from], id) {
			n.acks[from] = append(n.acks[from], id)
		}
		if _, ok := n.messages[id]; !ok {
			n.messages[id] = m
			n.deliver = append(n.deliver, m)
		}
	}
	return nil
}

func (n *naivePeer) Tick() {
	out := make(map[PeerID]*Payload)
	var order []PeerID
	get := func(p PeerID) *Payload {
		if out[p] == nil {
			out[p] = &Payload{}
			order = append(order, p)
		}
		return out[p]
	}
	for _, id := range n.authored {
		m := n.messages[id]
		for _, p := range n.groups[m.GroupID] {
			if !n.acked[RecordKey{Message: id, Peer: p}] {
				get(p).Messages = append(get(p).Messages, m)
			}
		}
	}
	for p, ids := range n.acks {
		get(p).Acks = ids
	}
	clear(n.acks)
	sortPeers(order)
	for _, p := range order {
		b, err := out[p].Marshal()
		if err != nil {
			panic(err) // never empty by construction
		}
		n.out = append(n.out, wirePacket{from: n.id, to: p, data: b})
	}
}

func (n *naivePeer) Flush() ([]Message, []wirePacket, error) {
	d, o := n.deliver, n.out
	n.deliver, n.out = nil, nil
	return d, o, nil
}

func (n *naivePeer) Restart() error {
	clear(n.acks)
	return nil
}

func (n *naivePeer) Idle() bool {
	for _, id := range n.authored {
		for _, p := range n.groups[n.messages[id].GroupID] {
			if !n.acked[RecordKey{Message: id, Peer: p}] {
				return false
			}
		}
	}
	return true
}

// TestModelCheckAgainstNaive runs random scenarios twice, once with MVDS and
// once with the naive reference, and requires the same delivered sets.
func TestModelCheckAgainstNaive(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			p := randomScenario(seed)
			mv := newSimulation(t, p).run()
			np := p
			np.Naive = true
			nv := newSimulation(t, np).run()
			mv.checkExactlyOnce(t)
			nv.checkExactlyOnce(t)
			a, b := mv.deliveredSets(), nv.deliveredSets()
			for i := range a {
				if !slices.Equal(a[i], b[i]) {
					t.Fatalf("node %d: MVDS delivered %d messages, naive %d", i, len(a[i]), len(b[i]))
				}
			}
			t.Logf("%+v: %d deliveries, MVDS %d bytes, naive %d bytes", p, len(mv.latencies), mv.bytesSent, nv.bytesSent)
		})
	}
}

// randomScenario draws a scenario from seed: 2–6 nodes, 0–50 % loss, some
// offline time and restarts, sometimes a dead node or a larger group, and
// sometimes interactive mode.
func randomScenario(seed int64) simParams {
	r := newRand(seed)
	p := simParams{
		Seed:        seed,
		Nodes:       2 + r.Intn(5),
		Loss:        float64(r.Intn(6)) / 10,
		MaxDelay:    r.Intn(4),
		Offline:     float64(r.Intn(8)) / 10,
		RestartRate: float64(r.Intn(3)) / 100,
		Messages:    10 + r.Intn(40),
		ChaosTicks:  100 + r.Intn(200),
		SettleTicks: 3000,
		BodyMin:     1,
		BodyMax:     200,
	}
	if p.Nodes > 2 && r.Intn(2) == 0 {
		p.GroupSize = 2 + r.Intn(p.Nodes-1)
	}
	if p.Nodes > 2 && r.Intn(3) == 0 {
		p.Dead = 1
	}
	if r.Intn(3) == 0 {
		p.Mode = ModeInteractive
	}
	return p
}
