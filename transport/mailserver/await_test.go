package mailserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"

	msproto "github.com/statusnode/statusd/protocol/mailserver"
	"github.com/statusnode/statusd/storage"
)

// TestPageTimeoutCountsFromSilence: a page whose envelopes keep arriving
// does not expire however long it takes — its timeout restarts with each
// — while a page from a silent mailserver expires after the timeout.
func TestPageTimeoutCountsFromSilence(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ClientConfig{NodeKey: key, Store: storage.NewTable(storage.NewMemory(), TableName)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	peer := enode.ID{1}
	const timeout = 500 * time.Millisecond

	// Envelopes every 25 ms for 3 timeouts, then the completion.
	ch := make(chan *msproto.Completion, 1)
	flowing := make(chan struct{})
	go func() {
		defer close(flowing)
		tick := time.NewTicker(timeout / 20)
		defer tick.Stop()
		for range 60 { // 3 timeouts
			<-tick.C
			c.mu.Lock()
			if c.received == nil {
				c.received = make(map[enode.ID]int)
			}
			c.received[peer]++ // as allowP2P counts an envelope
			c.mu.Unlock()
		}
		ch <- &msproto.Completion{RequestID: common.Hash{1}}
	}()
	start := time.Now()
	if _, _, err := c.awaitCompletion(context.Background(), peer, common.Hash{1}, ch, 0, timeout); err != nil {
		t.Fatalf("a page still flowing after %v: %v", time.Since(start), err)
	}
	<-flowing

	c.mu.Lock()
	before := c.received[peer]
	c.mu.Unlock()
	_, _, err = c.awaitCompletion(context.Background(), peer, common.Hash{2}, make(chan *msproto.Completion), before, timeout)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("a silent page: %v, want ErrTimeout", err)
	}
}
