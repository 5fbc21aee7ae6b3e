package mailserver

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/common"

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
