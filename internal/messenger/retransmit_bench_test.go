package messenger_test

import (
	"context"
	"crypto/ecdsa"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/transporttest"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
)

// Time in the duplicate-rate benchmark runs 10× faster than on the 2019
// network, so that it takes seconds: a 30 ms MVDS tick for the 300 ms one,
// and a Whisper path of three hops (sender's node → relay → relay →
// recipient's node) each waiting up to a 30 ms gossip cycle for the 300 ms
// one.
const (
	benchScale = 10
	benchTick  = 300 * time.Millisecond / benchScale
	benchHop   = 300 * time.Millisecond / benchScale
	benchHops  = 3
)

// BenchmarkDuplicateRate sends b.N 1:1 messages from alice to bob over a
// transporttest network with the delay of a three-relay Whisper path
// (uniform per hop), waits until all are acked, and reports the duplicate
// rate: messages bob's MVDS received more than once per message sent. It
// compares the 2019 first retransmission (2 ticks, 600 ms) with statusd's
// default (2.1 s until the round trip is measured, then SRTT + 4·RTTVAR).
//
//	go test -run '^$' -bench DuplicateRate -benchtime 200x ./internal/messenger/
func BenchmarkDuplicateRate(b *testing.B) {
	for _, bc := range []struct {
		name string
		tune func(*messenger.Config)
	}{
		{"first-retry-600ms-fixed", func(c *messenger.Config) {
			c.DataSyncFirstRetry, c.DataSyncFixedRetry = 2*benchTick, true
		}},
		{"default-measured", func(c *messenger.Config) { c.DataSyncFirstRetry = 2100 * time.Millisecond / benchScale }},
	} {
		b.Run(bc.name, func(b *testing.B) { benchDuplicates(b, bc.tune) })
	}
}

func benchDuplicates(b *testing.B, tune func(*messenger.Config)) {
	net := transporttest.NewNetwork(t0)
	b.Cleanup(net.Close)
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	net.SetDelay(func(_, _ *transporttest.Endpoint) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		var d time.Duration
		for range benchHops {
			d += time.Duration(rng.Int64N(int64(benchHop)))
		}
		return d
	})
	start := func(key *ecdsa.PrivateKey) *messenger.Messenger {
		cfg := messenger.Config{Identity: key, StorePassword: []byte("pw"), KDFIterations: 1,
			DataSyncTick: benchTick, Now: net.Now, Logger: zap.NewNop()}
		tune(&cfg)
		m, err := messenger.New(cfg, storage.NewMemory(), net.Join(key))
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { m.Stop() })
		return m
	}
	alice, bob := start(newKey(b)), start(newKey(b))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	acked := func(m *messenger.Messenger, ids []string) {
		testutil.WaitFor(b, 5*time.Minute, "messages acked", func() bool {
			for _, id := range ids {
				if d, err := m.DeliveryState(id); err != nil || d.State != messenger.DeliveryAcked {
					return false
				}
			}
			return true
		})
	}
	// Warm-up: one message each way, so that both hold the other's bundle
	// and send on one topic.
	for _, pair := range [][2]*messenger.Messenger{{alice, bob}, {bob, alice}} {
		if _, err := pair[0].StartOneToOne(pair[1].ChatKey()); err != nil {
			b.Fatal(err)
		}
	}
	id, err := alice.Send(ctx, bob.ChatKey(), messenger.Draft{Text: "hello"})
	if err != nil {
		b.Fatal(err)
	}
	acked(alice, []string{id})
	if id, err = bob.Send(ctx, alice.ChatKey(), messenger.Draft{Text: "hello back"}); err != nil {
		b.Fatal(err)
	}
	acked(bob, []string{id})
	before := messenger.DataSyncStats(bob)

	b.ResetTimer()
	ids := make([]string, 0, b.N)
	for i := range b.N {
		id, err := alice.Send(ctx, bob.ChatKey(), messenger.Draft{Text: "message"})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
		if i%10 == 9 { // a conversation, not one burst: let a tick pass
			acked(alice, ids[len(ids)-1:])
		}
	}
	acked(alice, ids)
	b.StopTimer()
	after := messenger.DataSyncStats(bob)
	received := after.MessagesReceived - before.MessagesReceived
	delivered := after.Delivered - before.Delivered
	b.ReportMetric(float64(received-delivered)/float64(b.N), "dup/msg")
	b.ReportMetric(float64(delivered)/float64(b.N), "delivered/msg")
}
