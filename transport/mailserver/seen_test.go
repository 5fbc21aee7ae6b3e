package mailserver

import (
	"context"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
)

// TestSeenWriter: a hash is seen from the moment add returns, before it is
// stored; flush stores it in one batch and empties the pending set.
func TestSeenWriter(t *testing.T) {
	g := &gapStore{kv: storage.NewTable(storage.NewMemory(), TableName)}
	w := newSeenWriter()
	h := common.HexToHash("0x01")
	w.add(h, 100)
	w.add(h, 200) // the first second wins
	if !w.has(h) {
		t.Fatal("hash not seen right after add")
	}
	if stored, err := g.stored(h); err != nil || stored {
		t.Fatalf("store already had the hash before flush: %v %v", stored, err)
	}
	g2 := &gapStore{kv: storage.NewTable(storage.NewMemory(), TableName)}
	if err := w.flush(context.Background(), g2, noSettle); err != nil {
		t.Fatal(err)
	}
	if w.has(h) {
		t.Fatal("hash still pending after flush")
	}
	if stored, err := g2.stored(h); err != nil || !stored {
		t.Fatalf("flush did not store the hash: stored=%v err=%v", stored, err)
	}
	if err := w.flush(context.Background(), g2, noSettle); err != nil {
		t.Fatalf("empty flush: %v", err)
	}
}

func noSettle(context.Context) error { return nil }

// TestSeenBatchesSpaced: the client writes at most one batch of seen
// hashes per SeenFlushEvery — each batch settles and syncs the database —
// so the hashes seen meanwhile wait; Stop writes what is left at once.
func TestSeenBatchesSpaced(t *testing.T) {
	const every = 300 * time.Millisecond
	var mu sync.Mutex
	var settled []time.Time
	settle := func(context.Context) error {
		mu.Lock()
		settled = append(settled, time.Now())
		mu.Unlock()
		return nil
	}
	x := newSetup(t, nil, func(c *ClientConfig) { c.Settle, c.SeenFlushEvery = settle, every })
	store := x.client.cfg.Store
	hash := func(i int) common.Hash { return common.BigToHash(big.NewInt(int64(1000 + i))) }
	x.client.Seen(hash(0), time.Now())
	testutil.WaitFor(t, 10*time.Second, "the first batch", func() bool { return seenStored(t, store) == 1 })
	for i := 1; i <= 50; i++ {
		x.client.Seen(hash(i), time.Now())
	}
	testutil.WaitFor(t, 10*time.Second, "the second batch", func() bool { return seenStored(t, store) == 51 })
	x.client.Seen(hash(51), time.Now())
	if err := x.client.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := seenStored(t, store); n != 52 {
		t.Fatalf("%d seen hashes stored after Stop, want 52", n)
	}
	mu.Lock()
	defer mu.Unlock()
	// The last batch is Stop's, which does not wait; each one before it
	// came at least every after the one before.
	if len(settled) < 3 {
		t.Fatalf("%d batches settled, want 3 or more", len(settled))
	}
	for i := 1; i < len(settled)-1; i++ {
		if gap := settled[i].Sub(settled[i-1]); gap < every {
			t.Fatalf("batch %d came %v after the one before, want at least %v", i, gap, every)
		}
	}
}
