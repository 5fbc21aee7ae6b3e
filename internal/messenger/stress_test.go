package messenger_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/storage"
)

// stressDuration is how long TestStress keeps its senders busy: 3 s by
// default, longer with -stress.duration=30s or STATUSD_STRESS_DURATION=30s.
var stressDuration = flag.Duration("stress.duration", 0,
	"how long TestStress runs its senders (default 3s, or $STATUSD_STRESS_DURATION)")

func stressTime(t *testing.T) time.Duration {
	if *stressDuration > 0 {
		return *stressDuration
	}
	if v := os.Getenv("STATUSD_STRESS_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("STATUSD_STRESS_DURATION: %v", err)
		}
		return d
	}
	return 3 * time.Second
}

// waitUntil polls cond every 50 ms until it holds (true) or d passed.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-poll.C:
		}
	}
	return true
}

// ledger records, per recipient, the message IDs it must show, and counts
// the MessageEvents each node publishes per ID.
type ledger struct {
	mu     sync.Mutex
	expect map[*node]map[string]string // recipient → message ID → what
	shown  map[*node]map[string]int
}

func (l *ledger) want(to *node, id, what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.expect[to] == nil {
		l.expect[to] = map[string]string{}
	}
	l.expect[to][id] = what
}

// report lists up to 10 expected messages not shown, with the drop
// counters of their recipients.
func (l *ledger) report(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for to, ids := range l.expect {
		for id, what := range ids {
			if l.shown[to][id] == 0 && n < 10 {
				n++
				t.Logf("missing on %.12s: %q (%s); drops %v", to.PublicKey(), what, id, to.Dropped())
			}
		}
	}
}

func (l *ledger) show(n *node, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shown[n] == nil {
		l.shown[n] = map[string]int{}
	}
	l.shown[n][id]++
}

// missing counts the expected messages not shown yet.
func (l *ledger) missing() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for to, ids := range l.expect {
		for id := range ids {
			if l.shown[to][id] == 0 {
				n++
			}
		}
	}
	return n
}

// TestStress runs, concurrently and for stressTime, public, 1:1 (each pair
// both ways) and group senders, group creation and member additions, and
// pairing of a second installation, on a transporttest.Network. Afterwards
// every message sent must be stored and shown exactly once by each of its
// recipients, within a deadline (a deadlock would miss it), and Stop must
// return.
func TestStress(t *testing.T) {
	dur := stressTime(t)
	h := newHarness(t)
	led := &ledger{expect: map[*node]map[string]string{}, shown: map[*node]map[string]int{}}
	var nodes []*node
	for i := 0; i < 4; i++ {
		nodes = append(nodes, h.newNode(withName(fmt.Sprintf("n%d", i))))
	}
	alice := nodes[0]
	alice2 := h.start(alice.key, storage.NewMemory(), withInstallation("alice-second-device"))
	var watchers sync.WaitGroup
	for _, n := range append(slices.Clone(nodes), alice2) {
		sub := n.Subscribe(1 << 16)
		watchers.Add(1)
		go func(n *node) {
			defer watchers.Done()
			for ev := range sub.C() {
				switch ev := ev.(type) {
				case messenger.MessageEvent:
					if !ev.Message.Outgoing {
						led.show(n, ev.Message.ID)
					}
				case messenger.GroupMemberEvent:
					// Every invitation is accepted; until then the group's
					// messages are not shown (and not expected).
					if ev.Self && ev.Standing == "invited" {
						if _, err := n.JoinGroup(context.Background(), ev.ChatID); err != nil {
							t.Logf("join %s: %v", ev.ChatID, err)
						}
					}
				}
			}
			if d := sub.Dropped(); d != 0 {
				t.Errorf("%d events lost by the test's subscriber", d)
			}
		}(n)
	}
	mustJoin(t, "stress", nodes...)
	// Each node writes 1:1 to the next one and back to the one before, so
	// every pair writes both ways at once: messages cross in flight and
	// both sides' ratchets step in turn.
	direct := func(i int) []*node { return []*node{nodes[(i+1)%len(nodes)], nodes[(i+len(nodes)-1)%len(nodes)]} }
	for i, n := range nodes {
		for _, peer := range direct(i) {
			if _, err := n.StartOneToOne(peer.PublicKey()); err != nil {
				t.Fatal(err)
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), dur+2*time.Minute)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent atomic.Int64
	loop := func(name string, every time.Duration, step func(i int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(every)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if err := step(i); err != nil {
					t.Errorf("%s %d: %v", name, i, err)
					return
				}
			}
		}()
	}
	for i, n := range nodes {
		others := slices.DeleteFunc(slices.Clone(nodes), func(x *node) bool { return x == n })
		loop(fmt.Sprintf("public n%d", i), 15*time.Millisecond, func(k int) error {
			text := fmt.Sprintf("public %d/%d", i, k)
			id, err := n.SendText(ctx, "stress", text)
			for _, o := range others {
				led.want(o, id, text)
			}
			sent.Add(1)
			return err
		})
		for j, peer := range direct(i) {
			way := [...]string{"on", "back"}[j]
			loop(fmt.Sprintf("direct %s n%d", way, i), 15*time.Millisecond, func(k int) error {
				text := fmt.Sprintf("direct %s %d/%d", way, i, k)
				id, err := n.SendText(ctx, peer.PublicKey(), text)
				led.want(peer, id, text)
				sent.Add(1)
				return err
			})
		}
	}
	for i := 0; i < 2; i++ { // two creators: create groups, add members, send
		creator := nodes[i]
		var group string
		var members []*node
		loop(fmt.Sprintf("group n%d", i), 20*time.Millisecond, func(k int) error {
			switch {
			case k%25 == 0: // a new group with one other member
				first := nodes[(i+1+k/25)%len(nodes)]
				if first == creator {
					first = nodes[(i+2)%len(nodes)]
				}
				g, err := creator.CreateGroup(ctx, fmt.Sprintf("g%d-%d", i, k), []string{first.PublicKey()})
				if err != nil {
					return err
				}
				group, members = g.ID, []*node{first}
				return nil
			case k%25 == 10: // add everyone else
				var add []string
				for _, n := range nodes {
					if n != creator && !slices.Contains(members, n) {
						add = append(add, n.PublicKey())
						members = append(members, n)
					}
				}
				if len(add) == 0 {
					return nil
				}
				_, err := creator.AddMembers(ctx, group, add...)
				return err
			}
			text := fmt.Sprintf("group %d/%d", i, k)
			var joined []*node // those who joined before the send must show it
			for _, m := range members {
				if c, err := m.Chat(group); err == nil && c.Membership == "joined" {
					joined = append(joined, m)
				}
			}
			id, err := creator.SendText(ctx, group, text)
			for _, m := range joined {
				led.want(m, id, text)
			}
			sent.Add(1)
			return err
		})
	}
	loop("pairing", 50*time.Millisecond, func(k int) error {
		insts, err := alice.Installations()
		if err != nil {
			return err
		}
		var found bool
		for _, in := range insts {
			found = found || in.ID == "alice-second-device"
		}
		switch {
		case !found:
			return alice2.PublishBundle()
		case k%4 == 3:
			return alice.DisableInstallation("alice-second-device")
		}
		if err := alice.EnableInstallation("alice-second-device"); err != nil {
			return err
		}
		if err := alice2.SendPairInstallation(ctx); err != nil {
			return err
		}
		return alice.SyncDevices(ctx)
	})

	timer := time.NewTimer(dur)
	<-timer.C
	close(stop)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("senders did not return within a minute (deadlock?)")
	}
	if t.Failed() {
		return
	}
	deadline := 90 * time.Second
	begin := time.Now()
	if !waitUntil(deadline, func() bool { return led.missing() == 0 }) {
		led.report(t)
		t.Fatalf("%d messages not shown %v after the senders stopped", led.missing(), deadline)
	}
	t.Logf("%d messages sent in %v, all shown %v after the senders stopped; %d goroutines",
		sent.Load(), dur, time.Since(begin).Round(time.Millisecond), runtime.NumGoroutine())

	stopped := make(chan struct{})
	go func() {
		for _, n := range append(slices.Clone(nodes), alice2) {
			n.Stop()
		}
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("Stop did not return (deadlock?)")
	}
	watchers.Wait()
	led.mu.Lock()
	defer led.mu.Unlock()
	for to, ids := range led.expect {
		for id := range ids {
			if c := led.shown[to][id]; c != 1 {
				t.Errorf("%s shown %d times by %.12s", id, c, to.PublicKey())
			}
		}
	}
	for n, ids := range led.shown {
		for id, c := range ids {
			if c > 1 {
				t.Errorf("%s shown %d times by %.12s", id, c, n.PublicKey())
			}
		}
	}
}
