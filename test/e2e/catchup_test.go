package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/lib/testutil/daemon"
)

// backlog is a mailserver holding n public messages of chat, posted by
// sender as fast as its API allows (workers concurrent statusd_sendText
// callers) and all reported sent by it, on default settings (plus
// mailFlags, e.g. its archive).
type backlog struct {
	mail, sender *peer
	chat         string
	from         int64 // Unix seconds before the first post
}

func newBacklog(tb testing.TB, chat string, n, workers int, mailFlags ...string) *backlog {
	tb.Helper()
	bl := &backlog{mail: newPeer(tb, "mailserver"), sender: newPeer(tb, "sender"), chat: chat}
	bl.mail.extra = append(append([]string{"--mailserver"}, mailFlags...), metricsFlags(tb)...)
	bl.mail.mustStart()
	bl.sender.extra = metricsFlags(tb)
	bl.sender.mustStart(bl.mail.daemon().Enode)
	waitPeered(tb, 20*time.Second, bl.sender, bl.mail)
	var c map[string]any
	bl.sender.mustCall(&c, "statusd_joinPublicChat", chat)
	bl.from = time.Now().Unix()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	ids := make([]string, n)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if err := bl.sender.call(&ids[i], "statusd_sendText", chat, backlogText(i)); err != nil {
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
	// The sender's writes are paced to what the mailserver advertises
	// (500 envelopes/s by default), so a fast backlog leaves the sender
	// later than the API accepted it, and an envelope that expired while
	// queued is re-posted. The backlog is complete once every message is
	// sent.
	waitSent(tb, bl.sender, ids)
	return bl
}

func backlogText(i int) string { return fmt.Sprintf("honest %05d", i) }

// client starts a node that uses the backlog's mailserver and has joined
// its chat, and returns it with the chat's topic.
func (bl *backlog) client(tb testing.TB) (*peer, string) {
	tb.Helper()
	c := newPeer(tb, "client")
	c.extra = append([]string{"--mailserver.servers", bl.mail.daemon().Enode}, metricsFlags(tb)...)
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

// fill asks client to fetch the backlog's gap from its mailserver, in a
// call that gives up after timeout, and returns the call's error.
func (bl *backlog) fill(client *peer, topic string, timeout time.Duration) error {
	return fillGaps(client, bl.mail, topic, bl.from-60, time.Now().Unix()+5, timeout)
}

// fillGaps calls mailserver_fillGaps on p for topic over [from, to] from
// mail, over WebSocket: an HTTP call ends at the server's write timeout
// (30 s) however long its caller waits, a WebSocket one lasts until timeout.
func fillGaps(p, mail *peer, topic string, from, to int64, timeout time.Duration) error {
	dctx, dcancel := context.WithTimeout(context.Background(), callTimeout)
	defer dcancel()
	ws, err := p.daemon().DialWS(dctx)
	if err != nil {
		return err
	}
	defer ws.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var ok any
	return ws.CallContext(ctx, &ok, "mailserver_fillGaps", map[string]any{
		"mailServerPeer": mail.daemon().Enode, "topics": []string{topic}, "from": from, "to": to,
	})
}

// TestCatchUpCallerGivesUp: a client whose mailserver_fillGaps call over
// HTTP gives up (a timeout far shorter than the fill; the same happens to
// any HTTP call at the server's 30 s write timeout) long before the gap is
// fetched still shows every message of the backlog: the fill goes on
// without the caller.
func TestCatchUpCallerGivesUp(t *testing.T) {
	const n = 3000
	bl := newBacklog(t, "caller-gives-up", n, benchSenders)
	client, topic := bl.client(t)
	// Over HTTP, where the caller leaving ends the request's context.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	var ok any
	err := client.client().CallContext(ctx, &ok, "mailserver_fillGaps", map[string]any{
		"mailServerPeer": bl.mail.daemon().Enode, "topics": []string{topic}, "from": bl.from - 60, "to": time.Now().Unix() + 5,
	})
	cancel()
	t.Logf("fillGaps over HTTP with a 20 ms timeout: %v", err)
	waitShown(t, client, bl.chat, n, time.Minute)
}

// waitShown waits until chat's unread count on client reaches n and
// fails when it passes n; it returns the count last seen.
func waitShown(tb testing.TB, client *peer, chat string, n int, timeout time.Duration) {
	tb.Helper()
	var unread int
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("%d of %d shown when it gave up", unread, n)
		}
	})
	testutil.WaitFor(tb, timeout, "every message shown", func() bool {
		var c struct{ Unread int }
		if err := client.call(&c, "statusd_chat", chat); err != nil {
			return false
		}
		unread = c.Unread
		return unread >= n
	})
	if unread != n {
		tb.Fatalf("%d shown, want %d", unread, n)
	}
}

// BenchmarkCatchUpPublic: a client that comes online after n public
// messages (STATUSD_BENCH_CATCHUP, default 10 000) were archived fills the
// gap from the mailserver; reported: messages shown per second from the
// fillGaps call until the chat's unread count reaches n (every message
// stored and shown), that time, and the client's peak RSS. Default
// settings on every node. STATUSD_BENCH_PROFILE=dir writes a CPU profile
// of the client during the catch-up (dir/client.cpu.pprof), in this and
// the other catch-up benchmarks.
func BenchmarkCatchUpPublic(b *testing.B) {
	n := envInt(b, "STATUSD_BENCH_CATCHUP", 10000)
	bl := newBacklog(b, "catchup", n, benchSenders)
	for range b.N {
		client, topic := bl.client(b)
		wait := profileClient(b, client, bl.mail)
		start, cpu := time.Now(), testutil.CPUTime(b, client.daemon().Pid())
		stop := logProgress(b, client, bl.chat, start)
		if err := bl.fill(client, topic, benchTimeout); err != nil {
			stop()
			b.Fatalf("%v; client log:\n%s", err, logTail(client, 30))
		}
		reportArchiveDrops(b, bl.mail)
		b.Cleanup(func() {
			if b.Failed() {
				logDrops(b, bl.sender)
				logDrops(b, bl.mail)
			}
		})
		reportShown(b, client, bl.chat, n, start, cpu)
		stop()
		wait()
	}
}

// logProgress logs, every 5 s until stop is called, how many messages of
// chat client shows, so that a slow catch-up shows where it slowed down.
func logProgress(b *testing.B, client *peer, chat string, start time.Time) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				var c struct{ Unread int }
				if err := client.call(&c, "statusd_chat", chat); err == nil {
					b.Logf("%5.1f s: %d shown", time.Since(start).Seconds(), c.Unread)
				}
			}
		}
	}()
	return func() { close(quit); <-done }
}

// logTail is the last n lines p's daemon logged at level warn or above,
// or the last n lines when none did.
func logTail(p *peer, n int) string {
	lines := strings.Split(strings.TrimSpace(p.daemon().Logs()), "\n")
	var warn []string
	for _, l := range lines {
		if strings.Contains(l, `"level":"warn"`) || strings.Contains(l, `"level":"error"`) {
			warn = append(warn, l)
		}
	}
	if len(warn) > 0 {
		lines = warn
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// BenchmarkCatchUpPublicPostgres is BenchmarkCatchUpPublic with the
// mailserver archiving to PostgreSQL (--mailserver.db), in a database of
// its own created on the server $STATUSD_TEST_POSTGRES names
// (scripts/postgres.sh run, as make bench does); without that variable
// it is skipped.
func BenchmarkCatchUpPublicPostgres(b *testing.B) {
	dsn := os.Getenv("STATUSD_TEST_POSTGRES")
	if dsn == "" {
		b.Skip("no PostgreSQL: STATUSD_TEST_POSTGRES is not set (run it with scripts/postgres.sh run, as make bench does)")
	}
	n := envInt(b, "STATUSD_BENCH_CATCHUP", 10000)
	bl := newBacklog(b, "catchup-postgres", n, benchSenders, "--mailserver.db", freshDatabase(b, dsn))
	for range b.N {
		client, topic := bl.client(b)
		wait := profileClient(b, client, bl.mail)
		start, cpu := time.Now(), testutil.CPUTime(b, client.daemon().Pid())
		if err := bl.fill(client, topic, benchTimeout); err != nil {
			b.Fatal(err)
		}
		reportArchiveDrops(b, bl.mail)
		reportShown(b, client, bl.chat, n, start, cpu)
		wait()
	}
}

// freshDatabase creates an empty database on the server of dsn (a
// postgres:// URL), dropped when tb ends, and returns its URL.
func freshDatabase(tb testing.TB, dsn string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("STATUSD_TEST_POSTGRES: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("PostgreSQL: %v", err)
	}
	defer conn.Close(context.Background())
	name := fmt.Sprintf("statusd_catchup_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("PostgreSQL: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		if c, err := pgx.Connect(ctx, dsn); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// BenchmarkCatchUpPublicArchived is BenchmarkCatchUpPublic for a client
// offline for long (a day, say): it connects only once every envelope of
// the backlog has expired from the mailserver's pool (the 15 s TTL; the
// benchmark waits until shh_info reports the pool empty), so the archive
// alone delivers them, as after any gap longer than a TTL.
func BenchmarkCatchUpPublicArchived(b *testing.B) {
	n := envInt(b, "STATUSD_BENCH_CATCHUP", 10000)
	b.StopTimer()
	bl := newBacklog(b, "catchup-archived", n, benchSenders)
	bl.sender.daemon().Stop(callTimeout)
	waitPoolEmpty(b, bl.mail)
	for range b.N {
		client, topic := bl.client(b)
		b.StartTimer()
		wait := profileClient(b, client, bl.mail)
		start, cpu := time.Now(), testutil.CPUTime(b, client.daemon().Pid())
		if err := bl.fill(client, topic, benchTimeout); err != nil {
			b.Fatal(err)
		}
		reportArchiveDrops(b, bl.mail)
		reportShown(b, client, bl.chat, n, start, cpu)
		b.StopTimer()
		wait()
	}
}

// BenchmarkCatchUpOneToOne: a client that was offline while a sender sent
// it n 1:1 messages (STATUSD_BENCH_CATCHUP, default 10 000: Double Ratchet
// after X3DH on the sender's side, MVDS, on the client's partitioned topic,
// since the client never answered) fills the gap from the mailserver. The
// sender learnt the client's bundle from its contact-code topic before, and
// stops once every message left it; the client connects once the
// mailserver's pool is empty (the archive alone holds the messages, MVDS
// retransmissions included). Reported as for BenchmarkCatchUpPublic, plus
// the envelopes the mailserver archived. Default settings on every node.
func BenchmarkCatchUpOneToOne(b *testing.B) {
	n := envInt(b, "STATUSD_BENCH_CATCHUP", 10000)
	mail, sender := newPeer(b, "mailserver"), newPeer(b, "sender")
	mail.extra = append([]string{"--mailserver"}, profFlags(b)...)
	if mail.extra[len(mail.extra)-1] == "--mailserver" {
		mail.extra = append(mail.extra, "--metrics", "--metrics.addr", fmt.Sprintf("127.0.0.1:%d", daemon.FreePort(b)))
	}
	mail.mustStart()
	b.StopTimer()
	for range b.N {
		client := newPeer(b, "client")
		client.extra = append([]string{"--mailserver.servers", mail.daemon().Enode}, profFlags(b)...)
		client.mustStart(mail.daemon().Enode) // creates the account
		client.daemon().Stop(callTimeout)

		sender.mustStart(mail.daemon().Enode)
		waitPeered(b, 20*time.Second, sender, mail)
		bundles := subscribeEvents(b, sender, "bundles.added")
		var chat messenger.Chat
		sender.mustCall(&chat, "statusd_startOneToOne", client.key)
		client.mustStart(mail.daemon().Enode) // publishes its bundle
		waitBundle(b, bundles, client.key)
		client.daemon().Stop(callTimeout)

		ids := sendTexts(b, sender, client.key, n, benchSenders)
		waitSent(b, sender, ids)
		sender.daemon().Stop(callTimeout)
		waitPoolEmpty(b, mail)
		archived := metric(b, mail, "mailserver_archive_envelopes")

		client.mustStart(mail.daemon().Enode)
		waitPeered(b, 20*time.Second, client, mail)
		topic := ownPartitionedTopic(b, client)
		b.StartTimer()
		wait := profileClient(b, client, mail)
		start, cpu := time.Now(), testutil.CPUTime(b, client.daemon().Pid())
		if err := fillGaps(client, mail, topic, start.Add(-10*time.Minute).Unix(), start.Unix()+5, benchTimeout); err != nil {
			b.Fatal(err)
		}
		reportShown(b, client, sender.key, n, start, cpu)
		b.StopTimer()
		wait()
		b.ReportMetric(archived, "archived-envelopes")
	}
}

// metric reads the value of a metric of p (name with its labels, as
// exposed), which runs with --metrics and the metrics address as its last
// extra flag.
func metric(tb testing.TB, p *peer, name string) float64 {
	tb.Helper()
	v, ok := readMetric(tb, p, name)
	if !ok {
		tb.Fatalf("%s has no metric %s", p.name, name)
	}
	return v
}

// metricOr0 is metric, 0 for a metric not exposed (a counter never set).
func metricOr0(tb testing.TB, p *peer, name string) float64 {
	tb.Helper()
	v, _ := readMetric(tb, p, name)
	return v
}

func readMetric(tb testing.TB, p *peer, name string) (float64, bool) {
	tb.Helper()
	resp, err := http.Get("http://" + p.extra[len(p.extra)-1] + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				tb.Fatalf("%s: %v", line, err)
			}
			return f, true
		}
	}
	return 0, false
}

// metricsFlags are profFlags, or without STATUSD_BENCH_PROFILE the flags
// that serve the daemon's metrics (the address last, as metric wants).
func metricsFlags(tb testing.TB) []string {
	if f := profFlags(tb); f != nil {
		return f
	}
	return []string{"--metrics", "--metrics.addr", fmt.Sprintf("127.0.0.1:%d", daemon.FreePort(tb))}
}

// logDrops logs p's non-zero counters of dropped or lost messages and
// envelopes (p runs with metricsFlags), to tell where a catch-up lost some.
func logDrops(b *testing.B, p *peer) {
	resp, err := http.Get("http://" + p.extra[len(p.extra)-1] + "/metrics")
	if err != nil {
		b.Logf("%s metrics: %v", p.name, err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "#") && (strings.Contains(line, "drop") || strings.Contains(line, "lost") || strings.Contains(line, "expired")) && !strings.HasSuffix(line, " 0") {
			b.Logf("%s %s", p.name, line)
		}
	}
}

// reportArchiveDrops reports the envelopes mail did not archive
// (mail-archive-dropped): each is a message no client can fetch.
func reportArchiveDrops(b *testing.B, mail *peer) {
	n := metricOr0(b, mail, `mailserver_archive_dropped_total{reason="queue_full"}`)
	if n > 0 {
		b.Logf("the mailserver did not archive %v envelopes (queue full)", n)
	}
	b.ReportMetric(n, "mail-archive-dropped")
}

// profFlags are the flags that let profileClient profile a daemon
// (STATUSD_BENCH_PROFILE set), or none.
func profFlags(tb testing.TB) []string {
	if os.Getenv("STATUSD_BENCH_PROFILE") == "" {
		return nil
	}
	return []string{"--metrics", "--metrics.pprof", "--metrics.addr", fmt.Sprintf("127.0.0.1:%d", daemon.FreePort(tb))}
}

// profileClient starts CPU profiles of the client and of the other given
// peers started with profFlags (STATUSD_BENCH_PROFILE, see
// BenchmarkOneToOne) and returns the function that waits for them.
func profileClient(b *testing.B, client *peer, others ...*peer) (wait func()) {
	if dir := os.Getenv("STATUSD_BENCH_PROFILE"); dir != "" {
		return profile(b, dir, append([]*peer{client}, others...)...)
	}
	return func() {}
}

// reportShown waits until chat's unread count on client reaches n and
// reports shown-msgs/s, s-to-last (both from start), client-peak-MiB and
// client-cpu-µs/msg (the client's CPU time since it was cpu, per message).
func reportShown(b *testing.B, client *peer, chat string, n int, start time.Time, cpu time.Duration) {
	b.Helper()
	b.Cleanup(func() {
		if b.Failed() {
			logDrops(b, client)
		}
	})
	waitShown(b, client, chat, n, benchTimeout)
	took := time.Since(start)
	b.ReportMetric(float64(n)/took.Seconds(), "shown-msgs/s")
	b.ReportMetric(took.Seconds(), "s-to-last")
	b.ReportMetric(float64(testutil.PeakRSS(b, client.daemon().Pid())>>20), "client-peak-MiB")
	b.ReportMetric(float64((testutil.CPUTime(b, client.daemon().Pid())-cpu).Microseconds())/float64(n), "client-cpu-µs/msg")
}

// sendTexts sends n texts to chat from workers concurrent callers and
// returns their message IDs in order.
func sendTexts(tb testing.TB, p *peer, chat string, n, workers int) []string {
	tb.Helper()
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if err := p.call(&ids[i], "statusd_sendText", chat, backlogText(i)); err != nil {
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
	return ids
}

// waitSent waits until every message of ids left p (delivery state sent,
// or acked).
func waitSent(tb testing.TB, p *peer, ids []string) {
	tb.Helper()
	next := 0
	// Paced at 500 envelopes/s or more (the default rate limit a peer
	// advertises), with room for re-posts.
	timeout := max(benchTimeout, time.Duration(len(ids))*time.Second/250)
	lastLog := time.Now()
	testutil.WaitFor(tb, timeout, "every message sent", func() bool {
		if time.Since(lastLog) > 10*time.Second {
			lastLog = time.Now()
			tb.Logf("%s: %d of %d messages sent in order so far", p.name, next, len(ids))
		}
		for ; next < len(ids); next++ {
			var d struct{ State string }
			if err := p.call(&d, "statusd_deliveryState", ids[next]); err != nil || (d.State != "sent" && d.State != "acked") {
				return false
			}
		}
		return true
	})
}

// waitPoolEmpty waits until p's Whisper pool holds no envelope (each
// expires after its TTL, 15 s by default).
func waitPoolEmpty(tb testing.TB, p *peer) {
	tb.Helper()
	testutil.WaitFor(tb, time.Minute, p.name+"'s pool to empty", func() bool {
		var info struct{ Messages int }
		return p.call(&info, "shh_info") == nil && info.Messages == 0
	})
}

// ownPartitionedTopic is p's own partitioned topic (shhext_loadFilters'
// default filter with p's identity), where 1:1 messages to p go until it
// answered.
func ownPartitionedTopic(tb testing.TB, p *peer) string {
	tb.Helper()
	var filters []struct {
		Topic     string `json:"topic"`
		Identity  string `json:"identity"`
		Discovery bool   `json:"discovery"`
	}
	p.mustCall(&filters, "shhext_loadFilters", []map[string]any{})
	for _, f := range filters {
		if f.Discovery && f.Identity != "" && "0x"+f.Identity == p.key {
			return f.Topic
		}
	}
	tb.Fatalf("no partitioned topic for %s in %+v", p.key, filters)
	return ""
}

// subscribeEvents opens a WebSocket events subscription on p for types.
func subscribeEvents(tb testing.TB, p *peer, types ...string) <-chan rpcEvent {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	ws, err := p.daemon().DialWS(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(ws.Close)
	events := make(chan rpcEvent, 256)
	sub, err := ws.Subscribe(ctx, "statusd", events, "events", map[string]any{"types": types})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sub.Unsubscribe)
	return events
}

// waitBundle waits for a bundles.added event of identity.
func waitBundle(tb testing.TB, events <-chan rpcEvent, identity string) {
	tb.Helper()
	deadline := time.After(time.Minute)
	for {
		select {
		case ev := <-events:
			var e struct{ Identity string }
			if json.Unmarshal(ev.Event, &e) == nil && e.Identity == identity {
				return
			}
		case <-deadline:
			tb.Fatalf("no bundle of %s", identity)
		}
	}
}
