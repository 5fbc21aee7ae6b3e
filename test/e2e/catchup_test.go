package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// backlog is a mailserver holding n public messages of chat, posted by
// sender as fast as its API allows (workers concurrent statusd_sendText
// callers), on default settings.
type backlog struct {
	mail, sender *peer
	chat         string
	from         int64 // Unix seconds before the first post
}

func newBacklog(tb testing.TB, chat string, n, workers int) *backlog {
	tb.Helper()
	bl := &backlog{mail: newPeer(tb, "mailserver"), sender: newPeer(tb, "sender"), chat: chat}
	bl.mail.extra = []string{"--mailserver"}
	bl.mail.mustStart()
	bl.sender.mustStart(bl.mail.daemon().Enode)
	waitPeered(tb, 20*time.Second, bl.sender, bl.mail)
	var c map[string]any
	bl.sender.mustCall(&c, "statusd_joinPublicChat", chat)
	bl.from = time.Now().Unix()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				var id string
				if err := bl.sender.call(&id, "statusd_sendText", chat, backlogText(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return bl
}

func backlogText(i int) string { return fmt.Sprintf("honest %05d", i) }

// client starts a node that uses the backlog's mailserver and has joined
// its chat, and returns it with the chat's topic.
func (bl *backlog) client(tb testing.TB) (*peer, string) {
	tb.Helper()
	c := newPeer(tb, "client")
	c.extra = []string{"--mailserver.servers", bl.mail.daemon().Enode}
	c.mustStart(bl.mail.daemon().Enode)
	waitPeered(tb, 20*time.Second, c, bl.mail)
	var chat map[string]any
	c.mustCall(&chat, "statusd_joinPublicChat", bl.chat)
	var filters []struct {
		ChatID string `json:"chatId"`
		Topic  string `json:"topic"`
	}
	c.mustCall(&filters, "shhext_loadFilters", []map[string]any{{"ChatID": bl.chat}})
	for _, f := range filters {
		if f.ChatID == bl.chat {
			return c, f.Topic
		}
	}
	tb.Fatalf("no topic for %s in %+v", bl.chat, filters)
	return nil, ""
}

// fill asks client to fetch the backlog's gap from its mailserver.
func (bl *backlog) fill(tb testing.TB, client *peer, topic string) {
	tb.Helper()
	var ok any
	if err := client.call(&ok, "mailserver_fillGaps", map[string]any{
		"mailServerPeer": bl.mail.daemon().Enode, "topics": []string{topic}, "from": bl.from - 60, "to": time.Now().Unix() + 5,
	}); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkCatchUpPublic: a client that comes online after n public
// messages (STATUSD_BENCH_CATCHUP, default 10 000) were archived fills the
// gap from the mailserver; reported: messages shown per second from the
// fillGaps call until the chat's unread count reaches n (every message
// stored and shown), that time, and the client's peak RSS. Default
// settings on every node.
func BenchmarkCatchUpPublic(b *testing.B) {
	n := envInt(b, "STATUSD_BENCH_CATCHUP", 10000)
	bl := newBacklog(b, "catchup", n, benchSenders)
	for range b.N {
		client, topic := bl.client(b)
		start := time.Now()
		bl.fill(b, client, topic)
		var unread int
		testutil.WaitFor(b, benchTimeout, "every message shown", func() bool {
			var c struct{ Unread int }
			if err := client.call(&c, "statusd_chat", bl.chat); err != nil {
				return false
			}
			unread = c.Unread
			return unread >= n
		})
		took := time.Since(start)
		if unread != n {
			b.Fatalf("%d shown, want %d", unread, n)
		}
		b.ReportMetric(float64(n)/took.Seconds(), "shown-msgs/s")
		b.ReportMetric(took.Seconds(), "s-to-last")
		b.ReportMetric(float64(testutil.PeakRSS(b, client.daemon().Pid())>>20), "client-peak-MiB")
	}
}
