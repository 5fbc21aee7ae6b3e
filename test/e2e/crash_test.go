package e2e

import (
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
)

const (
	crashMessages  = 200
	crashAliceKill = 10
	crashBobKill   = 4
	crashBurst     = 4 // concurrent calls around each of Alice's kills
)

// sentMsg is a message whose statusd_sendText returned its ID; seq orders
// the calls (concurrent calls share one).
type sentMsg struct {
	id  string
	seq int
}

// TestCrashOneToOne: while Alice sends 200 1:1 messages to Bob, her statusd
// is killed with SIGKILL at 10 random points (often in the middle of a
// statusd_sendText call) and restarted each time; Bob's is killed and
// restarted at 4 other points while she keeps sending. Peering comes back
// by --staticnodes. In the end every message whose statusd_sendText
// returned an ID is in Bob's store exactly once, in the order Alice sent
// them (strictly increasing Lamport clocks, as Alice assigned them), and
// acked in Alice's store; so is every other outgoing message Alice stored
// (a call cut by the kill may have stored one without returning its ID).
// The seed is logged; STATUSD_E2E_SEED replays one.
func TestCrashOneToOne(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills statusd processes")
	}
	rng := seededRand(t)
	begin := time.Now()

	alice, bob := newPeer(t, "alice"), newPeer(t, "bob")
	alice.mustStart()
	bob.mustStart(alice.daemon().Enode)
	aliceEnode, bobEnode := alice.daemon().Enode, bob.daemon().Enode
	waitPeered(t, 30*time.Second, alice, bob)
	var chat messenger.Chat
	alice.mustCall(&chat, "statusd_startOneToOne", bob.key)
	t.Logf("daemons up and peered in %v", time.Since(begin).Round(time.Millisecond))

	points := rng.Perm(crashMessages - 10)[:crashAliceKill+crashBobKill]
	for i := range points {
		points[i] += 5
	}
	aliceKills, bobKills := points[:crashAliceKill], points[crashAliceKill:]
	slices.Sort(aliceKills)
	t.Logf("alice killed near messages %v, bob near %v", aliceKills, bobKills)

	var bobWG sync.WaitGroup
	var bobMu sync.Mutex // one restart at a time
	bobErr := make(chan error, crashBobKill)
	restartBob := func(delay time.Duration) {
		defer bobWG.Done()
		time.Sleep(delay)
		bobMu.Lock()
		defer bobMu.Unlock()
		bob.daemon().Kill()
		if err := bob.start(aliceEnode); err != nil {
			bobErr <- err
		}
	}

	var sent []sentMsg         // every call that returned an ID
	cut, resent := 0, 0        // calls cut by a kill; restarts that resent
	calls, seq := 0, 0         // calls made; send-order group
	var callTime time.Duration // mean statusd_sendText duration so far
	send := func(text string) (string, error) {
		var id string
		err := alice.call(&id, "statusd_sendText", bob.key, text)
		return id, err
	}
	nextText := func() string { calls++; return fmt.Sprintf("m%03d", calls) }
	bobKilled := map[int]bool{}
	for kills := 0; len(sent) < crashMessages; {
		i := len(sent)
		if slices.Contains(bobKills, i) && !bobKilled[i] {
			bobKilled[i] = true
			bobWG.Add(1)
			go restartBob(time.Duration(rng.Intn(200)) * time.Millisecond)
		}
		seq++
		if kills == len(aliceKills) || aliceKills[kills] > i {
			start := time.Now()
			id, err := send(nextText())
			if err != nil {
				t.Fatalf("message %d: statusd_sendText: %v", i, err)
			}
			callTime += (time.Since(start) - callTime) / time.Duration(i+1)
			sent = append(sent, sentMsg{id, seq})
			continue
		}
		// A kill point: a burst of concurrent calls (one send-order
		// group), and SIGKILL at a random moment within about 1.5 times
		// their expected duration, so most kills cut a call somewhere.
		d := alice.daemon()
		burst := min(crashBurst, crashMessages-i)
		type result struct {
			id  string
			err error
		}
		results := make(chan result, burst)
		for range burst {
			text := nextText()
			go func() { id, err := send(text); results <- result{id, err} }()
		}
		time.Sleep(time.Duration(rng.Int63n(int64(callTime)*int64(burst)*3/2 + 1)))
		d.Kill()
		kills++
		for range burst {
			if r := <-results; r.err != nil {
				cut++
			} else {
				sent = append(sent, sentMsg{r.id, seq})
			}
		}
		if restartAlice(t, alice, bobEnode) {
			resent++
		}
	}
	bobWG.Wait()
	close(bobErr)
	for err := range bobErr {
		t.Fatal(err)
	}
	sendTime := time.Since(begin)
	t.Logf("mean statusd_sendText call %v; %d of %d restarts resent stored messages", callTime, resent, len(aliceKills))
	t.Logf("%d messages sent, %d alice kills (%d calls cut), %d bob kills, in %v",
		len(sent), len(aliceKills), cut, len(bobKills), sendTime.Round(time.Millisecond))

	checkDelivered(t, alice, bob, sent)
	t.Logf("all delivered and acked %v after the last send (total %v)",
		(time.Since(begin) - sendTime).Round(time.Millisecond), time.Since(begin).Round(time.Millisecond))
}

// restartAlice waits for the killed process to exit and starts it again.
// It reports whether the new process resent messages a kill left stored
// but not handed to MVDS (internal/messenger/outbox.go).
func restartAlice(t *testing.T, alice *peer, bobEnode string) bool {
	t.Helper()
	select {
	case <-alice.daemon().Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("alice: still running after SIGKILL")
	}
	alice.mustStart(bobEnode)
	return strings.Contains(alice.daemon().Logs(), "resent messages stored before a crash")
}

// checkDelivered waits until Bob has every message of sent and Alice's
// every outgoing message is acked, then checks exactly-once and that
// Bob's order (by Lamport clock) is the order of the calls.
func checkDelivered(t *testing.T, alice, bob *peer, sent []sentMsg) {
	t.Helper()
	var ids []string
	seqOf := map[string]int{}
	for _, s := range sent {
		ids = append(ids, s.id)
		seqOf[s.id] = s.seq
	}
	var got, mine []*messenger.Message
	deadline := time.Now().Add(90 * time.Second)
	poll := time.NewTicker(250 * time.Millisecond)
	defer poll.Stop()
	for ; ; <-poll.C {
		var err error
		got, err = bob.messages(alice.key)
		if err == nil {
			mine, err = alice.messages(bob.key)
		}
		missing, unacked := missingIDs(got, ids), unackedIDs(mine)
		if err == nil && len(missing) == 0 && len(unacked) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s: err %v; bob lacks %d of %d messages %.5q; alice has %d of %d outgoing not acked: %v",
				err, len(missing), len(ids), missing, len(unacked), len(mine), unacked)
		}
	}

	seen := map[string]bool{}
	var last int64
	lastSeq := 0
	for _, m := range got {
		if seen[m.ID] {
			t.Fatalf("bob has %s (%q) twice", m.ID, m.Text)
		}
		seen[m.ID] = true
		if m.Clock <= last {
			t.Fatalf("bob: clock %d of %q after %d", m.Clock, m.Text, last)
		}
		last = m.Clock
		if sq, ok := seqOf[m.ID]; ok {
			if sq < lastSeq {
				t.Fatalf("bob: %q (call %d) after a message of call %d: Lamport order is not send order", m.Text, sq, lastSeq)
			}
			lastSeq = sq
		}
	}
	byID := map[string]*messenger.Message{}
	for _, m := range mine {
		byID[m.ID] = m
	}
	for _, m := range got {
		if a := byID[m.ID]; a == nil || a.Clock != m.Clock || a.Text != m.Text {
			t.Fatalf("bob's %s (%q, clock %d) is not alice's %+v", m.ID, m.Text, m.Clock, a)
		}
	}
	for _, id := range ids {
		var d messenger.Delivery
		alice.mustCall(&d, "statusd_deliveryState", id)
		if d.State != messenger.DeliveryAcked || !d.Recipients[bob.key] {
			t.Fatalf("alice: delivery of %s is %v", id, d.State)
		}
	}
	t.Logf("bob has %d messages (%d with a returned ID, %d from calls cut by a kill), alice %d outgoing, all acked",
		len(got), len(ids), len(got)-len(ids), len(mine))
}

func missingIDs(got []*messenger.Message, ids []string) []string {
	have := map[string]bool{}
	for _, m := range got {
		have[m.ID] = true
	}
	var out []string
	for _, id := range ids {
		if !have[id] {
			out = append(out, id)
		}
	}
	return out
}

// unackedIDs lists the outgoing messages not acked, with their state.
func unackedIDs(ms []*messenger.Message) []string {
	var out []string
	for _, m := range ms {
		if m.Outgoing && m.Delivery != messenger.DeliveryAcked {
			out = append(out, fmt.Sprintf("%q:%v", m.Text, m.Delivery))
		}
	}
	return out
}

// seededRand returns the random source of a test with random kill points,
// seeded from the clock, or from $STATUSD_E2E_SEED to replay a run; the
// seed is logged.
func seededRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("STATUSD_E2E_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d (STATUSD_E2E_SEED=%d replays it)", seed, seed)
	return rand.New(rand.NewSource(seed))
}
