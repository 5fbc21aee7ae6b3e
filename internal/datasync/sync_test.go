package datasync

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
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

// failingSync is a Store whose next Sync calls fail.
type failingSync struct {
	Store
	mu   sync.Mutex
	left int // syncs still to fail
}

func (s *failingSync) Sync() error {
	s.mu.Lock()
	fail := s.left > 0
	if fail {
		s.left--
	}
	s.mu.Unlock()
	if fail {
		return errDisk
	}
	return s.Store.(Syncer).Sync()
}

// TestSyncFailureHoldsAcks: when the sync before an ACK fails, the Ready
// is held like a failed write: nothing of it is sent, the driver retries
// with its back-off, and once a sync succeeds the ACK leaves (and the
// message was delivered once).
func TestSyncFailureHoldsAcks(t *testing.T) {
	net := newMemNet()
	fsync := &failingSync{left: 2}
	b := &peer{id: testPeerID(2), clock: NewManualClock(t0), app: &deliveries{}, kv: storage.NewMemory(),
		tune: noFlushDelay, armed: make(chan time.Duration, 64),
		wrap: func(st Store) Store { fsync.Store = st; return fsync }}
	b.start(t, net)
	a := newTunedPeer(t, net, testPeerID(1), noFlushDelay)
	g := connect(t, a, b)
	var acks atomic.Int32
	net.drop = func(from, _ mvds.PeerID, data []byte) bool {
		if p, err := mvds.DecodePayload(data, mvds.DefaultLimits()); err == nil && from == b.id && len(p.Acks) > 0 {
			acks.Add(1)
		}
		return false
	}
	if _, err := a.d.Append(ctxT(t), g, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	round(t, a) // a sends; b writes and delivers the message
	// b's tick would acknowledge it: the sync fails (no round: the driver
	// takes no request during the spell).
	if err := b.clock.Advance(ctxT(t), mvds.StatusTickMillis*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	first := b.nextTimer(t)
	if acks.Load() != 0 {
		t.Fatalf("%d ACKs sent while the sync failed", acks.Load())
	}
	retryUntilWritten(t, b, first, 2)
	runUntil(t, 40, "delivered and acknowledged", func() bool {
		return b.app.len() > 0 && outstanding(t, a) == 0
	}, a, b)
	if b.app.len() != 1 || acks.Load() == 0 {
		t.Fatalf("%d deliveries, %d ACKs; want one delivery and an ACK", b.app.len(), acks.Load())
	}
}
