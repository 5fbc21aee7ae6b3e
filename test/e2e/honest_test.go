package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// rssBound is the resident memory every node stays under during the
// honest-load tests (documented in docs/ARCHITECTURE.md).
const rssBound = 256 << 20

// peakRSS is the process's peak resident set (VmHWM) in bytes.
func peakRSS(t testing.TB, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestHonestLoad: on default settings, a sender posts 4 000 public
// messages as fast as its API allows to a mailserver; a client that comes
// online afterwards fills the gap from that mailserver and shows all 4 000,
// each exactly once. Every node stays under rssBound.
func TestHonestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("4 000 messages through three daemons")
	}
	const total = 4000
	start := time.Now()
	bl := newBacklog(t, "honest-load", total, 8)
	t.Logf("sent %d in %v", total, time.Since(start).Round(time.Millisecond))
	client, topic := bl.client(t)
	bl.fill(t, client, topic)
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
		if rss := peakRSS(t, p.daemon().Pid()); rss > rssBound {
			t.Errorf("%s peaked at %d MiB, above %d MiB", p.name, rss>>20, rssBound>>20)
		} else {
			t.Logf("%s peak RSS %d MiB", p.name, rss>>20)
		}
	}
}
