package e2e

import (
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// TestHonestLoad: on default settings, a sender posts 4 000 public
// messages as fast as its API allows to a mailserver; a client that comes
// online afterwards fills the gap from that mailserver and shows all 4 000,
// each exactly once. Every node stays under testutil.RSSBound.
func TestHonestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("4 000 messages through three daemons")
	}
	const total = 4000
	start := time.Now()
	bl := newBacklog(t, "honest-load", total, 8)
	t.Logf("sent %d in %v", total, time.Since(start).Round(time.Millisecond))
	client, topic := bl.client(t)
	if err := bl.fill(client, topic, time.Minute); err != nil {
		t.Fatal(err)
	}
	mail, sender, chat := bl.mail, bl.sender, bl.chat
	var got map[string]int
	testutil.WaitFor(t, 60*time.Second, "every message shown", func() bool {
		msgs, err := client.messages(chat)
		if err != nil {
			return false
		}
		got = map[string]int{}
		for _, m := range msgs {
			got[m.Text]++
		}
		return len(got) == total
	})
	for text, n := range got {
		if n != 1 {
			t.Errorf("%q shown %d times", text, n)
		}
	}
	for _, p := range []*peer{mail, sender, client} {
		testutil.CheckRSS(t, p.daemon().Pid(), p.name)
	}
}
