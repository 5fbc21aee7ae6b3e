package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// rssBound is the resident memory every node stays under during the
// honest-load tests (documented in docs/ARCHITECTURE.md).
const rssBound = 256 << 20

// peakRSS is the process's peak resident set (VmHWM) in bytes.
func peakRSS(t *testing.T, pid int) int {
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
	const chat, total, workers = "honest-load", 4000, 8
	mail := newPeer(t, "mailserver")
	mail.extra = []string{"--mailserver"}
	mail.mustStart()
	sender := newPeer(t, "sender")
	sender.mustStart(mail.daemon().Enode)
	waitPeered(t, 20*time.Second, sender, mail)
	var c map[string]any
	sender.mustCall(&c, "statusd_joinPublicChat", chat)

	start := time.Now().Unix()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += workers {
				var id string
				if err := sender.call(&id, "statusd_sendText", chat, fmt.Sprintf("honest %04d", i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("sent %d in %ds", total, time.Now().Unix()-start+1)

	client := newPeer(t, "client")
	client.extra = []string{"--mailserver.servers", mail.daemon().Enode}
	client.mustStart(mail.daemon().Enode)
	waitPeered(t, 20*time.Second, client, mail)
	client.mustCall(&c, "statusd_joinPublicChat", chat)
	var topic string
	{
		var filters []struct {
			ChatID string `json:"chatId"`
			Topic  string `json:"topic"`
		}
		client.mustCall(&filters, "shhext_loadFilters", []map[string]any{{"ChatID": chat}})
		for _, f := range filters {
			if f.ChatID == chat {
				topic = f.Topic
			}
		}
		if topic == "" {
			t.Fatalf("no topic for %s in %+v", chat, filters)
		}
	}
	var ok any
	if err := client.call(&ok, "mailserver_fillGaps", map[string]any{
		"mailServerPeer": mail.daemon().Enode, "topics": []string{topic}, "from": start - 60, "to": time.Now().Unix() + 5,
	}); err != nil {
		t.Fatal(err)
	}
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
