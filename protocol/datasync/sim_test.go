package datasync

import (
	"crypto/sha256"
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"
)

// This file is a deterministic in-process network for MVDS: a seeded
// math/rand, a tick counter as the clock, loss, random delay (hence
// reordering), peers that go offline, and restarts that rebuild a node from
// its persisted state. Nothing sleeps and nothing runs concurrently.

// simParams describes one scenario.
type simParams struct {
	Seed        int64
	Nodes       int
	Loss        float64 // probability that a packet is lost
	MaxDelay    int     // extra delivery delay in ticks, uniform in [0, MaxDelay]
	Offline     float64 // fraction of chaos ticks a node spends offline
	RestartRate float64 // per node and chaos tick
	Messages    int
	ChaosTicks  int // appends, churn and restarts happen in these ticks
	SettleTicks int // bound on the calm phase (everyone online, loss stays)
	GroupSize   int // > 2 adds one group of the first GroupSize nodes
	Dead        int // the last Dead nodes are never online
	Mode        Mode
	BodyMin     int
	BodyMax     int
	// InitialBackoff and MaxBackoff override the simulation's 1 and 16 ticks.
	InitialBackoff, MaxBackoff uint64
	// Naive replaces the MVDS node by the resend-everything reference.
	Naive bool
}

// simResult is what a scenario measured.
type simResult struct {
	delivered  []map[MessageID]int  // per node, delivery count per ID
	expected   []map[MessageID]bool // per node
	bytesSent  int                  // all payload bytes put on the wire, lost or not
	bodyBytes  int                  // body bytes delivered to applications
	latencies  []int                // append → delivery, in ticks
	settledAt  int                  // tick at which everything was delivered and idle
	quietBytes int                  // bytes sent after settling (must be 0)
}

func simPeerID(i int) PeerID {
	h := sha256.Sum256([]byte(fmt.Sprintf("sim peer %d", i)))
	var p PeerID
	p[0] = 0x04
	copy(p[1:], h[:])
	copy(p[33:], h[:])
	return p
}

func simConfig(id PeerID, p simParams) Config {
	cfg := DefaultConfig(id)
	cfg.Mode = p.Mode
	cfg.InitialBackoff, cfg.MaxBackoff = 1, 16
	if p.InitialBackoff > 0 {
		cfg.InitialBackoff, cfg.MaxBackoff = p.InitialBackoff, p.MaxBackoff
	}
	return cfg
}

type simulation struct {
	t        testing.TB
	p        simParams
	rng      *rand.Rand // network: loss and delay
	churn    *rand.Rand // online state and restarts, same draws whatever the traffic
	ids      []PeerID
	index    map[PeerID]int
	peers    []simPeer
	online   []bool
	groups   map[GroupID][]int
	byNode   [][]GroupID
	queue    map[int][]wirePacket
	appended map[MessageID]int // append tick
	author   map[MessageID]int
	group    map[MessageID]GroupID
	res      simResult
	tick     int
	quiet    bool // settled: nothing more may be sent
}

func newSimulation(t testing.TB, p simParams) *simulation {
	s := &simulation{
		t: t, p: p, rng: newRand(p.Seed), churn: newRand(p.Seed + 1),
		index: make(map[PeerID]int), groups: make(map[GroupID][]int),
		byNode: make([][]GroupID, p.Nodes), queue: make(map[int][]wirePacket),
		appended: make(map[MessageID]int), author: make(map[MessageID]int), group: make(map[MessageID]GroupID),
	}
	for i := 0; i < p.Nodes; i++ {
		id := simPeerID(i)
		s.ids = append(s.ids, id)
		s.index[id] = i
		s.online = append(s.online, i < p.Nodes-p.Dead)
		var peer simPeer
		if p.Naive {
			peer = newNaivePeer(id)
		} else {
			mp, err := newMVDSPeer(simConfig(id, p))
			if err != nil {
				t.Fatal(err)
			}
			peer = mp
		}
		s.peers = append(s.peers, peer)
		s.res.delivered = append(s.res.delivered, make(map[MessageID]int))
		s.res.expected = append(s.res.expected, make(map[MessageID]bool))
	}
	for i := 0; i < p.Nodes; i++ {
		for j := i + 1; j < p.Nodes; j++ {
			g, err := OneToOneGroupID(s.ids[i], s.ids[j])
			if err != nil {
				t.Fatal(err)
			}
			s.addGroup(g, []int{i, j})
		}
	}
	if p.GroupSize > 2 {
		members := make([]int, p.GroupSize)
		for i := range members {
			members[i] = i
		}
		s.addGroup(GroupID(sha256.Sum256([]byte("sim group"))), members)
	}
	return s
}

func (s *simulation) addGroup(g GroupID, members []int) {
	s.groups[g] = members
	for _, i := range members {
		s.byNode[i] = append(s.byNode[i], g)
		for _, j := range members {
			if i != j {
				if err := s.peers[i].AddPeer(g, s.ids[j]); err != nil {
					s.t.Fatal(err)
				}
			}
		}
		s.flush(i)
	}
}

// flush runs node i's Ready cycle and routes its output.
func (s *simulation) flush(i int) {
	del, out, err := s.peers[i].Flush()
	if err != nil {
		s.t.Fatalf("tick %d node %d: flush: %v", s.tick, i, err)
	}
	for _, m := range del {
		id := m.ID()
		s.res.delivered[i][id]++
		if s.res.delivered[i][id] > 1 {
			s.t.Fatalf("tick %d node %d: message %s delivered twice", s.tick, i, id)
		}
		if !s.res.expected[i][id] {
			s.t.Fatalf("tick %d node %d: unexpected delivery of %s", s.tick, i, id)
		}
		s.res.bodyBytes += len(m.Body)
		s.res.latencies = append(s.res.latencies, s.tick-s.appended[id])
	}
	for _, w := range out {
		s.res.bytesSent += len(w.data)
		if s.quiet {
			s.res.quietBytes += len(w.data)
		}
		if !s.online[i] || s.rng.Float64() < s.p.Loss {
			continue
		}
		at := s.tick + 1 + s.rng.Intn(s.p.MaxDelay+1)
		s.queue[at] = append(s.queue[at], w)
	}
}

// run executes the scenario: a chaos phase with appends, churn and restarts,
// then a calm phase until every expected message is delivered and every
// node is idle, then a quiet phase that must send nothing.
func (s *simulation) run() simResult {
	p := s.p
	appendAt := s.schedule()
	pOn := 0.05
	pOff := 0.0
	if p.Offline > 0 {
		pOff = pOn * p.Offline / (1 - p.Offline)
	}
	alive := p.Nodes - p.Dead
	for s.tick = 0; s.tick < p.ChaosTicks+p.SettleTicks; s.tick++ {
		chaos := s.tick < p.ChaosTicks
		for i := 0; i < alive; i++ {
			flip, restart := s.churn.Float64(), s.churn.Float64()
			switch {
			case !chaos:
				s.online[i] = true
			case s.online[i] && flip < pOff:
				s.online[i] = false
			case !s.online[i] && flip < pOn:
				s.online[i] = true
			}
			if chaos && restart < p.RestartRate {
				if err := s.peers[i].Restart(); err != nil {
					s.t.Fatalf("tick %d node %d: restart: %v", s.tick, i, err)
				}
			}
		}
		s.deliverNetwork()
		for i := range s.peers {
			s.peers[i].Tick()
			s.flush(i)
		}
		for _, a := range appendAt[s.tick] {
			s.append(a)
		}
		if !chaos && s.done() {
			s.res.settledAt = s.tick
			break
		}
	}
	if s.res.settledAt == 0 {
		s.t.Fatalf("seed %d: not settled after %d ticks: %s", p.Seed, s.tick, s.missing())
	}
	if p.Dead == 0 {
		s.quiet = true
		for k := uint64(0); k < 3*simConfig(PeerID{}, p).MaxBackoff; k++ {
			s.tick++
			s.deliverNetwork()
			for i := range s.peers {
				s.peers[i].Tick()
				s.flush(i)
			}
		}
	}
	return s.res
}

func (s *simulation) deliverNetwork() {
	for _, w := range s.queue[s.tick] {
		i := s.index[w.to]
		if !s.online[i] {
			continue
		}
		if err := s.peers[i].Receive(w.from, w.data); err != nil {
			s.t.Fatalf("tick %d node %d: receive: %v", s.tick, i, err)
		}
		s.flush(i)
	}
	delete(s.queue, s.tick)
}

// plannedAppend is one append of the scenario, drawn before the run so that
// every implementation sees the same ones.
type plannedAppend struct {
	author int
	group  GroupID
	body   []byte
}

// schedule draws the scenario's appends from their own RNG stream.
func (s *simulation) schedule() map[int][]plannedAppend {
	r := newRand(s.p.Seed + 2)
	out := make(map[int][]plannedAppend)
	for k := 0; k < s.p.Messages; k++ {
		at := r.Intn(s.p.ChaosTicks)
		a := r.Intn(s.p.Nodes)
		gs := s.byNode[a]
		size := s.p.BodyMin
		if s.p.BodyMax > s.p.BodyMin {
			size += r.Intn(s.p.BodyMax - s.p.BodyMin)
		}
		body := make([]byte, size)
		r.Read(body)
		body = append(body, fmt.Sprintf("#%d", k)...)
		out[at] = append(out[at], plannedAppend{author: a, group: gs[r.Intn(len(gs))], body: body})
	}
	return out
}

// append makes a node append a planned message.
func (s *simulation) append(pa plannedAppend) {
	a, g, body := pa.author, pa.group, pa.body
	now := time.Unix(1565000000+int64(s.tick)*StatusTickMillis/1000, 0)
	id, err := s.peers[a].Append(g, body, now)
	if err != nil {
		s.t.Fatalf("tick %d node %d: append: %v", s.tick, a, err)
	}
	s.appended[id], s.author[id], s.group[id] = s.tick, a, g
	if a >= s.p.Nodes-s.p.Dead {
		return // a dead node's message cannot reach anyone
	}
	for _, m := range s.groups[g] {
		if m != a && m < s.p.Nodes-s.p.Dead {
			s.res.expected[m][id] = true
		}
	}
	s.flush(a)
}

// done reports that every expected message was delivered, nothing is in
// flight and (without dead nodes) every node is idle.
func (s *simulation) done() bool {
	for i := range s.peers {
		if len(s.res.delivered[i]) != len(s.res.expected[i]) {
			return false
		}
		if s.p.Dead == 0 && !s.peers[i].Idle() {
			return false
		}
	}
	return s.p.Dead > 0 || len(s.queue) == 0
}

func (s *simulation) missing() string {
	out := ""
	for i := range s.peers {
		out += fmt.Sprintf("[node %d: %d/%d delivered, idle %v] ", i, len(s.res.delivered[i]), len(s.res.expected[i]), s.peers[i].Idle())
	}
	return out
}

// deliveredSets returns, per node, the sorted delivered IDs.
func (r simResult) deliveredSets() [][]MessageID {
	out := make([][]MessageID, len(r.delivered))
	for i, d := range r.delivered {
		for id := range d {
			out[i] = append(out[i], id)
		}
		sort.Slice(out[i], func(a, b int) bool { return out[i][a].String() < out[i][b].String() })
	}
	return out
}

// checkExactlyOnce fails unless every node got every expected message once.
func (r simResult) checkExactlyOnce(t testing.TB) {
	t.Helper()
	for i := range r.delivered {
		for id := range r.expected[i] {
			if r.delivered[i][id] != 1 {
				t.Fatalf("node %d: message %s delivered %d times", i, id, r.delivered[i][id])
			}
		}
		if len(r.delivered[i]) != len(r.expected[i]) {
			t.Fatalf("node %d: %d delivered, %d expected", i, len(r.delivered[i]), len(r.expected[i]))
		}
	}
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }
