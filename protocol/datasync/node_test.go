package datasync

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Unix(1565000000, 0)

// pair returns two nodes sharing their 1:1 group.
func pair(t *testing.T, mode Mode) (a, b *Node, g GroupID) {
	t.Helper()
	ida, idb := simPeerID(1), simPeerID(2)
	g, err := OneToOneGroupID(ida, idb)
	if err != nil {
		t.Fatal(err)
	}
	ca, cb := DefaultConfig(ida), DefaultConfig(idb)
	ca.Mode, cb.Mode = mode, mode
	if a, err = NewNode(ca); err != nil {
		t.Fatal(err)
	}
	if b, err = NewNode(cb); err != nil {
		t.Fatal(err)
	}
	if err := a.AddPeer(g, idb); err != nil {
		t.Fatal(err)
	}
	if err := b.AddPeer(g, ida); err != nil {
		t.Fatal(err)
	}
	return a, b, g
}

// drain collects a node's Ready, checking that no payload is empty.
func drain(t *testing.T, n *Node) Ready {
	t.Helper()
	rd := n.Ready()
	for _, o := range rd.Outgoing {
		if o.Payload.IsEmpty() {
			t.Fatal("empty payload produced")
		}
	}
	n.Advance(rd)
	return rd
}

// deliverAll steps every outgoing payload of rd into to.
func deliverAll(t *testing.T, rd Ready, from PeerID, to *Node) {
	t.Helper()
	for _, o := range rd.Outgoing {
		b, err := o.Payload.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		p, err := DecodePayload(b, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if err := to.Step(from, p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBatchRoundTrip(t *testing.T) {
	a, b, g := pair(t, ModeBatch)
	id, err := a.Append(g, []byte("hello"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(g, []byte("hello"), t0); !errors.Is(err, ErrDuplicateMessage) {
		t.Fatalf("duplicate append: %v", err)
	}
	if rd := drain(t, a); len(rd.Outgoing) != 0 || len(rd.Changes.PutMessages) != 1 || len(rd.Deliver) != 0 {
		t.Fatalf("append Ready = %+v", rd)
	}
	a.Tick()
	rd := drain(t, a)
	if len(rd.Outgoing) != 1 || len(rd.Outgoing[0].Payload.Messages) != 1 {
		t.Fatalf("tick Ready = %+v", rd)
	}
	deliverAll(t, rd, a.cfg.ID, b)
	rdb := drain(t, b)
	if len(rdb.Deliver) != 1 || rdb.Deliver[0].ID() != id || len(rdb.Changes.PutMessages) != 1 {
		t.Fatalf("receiver Ready = %+v", rdb)
	}
	if len(rdb.Outgoing) != 0 {
		t.Fatal("ACK sent before the tick")
	}
	b.Tick()
	rdb = drain(t, b)
	if len(rdb.Outgoing) != 1 || len(rdb.Outgoing[0].Payload.Acks) != 1 {
		t.Fatalf("ack Ready = %+v", rdb)
	}
	deliverAll(t, rdb, b.cfg.ID, a)
	if rd := drain(t, a); len(rd.Changes.DeleteRecords) != 1 || len(rd.Outgoing) != 0 {
		t.Fatalf("ACK Ready = %+v", rd)
	}
	if a.Outstanding() != 0 {
		t.Fatalf("outstanding after ACK = %d", a.Outstanding())
	}
	for i := 0; i < 500; i++ {
		a.Tick()
		b.Tick()
		if a.HasReady() || b.HasReady() {
			t.Fatalf("output after everything was acknowledged, tick %d", i)
		}
	}
}

func TestBackoffSetsEpoch(t *testing.T) {
	cfg := DefaultConfig(simPeerID(1))
	want := []uint64{2, 4, 8, 16, 32, 64, 128, 200, 200}
	for i, w := range want {
		if got := cfg.backoff(cfg.InitialBackoff, uint64(i+1)); got != w {
			t.Fatalf("backoff(%d) = %d, want %d", i+1, got, w)
		}
	}
	if cfg.backoff(cfg.InitialBackoff, 1<<40) != cfg.MaxBackoff || cfg.nextEpoch(cfg.InitialBackoff, 1, ^uint64(0)-1) != ^uint64(0) {
		t.Fatal("back-off does not saturate")
	}
	// The gaps between sends never exceed MaxBackoff: the send epoch is set
	// from the current epoch, not accumulated (docs/PROTOCOL.md §6.3).
	a, _, g := pair(t, ModeBatch)
	if _, err := a.Append(g, []byte("x"), t0); err != nil {
		t.Fatal(err)
	}
	var sends []uint64
	for i := 0; i < 2000; i++ {
		a.Tick()
		if len(drain(t, a).Outgoing) > 0 {
			sends = append(sends, a.Epoch())
		}
	}
	for i := 1; i < len(sends); i++ {
		gap := sends[i] - sends[i-1]
		if gap > cfg.MaxBackoff || (i > 8 && gap != cfg.MaxBackoff) {
			t.Fatalf("gap %d between sends %d and %d", gap, i-1, i)
		}
	}
}

// TestLongUptimeRetransmits: at epoch 10^6 an unacknowledged message is
// still retransmitted within the back-off bound, after a restart too.
func TestLongUptimeRetransmits(t *testing.T) {
	id := simPeerID(1)
	peer := simPeerID(2)
	g := GroupID{7}
	cfg := DefaultConfig(id)
	store := NewMemoryStore()
	if err := store.Apply(Changes{Epoch: 1_000_000, EpochChanged: true, AddMembers: []Membership{{Group: g, Peer: peer}}}); err != nil {
		t.Fatal(err)
	}
	snap, _ := store.Load()
	n, err := RestartNode(cfg, snap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Append(g, []byte("late"), t0); err != nil {
		t.Fatal(err)
	}
	last := uint64(0)
	for i := 0; i < 1000; i++ {
		if i == 500 { // restart from persisted state in the middle
			snap, _ := store.Load()
			if n, err = RestartNode(cfg, snap); err != nil {
				t.Fatal(err)
			}
		}
		n.Tick()
		rd := n.Ready()
		if err := store.Apply(rd.Changes); err != nil {
			t.Fatal(err)
		}
		n.Advance(rd)
		if len(rd.Outgoing) == 0 {
			continue
		}
		if last != 0 && n.Epoch()-last > cfg.MaxBackoff {
			t.Fatalf("gap of %d ticks at epoch %d", n.Epoch()-last, n.Epoch())
		}
		last = n.Epoch()
	}
	if n.Epoch() < 1_000_000 || last < n.Epoch()-cfg.MaxBackoff {
		t.Fatalf("epoch %d, last send at %d", n.Epoch(), last)
	}
}

// TestRestartClampsBuggyEpochs: a record scheduled at ≈2·epoch by the 2019
// accumulating back-off is sent right after restart.
func TestRestartClampsBuggyEpochs(t *testing.T) {
	peer := simPeerID(2)
	m := Message{GroupID: GroupID{1}, Timestamp: 1, Body: []byte("old")}
	snap := Snapshot{
		Epoch:    1_000_000,
		Messages: []Message{m},
		Members:  []Membership{{Group: m.GroupID, Peer: peer}},
		Records:  []RecordEntry{{Key: RecordKey{Message: m.ID(), Peer: peer}, Record: Record{Type: RecordMessage, SendCount: 5, SendEpoch: 2_000_000}}},
	}
	n, err := RestartNode(DefaultConfig(simPeerID(1)), snap)
	if err != nil {
		t.Fatal(err)
	}
	n.Tick()
	rd := n.Ready()
	if len(rd.Outgoing) != 1 || len(rd.Changes.PutRecords) != 1 {
		t.Fatalf("Ready after restart = %+v", rd)
	}
	bad := snap
	bad.Messages = nil
	if _, err := RestartNode(DefaultConfig(simPeerID(1)), bad); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("record without message: %v", err)
	}
}

func TestInteractiveRoundTrip(t *testing.T) {
	a, b, g := pair(t, ModeInteractive)
	if _, err := a.Append(g, []byte("hi"), t0); err != nil {
		t.Fatal(err)
	}
	drain(t, a)
	var delivered int
	for i := 0; i < 10; i++ {
		a.Tick()
		deliverAll(t, drain(t, a), a.cfg.ID, b)
		b.Tick()
		rd := drain(t, b)
		delivered += len(rd.Deliver)
		deliverAll(t, rd, b.cfg.ID, a)
	}
	if delivered != 1 || a.Outstanding() != 0 || b.Outstanding() != 0 {
		t.Fatalf("delivered %d, outstanding %d/%d", delivered, a.Outstanding(), b.Outstanding())
	}
}

func TestRemovePeerDropsRecords(t *testing.T) {
	a, _, g := pair(t, ModeBatch)
	peer := a.Peers(g)[0]
	if _, err := a.Append(g, []byte("x"), t0); err != nil {
		t.Fatal(err)
	}
	a.RemovePeer(g, peer)
	if a.Outstanding() != 0 || a.IsPeer(g, peer) {
		t.Fatal("records kept for removed peer")
	}
	if rd := drain(t, a); len(rd.Changes.RemoveMembers) != 1 {
		t.Fatalf("membership removal not persisted: %+v", rd.Changes)
	}
	a.Tick()
	if a.HasReady() {
		t.Fatal("payload for removed peer")
	}
}

func TestStepErrors(t *testing.T) {
	a, _, g := pair(t, ModeBatch)
	if err := a.Step(a.cfg.ID, Payload{Acks: []MessageID{{}}}); !errors.Is(err, ErrSelf) {
		t.Fatalf("step from self: %v", err)
	}
	if err := a.Step(PeerID{0x02}, Payload{Acks: []MessageID{{}}}); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("step from bad key: %v", err)
	}
	if err := a.AddPeer(g, a.cfg.ID); !errors.Is(err, ErrSelf) {
		t.Fatalf("add self: %v", err)
	}
	big := make([]byte, a.cfg.MaxMessageBytes+1)
	if _, err := a.Append(g, big, t0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("big append: %v", err)
	}
	// An offer from a stranger creates no request.
	if err := a.Step(simPeerID(9), Payload{Offers: []MessageID{{1}}}); err != nil || a.Outstanding() != 0 {
		t.Fatalf("stranger offer: %v, %d records", err, a.Outstanding())
	}
}

func TestConfigValidate(t *testing.T) {
	good := DefaultConfig(simPeerID(1))
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*Config){
		"id":      func(c *Config) { c.ID = PeerID{} },
		"mode":    func(c *Config) { c.Mode = 9 },
		"backoff": func(c *Config) { c.InitialBackoff = 0 },
		"max":     func(c *Config) { c.MaxBackoff = 1 },
		"payload": func(c *Config) { c.MaxPayloadBytes = c.Limits.MaxPayloadBytes + 1 },
		"message": func(c *Config) { c.MaxMessageBytes = c.MaxPayloadBytes },
		"limits":  func(c *Config) { c.Limits.MaxIDs = 0 },
	} {
		c := good
		mut(&c)
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if ModeBatch.String() != "batch" || RecordMessage.String() != "MESSAGE" || Mode(7).String() != "Mode(7)" {
		t.Fatal("String")
	}
}

func TestSplitPayload(t *testing.T) {
	p := Payload{Acks: make([]MessageID, 10)}
	for i := 0; i < 5; i++ {
		p.Messages = append(p.Messages, Message{Body: make([]byte, 100)})
	}
	parts := splitPayload(p, 200)
	total := 0
	for _, q := range parts {
		if q.IsEmpty() || (q.Size() > 200 && len(q.Messages)+len(q.Acks) > 1) {
			t.Fatalf("bad part %d bytes", q.Size())
		}
		total += len(q.Acks) + len(q.Messages)
	}
	if total != 15 {
		t.Fatalf("split lost entries: %d", total)
	}
}
