package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/lib/testutil/daemon"
)

const (
	// benchMessages is the size of one burst (STATUSD_BENCH_MESSAGES
	// overrides it). One burst outlasts the default -benchtime of 1 s, so
	// `make bench` runs it once.
	benchMessages = 1000
	benchSenders  = 8 // goroutines calling statusd_sendText (STATUSD_BENCH_SENDERS)
	benchWarmup   = 2000
	benchTimeout  = 2 * time.Minute
)

// rpcEvent is one statusd_subscribe("events") notification.
type rpcEvent struct {
	Type  string          `json:"type"`
	Event json.RawMessage `json:"event"`
}

// BenchmarkOneToOne: two statusd daemons on loopback (1:1 chat: Double
// Ratchet encryption, MVDS, goleveldb persistence on both sides). Each
// iteration is one burst: Alice sends benchMessages texts to Bob from
// benchSenders goroutines as fast as statusd_sendText returns, and Bob's
// WebSocket events subscription timestamps every messages.new. A burst of
// benchWarmup messages (STATUSD_BENCH_WARMUP), not measured, comes first.
// Reported:
// msgs/s, the burst's messages over the time from the first call to the
// last message received; p50-ms and p99-ms, send-to-receive latency (call
// start to Bob's event); send-msgs/s, the rate the calls returned at;
// alice-cpu-µs/msg and bob-cpu-µs/msg, the CPU time each daemon used per
// message over the bursts (steadier than the rates on a shared machine);
// client-cpu-µs/msg, the same for this process (the senders' HTTP calls
// and the WebSocket receiver), which shares the machine's cores with them.
// STATUSD_BENCH_PROFILE=dir also writes CPU profiles of both daemons
// (alice.cpu.pprof, bob.cpu.pprof; STATUSD_BENCH_PROFILE_SECONDS long,
// from the first burst's start) to dir. STATUSD_BENCH_RPC=ws makes the
// senders share one WebSocket connection, as a frontend that keeps one
// open does, instead of calling over HTTP (the default).
func BenchmarkOneToOne(b *testing.B) {
	n, senders := envInt(b, "STATUSD_BENCH_MESSAGES", benchMessages), envInt(b, "STATUSD_BENCH_SENDERS", benchSenders)
	alice, bob := newPeer(b, "alice"), newPeer(b, "bob")
	profDir := os.Getenv("STATUSD_BENCH_PROFILE")
	if os.Getenv("STATUSD_BENCH_METRICS") != "" || profDir != "" {
		for _, p := range []*peer{alice, bob} {
			p.extra = []string{"--metrics", "--metrics.pprof", "--metrics.addr", fmt.Sprintf("127.0.0.1:%d", daemon.FreePort(b))}
			defer logMetrics(b, p)
		}
	}
	bob.mustStart()
	alice.mustStart(bob.daemon().Enode)
	waitPeered(b, time.Minute, alice, bob)
	var chat messenger.Chat
	alice.mustCall(&chat, "statusd_startOneToOne", bob.key)
	recv := subscribeTexts(b, bob, alice.key)

	// Warm up: the first message sets up the session.
	var id string
	alice.mustCall(&id, "statusd_sendText", bob.key, "warm-up")
	if _, ok := recv.wait("warm-up", time.Minute); !ok {
		b.Fatal("warm-up message not received")
	}

	call := alice.call
	switch rpcKind := os.Getenv("STATUSD_BENCH_RPC"); rpcKind {
	case "", "http":
	case "ws":
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		ws, err := alice.daemon().DialWS(ctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		call = func(result any, method string, args ...any) error {
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			return ws.CallContext(ctx, result, method, args...)
		}
	default:
		b.Fatalf("STATUSD_BENCH_RPC=%q: want http or ws", rpcKind)
	}
	// Then a burst that is not measured (STATUSD_BENCH_WARMUP messages,
	// default benchWarmup), so that what is measured is the sustained rate:
	// the daemons' first bursts after start-up also pay for one-time work —
	// their heaps growing into fresh memory, the first collections, the
	// huge-page setup (lib/hugepages) at the first of them — which made
	// the first few hundred milliseconds of a burst some 3 times slower.
	runBurst(b, call, bob.key, recv, -1, envInt(b, "STATUSD_BENCH_WARMUP", benchWarmup), senders)

	var lat []time.Duration
	var total, sending time.Duration
	cpu0 := []time.Duration{testutil.CPUTime(b, alice.daemon().Pid()), testutil.CPUTime(b, bob.daemon().Pid()), testutil.CPUTime(b, 0)}
	faults0 := []int64{testutil.MinorFaults(b, alice.daemon().Pid()), testutil.MinorFaults(b, bob.daemon().Pid())}
	b.ResetTimer()
	if profDir != "" {
		defer profile(b, profDir, alice, bob)()
	}
	for round := range b.N {
		r := runBurst(b, call, bob.key, recv, round, n, senders)
		lat = append(lat, r.latencies...)
		total += r.elapsed
		sending += r.sending
	}
	b.StopTimer()
	aliceCPU, bobCPU := testutil.CPUTime(b, alice.daemon().Pid())-cpu0[0], testutil.CPUTime(b, bob.daemon().Pid())-cpu0[1]
	clientCPU := testutil.CPUTime(b, 0) - cpu0[2]
	aliceFaults, bobFaults := testutil.MinorFaults(b, alice.daemon().Pid())-faults0[0], testutil.MinorFaults(b, bob.daemon().Pid())-faults0[1]
	slices.Sort(lat)
	msgs := float64(n * b.N)
	b.ReportMetric(float64(aliceCPU.Microseconds())/msgs, "alice-cpu-µs/msg")
	b.ReportMetric(float64(bobCPU.Microseconds())/msgs, "bob-cpu-µs/msg")
	b.ReportMetric(float64(clientCPU.Microseconds())/msgs, "client-cpu-µs/msg")
	// Page faults (first touches of memory) per message: their cost is the
	// machine's (lib/testutil BenchmarkFirstTouch).
	b.ReportMetric(float64(aliceFaults)/msgs, "alice-faults/msg")
	b.ReportMetric(float64(bobFaults)/msgs, "bob-faults/msg")
	b.ReportMetric(msgs/total.Seconds(), "msgs/s")
	b.ReportMetric(msgs/sending.Seconds(), "send-msgs/s")
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(float64(total.Nanoseconds())/msgs, "ns/op")
}

// envInt reads a positive integer from the environment, or returns def.
func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		b.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return v
}

// logMetrics logs p's non-zero statusd_ metrics (STATUSD_BENCH_METRICS).
func logMetrics(b *testing.B, p *peer) {
	resp, err := http.Get("http://" + p.extra[len(p.extra)-1] + "/metrics")
	if err != nil {
		b.Logf("%s metrics: %v", p.name, err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "statusd_") && !strings.HasSuffix(line, " 0") {
			b.Logf("%s %s", p.name, line)
		}
	}
}

// profile starts CPU profiles of every peer's daemon, for
// STATUSD_BENCH_PROFILE_SECONDS (default 10), and returns a function that
// waits for them and writes dir/<name>.cpu.pprof. The daemons must run
// with --metrics.pprof; the metrics address is the last of their extra
// flags.
func profile(b *testing.B, dir string, peers ...*peer) (wait func()) {
	secs := envInt(b, "STATUSD_BENCH_PROFILE_SECONDS", 10)
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.extra[len(p.extra)-1], secs)
			resp, err := http.Get(url)
			if err != nil {
				b.Errorf("%s profile: %v", p.name, err)
				return
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, p.name+".cpu.pprof"), data, 0o644)
			}
			if err != nil {
				b.Errorf("%s profile: %v", p.name, err)
			}
		}()
	}
	return wg.Wait
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type burst struct {
	latencies        []time.Duration
	elapsed, sending time.Duration
}

// runBurst sends n messages from benchSenders goroutines and waits until
// Bob received all of them.
// spread runs do(i) for i in [0, n) on senders goroutines, each taking
// every senders-th i in order, and returns the first error; a goroutine
// stops at its first error.
func spread(n, senders int, do func(i int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += senders {
				if err := do(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func runBurst(b *testing.B, call func(result any, method string, args ...any) error, to string, recv *receiver, round, n, senders int) burst {
	start := time.Now()
	sentAt := make([]time.Time, n)
	err := spread(n, senders, func(i int) error {
		sentAt[i] = time.Now()
		var id string
		return call(&id, "statusd_sendText", to, benchText(round, i))
	})
	sending := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	r := burst{sending: sending}
	var last time.Time
	for i := range n {
		at, ok := recv.wait(benchText(round, i), benchTimeout-time.Since(start))
		if !ok {
			b.Fatalf("round %d: message %d not received within %v (subscription: %v)", round, i, benchTimeout, recv.error())
		}
		r.latencies = append(r.latencies, at.Sub(sentAt[i]))
		if at.After(last) {
			last = at
		}
	}
	r.elapsed = last.Sub(start)
	return r
}

func benchText(round, i int) string { return fmt.Sprintf("bench %d/%d", round, i) }

// receiver records when each text arrived at Bob (messages.new events
// from one author).
type receiver struct {
	mu      sync.Mutex
	at      map[string]time.Time
	arrived chan struct{} // signalled on every arrival
	err     error
}

// subscribeTexts opens a WebSocket events subscription on p and records
// the arrival time of every message from author.
func subscribeTexts(tb testing.TB, p *peer, author string) *receiver {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	ws, err := p.daemon().DialWS(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(ws.Close)
	events := make(chan rpcEvent, 1<<16)
	sub, err := ws.Subscribe(ctx, "statusd", events, "events",
		map[string]any{"types": []string{"messages.new", "events.lost"}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sub.Unsubscribe)
	r := &receiver{at: make(map[string]time.Time), arrived: make(chan struct{}, 1)}
	go func() {
		for {
			select {
			case ev := <-events:
				r.record(ev, time.Now(), author)
			case err := <-sub.Err():
				r.fail(fmt.Errorf("subscription ended: %v", err))
				return
			}
		}
	}()
	return r
}

func (r *receiver) record(ev rpcEvent, now time.Time, author string) {
	if ev.Type == "events.lost" {
		r.fail(fmt.Errorf("events lost: %s", ev.Event))
		return
	}
	var e struct{ Message messenger.Message }
	if json.Unmarshal(ev.Event, &e) != nil || e.Message.From != author {
		return
	}
	r.mu.Lock()
	if _, dup := r.at[e.Message.Text]; dup {
		r.err = fmt.Errorf("%q received twice", e.Message.Text)
	}
	r.at[e.Message.Text] = now
	r.mu.Unlock()
	r.signal()
}

func (r *receiver) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	r.signal()
}

func (r *receiver) signal() {
	select {
	case r.arrived <- struct{}{}:
	default:
	}
}

func (r *receiver) error() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// wait returns when text arrived, or false after timeout or on a
// subscription error.
func (r *receiver) wait(text string, timeout time.Duration) (time.Time, bool) {
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		at, ok := r.at[text]
		err := r.err
		r.mu.Unlock()
		if ok || err != nil {
			return at, ok && err == nil
		}
		select {
		case <-r.arrived:
		case <-deadline:
			return time.Time{}, false
		}
	}
}
