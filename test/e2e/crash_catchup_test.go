package e2e

import (
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// crashCatchUpMessages is the backlog of TestCrashCatchUp: sent at the
// mailserver's advertised 500 envelopes/s, about 8 s.
const crashCatchUpMessages = 4000

// TestCrashCatchUp: a client fills a gap of 4000 public messages from a
// mailserver and is killed with SIGKILL in the middle of the fill, once a
// random share (10–60 %) of the messages is shown; restarted, it fills the
// gap again. In the end every message is shown exactly once: nothing the
// first process recorded as fetched (a covered range, a seen envelope)
// was lost with it. The seed is logged; STATUSD_E2E_SEED replays one.
func TestCrashCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills statusd processes")
	}
	rng := seededRand(t)
	const n = crashCatchUpMessages
	begin := time.Now()
	bl := newBacklog(t, "crash-catchup", n, benchSenders)
	// Only the archive has them: a client connecting earlier would also
	// get them live from the mailserver's pool, past the dedupe under test.
	waitPoolEmpty(t, bl.mail)
	client, topic := bl.client(t)
	t.Logf("backlog of %d archived and client up in %v", n, time.Since(begin).Round(time.Millisecond))

	killAt := n/10 + rng.Intn(n/2)
	fillErr := make(chan error, 1)
	go func() { fillErr <- bl.fill(client, topic, time.Minute) }()
	shown := 0
	testutil.WaitFor(t, time.Minute, "the kill point", func() bool {
		var c struct{ Unread int }
		if err := client.call(&c, "statusd_chat", bl.chat); err == nil {
			shown = c.Unread
		}
		return shown >= killAt
	})
	client.daemon().Kill()
	select {
	case <-client.daemon().Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("client still running after SIGKILL")
	}
	t.Logf("killed with %d of %d shown (kill point %d); the fill call ended with %v", shown, n, killAt, <-fillErr)

	client.mustStart(bl.mail.daemon().Enode)
	waitPeered(t, 20*time.Second, client, bl.mail)
	var c struct{ Unread int }
	client.mustCall(&c, "statusd_chat", bl.chat)
	t.Logf("restarted with %d stored", c.Unread)
	if c.Unread >= n {
		t.Logf("the kill came after the last message was stored: this run checked no crash mid-fill")
	}
	if err := bl.fill(client, topic, time.Minute); err != nil {
		t.Fatalf("second fill: %v", err)
	}
	waitShown(t, client, bl.chat, n, 30*time.Second)
	msgs, err := client.messages(bl.chat)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range msgs {
		count[m.Text]++
	}
	for i := range n {
		if got := count[backlogText(i)]; got != 1 {
			t.Fatalf("%q shown %d times (%d messages in the chat)", backlogText(i), got, len(msgs))
		}
	}
	t.Logf("all %d shown exactly once, %v in all", n, time.Since(begin).Round(time.Millisecond))
}
