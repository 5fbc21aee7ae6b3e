package datasync

import (
	"fmt"
	"time"
)

// This file holds the participants of the simulation (sim_test.go): the
// interface the network drives and the adapter that runs a Node the way the
// driver in internal/ is expected to. The naive reference is in
// model_test.go.

// wirePacket is one encoded payload from one peer to another.
type wirePacket struct {
	from, to PeerID
	data     []byte
}

// simPeer is a participant: the MVDS node under test or a reference model.
type simPeer interface {
	Append(g GroupID, body []byte, now time.Time) (MessageID, error)
	AddPeer(g GroupID, p PeerID) error
	Receive(from PeerID, data []byte) error
	Tick()
	// Flush collects and handles all output: persist, deliver, send.
	Flush() (deliver []Message, out []wirePacket, err error)
	Restart() error
	// Idle reports that the peer has nothing left to retransmit.
	Idle() bool
}

// mvdsPeer drives a Node the way internal/ will: Ready → persist → deliver →
// send → Advance.
type mvdsPeer struct {
	cfg   Config
	node  *Node
	store *MemoryStore
}

func newMVDSPeer(cfg Config) (*mvdsPeer, error) {
	n, err := NewNode(cfg)
	if err != nil {
		return nil, err
	}
	return &mvdsPeer{cfg: cfg, node: n, store: NewMemoryStore()}, nil
}

func (p *mvdsPeer) Append(g GroupID, body []byte, now time.Time) (MessageID, error) {
	return p.node.Append(g, body, now)
}

func (p *mvdsPeer) AddPeer(g GroupID, q PeerID) error { return p.node.AddPeer(g, q) }

func (p *mvdsPeer) Receive(from PeerID, data []byte) error {
	pl, err := DecodePayload(data, p.cfg.Limits)
	if err != nil {
		return err
	}
	return p.node.Step(from, pl)
}

func (p *mvdsPeer) Tick() { p.node.Tick() }

func (p *mvdsPeer) Idle() bool { return p.node.Outstanding() == 0 }

func (p *mvdsPeer) Flush() ([]Message, []wirePacket, error) {
	var del []Message
	var out []wirePacket
	for p.node.HasReady() {
		rd := p.node.Ready()
		if err := p.store.Apply(rd.Changes); err != nil {
			return nil, nil, err
		}
		del = append(del, rd.Deliver...)
		for _, o := range rd.Outgoing {
			b, err := o.Payload.Marshal()
			if err != nil {
				return nil, nil, err
			}
			out = append(out, wirePacket{from: p.cfg.ID, to: o.To, data: b})
		}
		p.node.Advance(rd)
	}
	return del, out, nil
}

// Restart checks that the store holds exactly the node's state, then
// rebuilds the node from the store, losing everything not persisted.
func (p *mvdsPeer) Restart() error {
	snap, err := p.store.Load()
	if err != nil {
		return err
	}
	if err := sameState(p.node.Snapshot(), snap); err != nil {
		return fmt.Errorf("store diverged from node before restart: %w", err)
	}
	p.node, err = RestartNode(p.cfg, snap)
	return err
}

// sameState compares two snapshots, ignoring the epoch (persisted only with
// other changes) and the order of messages.
func sameState(a, b Snapshot) error {
	sortMessages(a.Messages)
	sortMessages(b.Messages)
	if fmt.Sprint(a.Records) != fmt.Sprint(b.Records) {
		return fmt.Errorf("records differ: %d vs %d", len(a.Records), len(b.Records))
	}
	if fmt.Sprint(a.Messages) != fmt.Sprint(b.Messages) {
		return fmt.Errorf("messages differ: %d vs %d", len(a.Messages), len(b.Messages))
	}
	if fmt.Sprint(a.Members) != fmt.Sprint(b.Members) {
		return fmt.Errorf("members differ")
	}
	return nil
}
