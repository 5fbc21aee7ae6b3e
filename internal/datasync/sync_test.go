package datasync

import (
	"fmt"
	"sync"
	"testing"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// durability is one peer's store writes, store syncs and sent ACKs, in the
// order they happened.
type durability struct {
	mu  sync.Mutex
	ops []durableOp
}

type durableOp struct {
	kind string // "pending", "sync" or "ack"
	ids  []mvds.MessageID
}

func (l *durability) add(kind string, ids []mvds.MessageID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, durableOp{kind, ids})
}

// syncingStore records the deliveries it marks pending and its syncs.
type syncingStore struct {
	Store
	log *durability
}

func (s *syncingStore) ApplyReady(c mvds.Changes, deliver []mvds.Delivery) error {
	if err := s.Store.ApplyReady(c, deliver); err != nil {
		return err
	}
	ids := make([]mvds.MessageID, len(deliver))
	for i := range deliver {
		ids[i] = deliver[i].ID()
	}
	s.log.add("pending", ids)
	return nil
}

func (s *syncingStore) Sync() error {
	s.log.add("sync", nil)
	return s.Store.(Syncer).Sync()
}

// TestAckLeavesAfterSync: the receiver of messages never sends an ACK for
// a message before a store sync that followed the write marking it
// pending (so the ACK promises only what survives a power loss), and syncs
// once per payload batch, not once per message.
func TestAckLeavesAfterSync(t *testing.T) {
	net := newMemNet()
	var log durability
	a := newPeer(t, net, testPeerID(1), "")
	b := newPeerWith(t, net, testPeerID(2), "", func(s Store) Store { return &syncingStore{Store: s, log: &log} })
	net.drop = func(from, _ mvds.PeerID, payload []byte) bool {
		if from == b.id {
			p, err := mvds.DecodePayload(payload, mvds.DefaultLimits())
			if err != nil {
				t.Error(err)
			} else if len(p.Acks) > 0 {
				log.add("ack", p.Acks)
			}
		}
		return false
	}
	g := connect(t, a, b)
	const n = 20
	for i := range n {
		if _, err := a.d.Append(ctxT(t), g, fmt.Appendf(nil, "message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	runUntil(t, 20, "delivered and acknowledged", func() bool {
		return b.app.len() == n && outstanding(t, a) == 0
	}, a, b)

	log.mu.Lock()
	defer log.mu.Unlock()
	pendingAt := map[mvds.MessageID]int{}
	lastSync, syncs, acks := -1, 0, 0
	for i, op := range log.ops {
		switch op.kind {
		case "pending":
			for _, id := range op.ids {
				pendingAt[id] = i
			}
		case "sync":
			lastSync = i
			syncs++
		case "ack":
			for _, id := range op.ids {
				acks++
				at, ok := pendingAt[id]
				if !ok {
					t.Fatalf("ACK of %x sent before the message was written", id[:4])
				}
				if lastSync < at {
					t.Fatalf("ACK of %x sent without a sync after its write (ops %d..%d)", id[:4], at, i)
				}
			}
		}
	}
	if acks < n {
		t.Fatalf("%d ACKs seen, want at least %d", acks, n)
	}
	if syncs == 0 || syncs >= n {
		t.Fatalf("%d syncs for %d messages: want at least one, one per payload batch", syncs, n)
	}
	if got := b.d.Stats().Syncs; got != uint64(syncs) {
		t.Fatalf("Stats.Syncs %d, store saw %d", got, syncs)
	}
}
