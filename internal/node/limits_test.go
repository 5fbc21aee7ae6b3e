package node

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/lib/testutil"
)

// TestSubscriptionsPerConnection: one WebSocket connection may hold
// --rpc.maxsubscriptions shh subscriptions; the next is refused with an
// error naming the limit (another connection is not affected), and closing
// the connection releases every one of them within a second.
func TestSubscriptionsPerConnection(t *testing.T) {
	c := testConfig(t)
	c.RPC.MaxSubscriptions = 1000
	n := startNode(t, c)
	base := n.Whisper().Filters().Len()
	ws := dialWS(t, n)
	var sym string
	call(t, ws, &sym, "shh_newSymKey")
	criteria := map[string]any{"symKeyID": sym, "topics": []string{"0x01020304"}}
	ctx := context.Background()
	for i := 0; i < c.RPC.MaxSubscriptions; i++ {
		if _, err := ws.Subscribe(ctx, "shh", make(chan *shh.Message, 1), "messages", criteria); err != nil {
			t.Fatalf("subscription %d: %v", i, err)
		}
	}
	_, err := ws.Subscribe(ctx, "shh", make(chan *shh.Message, 1), "messages", criteria)
	var rerr rpc.Error
	if !errors.As(err, &rerr) || !strings.Contains(err.Error(), "at most 1000 on one connection") || !strings.Contains(err.Error(), "--rpc.maxsubscriptions") {
		t.Fatalf("past the limit: %v", err)
	}
	other := dialWS(t, n)
	if _, err := other.Subscribe(ctx, "shh", make(chan *shh.Message, 1), "messages", criteria); err != nil {
		t.Fatalf("another connection: %v", err)
	}
	if got := n.Whisper().Filters().Len(); got != base+c.RPC.MaxSubscriptions+1 {
		t.Fatalf("%d filters, want %d", got, base+c.RPC.MaxSubscriptions+1)
	}
	ws.Close()
	testutil.WaitFor(t, time.Second, "subscriptions released", func() bool { return n.Whisper().Filters().Len() == base+1 })
}
