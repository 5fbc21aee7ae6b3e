package messenger_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/transporttest"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// BenchmarkReceivePublic: b.N signed, wrapped public messages from one
// author reach a messenger on LevelDB at once, as a catch-up delivers
// them; reported: messages shown per second until the chat's unread count
// is b.N (the receive path from the Sink on: inbound queue, wrapper
// recovery, Transit, validation, store, event), without the router.
//
//	go test -run '^$' -bench ReceivePublic -benchtime 20000x ./internal/messenger/
func BenchmarkReceivePublic(b *testing.B) {
	net := transporttest.NewNetwork(t0)
	b.Cleanup(net.Close)
	key, author := newKey(b), newKey(b)
	db, err := storage.OpenLevelDB(filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() }) // after the messenger's Stop
	m, err := messenger.New(messenger.Config{Identity: key, StorePassword: []byte("pw"), KDFIterations: 1,
		Now: net.Now, Logger: zap.NewNop()}, db, net.Join(key))
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Stop() })
	const chat = "bench-receive"
	c, err := m.JoinPublic(chat)
	if err != nil {
		b.Fatal(err)
	}
	sym, err := whisper.SymKeyFromPassword(chat)
	if err != nil {
		b.Fatal(err)
	}
	envs := make([]messenger.Envelope, b.N)
	for i := range envs {
		raw, err := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePublicGroup,
			Clock: int64(i + 1), Timestamp: t0.UnixMilli(), Content: message.Content{ChatID: chat, Text: fmt.Sprint("message ", i)}})
		if err != nil {
			b.Fatal(err)
		}
		payload, err := message.Wrap(raw, author)
		if err != nil {
			b.Fatal(err)
		}
		envs[i] = messenger.Envelope{Topic: whisper.TopicFromName(chat), SymKey: &sym, Payload: payload}
	}
	relay := &newKey(b).PublicKey
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for _, e := range envs {
		net.Inject(relay, e)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for tick := time.NewTicker(time.Millisecond); ; <-tick.C {
		got, err := m.Chat(c.ID)
		if err != nil {
			b.Fatal(err)
		}
		if got.Unread >= b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d shown; dropped %v", got.Unread, b.N, m.Dropped())
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "shown/s")
}
