package messenger_test

import (
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/transporttest"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// BenchmarkRestartWithChats: a messenger with 10 public chats and 10 1:1
// chats (each 1:1 chat listens on the peer's contact-code and negotiated
// topics) is started again over its database; reported per Start, which
// joins every topic of those chats. Each symmetric topic's key is a
// 65356-round PBKDF2 of its name unless it was kept from the run before.
func BenchmarkRestartWithChats(b *testing.B) {
	net := transporttest.NewNetwork(t0)
	b.Cleanup(net.Close)
	key := newKey(b)
	db := storage.NewMemory()
	cfg := messenger.Config{Identity: key, StorePassword: []byte("pw"), KDFIterations: 1, Now: net.Now, Logger: zap.NewNop()}
	start := func() *messenger.Messenger {
		m, err := messenger.New(cfg, db, net.Join(key))
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Start(); err != nil {
			b.Fatal(err)
		}
		return m
	}
	m := start()
	for i := range 10 {
		if _, err := m.JoinPublic(fmt.Sprintf("chat-%d", i)); err != nil {
			b.Fatal(err)
		}
		if _, err := m.StartOneToOne(message.PubKeyHex(&newKey(b).PublicKey)); err != nil {
			b.Fatal(err)
		}
	}
	if err := m.Stop(); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for b.Loop() {
		begin := time.Now()
		m := start()
		total += time.Since(begin)
		b.StopTimer()
		if err := m.Stop(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/start")
}
