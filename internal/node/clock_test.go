package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/timesource/ntptest"
	"github.com/statusnode/statusd/transport/whisper"
)

// hostSkew is how wrong the clock of the host under test is.
const hostSkew = -30 * time.Second

func startNodeOpts(t *testing.T, opts Options) *Node {
	t.Helper()
	requireOffline(t, opts.Config)
	opts.Password, opts.Log, opts.P2PListenHost = "test password", zaptest.NewLogger(t), "127.0.0.1"
	n, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n
}

// TestClockSkewCorrectedBySNTP: statusd runs on a host whose clock is 30 s
// slow, next to an SNTP responder on 127.0.0.1 that has the right time (30 s
// off the host's clock), and exchanges Whisper messages with a peer whose
// clock is right. With the correction on, both directions are delivered.
// With it off, the peer drops statusd's envelopes as expired (a 15 s TTL,
// the one Status messages carry, ended 15 s before they were sent by the
// peer's clock) and statusd drops the peer's as sent in the future.
func TestClockSkewCorrectedBySNTP(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) }) // after the nodes stopped
	ntp, err := ntptest.NewServer(time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ntp.Close() })
	host := func() time.Time { return time.Now().Add(hostSkew) }

	for _, tc := range []struct {
		name    string
		ntp     bool
		deliver bool
	}{{"ntp on", true, true}, {"ntp off", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.NTP.Enabled, cfg.NTP.Servers = tc.ntp, []string{ntp.Addr()}
			a := startNodeOpts(t, Options{Config: cfg, HostClock: host})
			b := startNode(t, testConfig(t))
			var ok bool
			call(t, dialHTTP(t, a), &ok, "admin_addPeer", b.P2P().Self().URLv4())
			testutil.WaitFor(t, 10*time.Second, "whisper peers", func() bool {
				return a.Whisper().PeerCount() == 1 && b.Whisper().PeerCount() == 1
			})
			if tc.ntp {
				testutil.WaitFor(t, 5*time.Second, "clock offset", a.Clock().Synced)
				if off := a.Clock().Offset(); off < 29*time.Second || off > 31*time.Second {
					t.Fatalf("offset %v, want about 30 s", off)
				}
			} else if a.Clock().Offset() != 0 {
				t.Fatal("offset applied with NTP off")
			}
			got, reason := whisperExchange(t, a, b, "from statusd")
			if got != tc.deliver || !tc.deliver && reason != "expired" {
				t.Errorf("statusd → peer: delivered %v (drop %q), want %v", got, reason, tc.deliver)
			}
			got, reason = whisperExchange(t, b, a, "from the peer")
			if got != tc.deliver || !tc.deliver && reason != "future" {
				t.Errorf("peer → statusd: delivered %v (drop %q), want %v", got, reason, tc.deliver)
			}
			// The same through the messenger: its envelopes and Status
			// clocks take the node's clock too.
			if got := statusExchange(t, a, b, "clock-test-a"); got != tc.deliver {
				t.Errorf("statusd → peer, public chat: delivered %v, want %v", got, tc.deliver)
			}
			if got := statusExchange(t, b, a, "clock-test-b"); got != tc.deliver {
				t.Errorf("peer → statusd, public chat: delivered %v, want %v", got, tc.deliver)
			}
		})
	}
}

// whisperExchange posts payload at from (shh_post, TTL 15 s) on a
// symmetric key both derive from a password, then a sentinel envelope that
// both clocks accept (sent at the earlier of the two, TTL 60 s). It reports
// whether to delivered payload to a subscription; if the sentinel arrives
// first, payload was processed and dropped before it, and the reason is the
// time-drop counter of to that went up.
func whisperExchange(t *testing.T, from, to *Node, payload string) (bool, string) {
	t.Helper()
	cf, ct := dialHTTP(t, from), dialWS(t, to)
	var keyFrom, keyTo string
	call(t, cf, &keyFrom, "shh_generateSymKeyFromPassword", "clock test")
	call(t, ct, &keyTo, "shh_generateSymKeyFromPassword", "clock test")
	ch := make(chan *shh.Message, 16)
	sub, err := ct.Subscribe(context.Background(), "shh", ch, "messages", map[string]any{"symKeyID": keyTo, "topics": []string{"0x01020304"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	before := timeDrops(to)
	var hash hexutil.Bytes
	call(t, cf, &hash, "shh_post", map[string]any{
		"symKeyID": keyFrom, "topic": "0x01020304", "payload": hexutil.Encode([]byte(payload)),
		"ttl": 15, "powTarget": 0.002, "powTime": 5,
	})
	sentinel := postSentinel(t, from, to)
	deadline := time.After(10 * time.Second)
	sentinelSeen := false
	for {
		select {
		case m := <-ch:
			switch {
			case bytes.Equal(m.Hash, hash):
				return true, ""
			case bytes.Equal(m.Hash, sentinel[:]):
				sentinelSeen = true
			}
		case <-deadline:
			t.Fatalf("%q was neither delivered nor dropped (sentinel seen: %v)", payload, sentinelSeen)
		}
		if sentinelSeen {
			for reason, n := range timeDrops(to) {
				if n > before[reason] {
					return false, reason
				}
			}
		}
	}
}

// statusExchange sends a text in public chat from from (statusd_sendText)
// and reports whether the envelope reached to, watched by a shh
// subscription on the chat's key and topic: once the message is sent (or
// refused), a sentinel follows it, and if the sentinel arrives first the
// message was dropped.
func statusExchange(t *testing.T, from, to *Node, chat string) bool {
	t.Helper()
	cf, ct := dialHTTP(t, from), dialWS(t, to)
	var joined messenger.Chat
	call(t, cf, &joined, "statusd_joinPublicChat", chat)
	var keyTo string
	call(t, ct, &keyTo, "shh_generateSymKeyFromPassword", chat)
	topic := wproto.TopicFromName(chat)
	ch := make(chan *shh.Message, 16)
	sub, err := ct.Subscribe(context.Background(), "shh", ch, "messages", map[string]any{"symKeyID": keyTo, "topics": []string{hexutil.Encode(topic[:])}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	var id string
	call(t, cf, &id, "statusd_sendText", chat, "what time is it")
	// Sent once the peer acknowledged it (Whisper code 11); a peer whose
	// clock disagrees refuses it instead (code 12), and it stays queued.
	testutil.WaitFor(t, 10*time.Second, "the text sent or refused", func() bool {
		var d messenger.Delivery
		call(t, cf, &d, "statusd_deliveryState", id)
		return d.State == messenger.DeliverySent || len(d.Confirmations) > 0
	})
	sentinel := postSentinelOn(t, from, to, chat, topic)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-ch:
			return !bytes.Equal(m.Hash, sentinel[:])
		case <-deadline:
			t.Fatal("neither the text nor the sentinel arrived")
		}
	}
}

// postSentinel sends, from from, an envelope on the test topic that both
// nodes' clocks accept, and returns its hash.
func postSentinel(t *testing.T, from, to *Node) common.Hash {
	t.Helper()
	return postSentinelOn(t, from, to, "clock test", wproto.Topic{1, 2, 3, 4})
}

// postSentinelOn sends, from from, an envelope on topic, encrypted with the
// key of password, that both nodes' clocks accept: sent at the earlier of
// the two, with a 60 s TTL. It returns its hash.
func postSentinelOn(t *testing.T, from, to *Node, password string, topic wproto.Topic) common.Hash {
	t.Helper()
	key, err := wproto.SymKeyFromPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	sent := from.Clock().Now()
	if other := to.Clock().Now(); other.Before(sent) {
		sent = other
	}
	env, err := wproto.Wrap(&wproto.MessageParams{TTL: 60, KeySym: &key, Topic: topic,
		Payload: []byte("sentinel"), PoW: 0.002}, sent, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := whisper.Seal(context.Background(), env, 0.002, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	h, err := from.Whisper().Send(env)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var timeDropRE = regexp.MustCompile(`whisper_envelopes_dropped_total\{reason="(expired|future|very_old)"\} (\S+)`)

// timeDrops reads n's counts of envelopes dropped for their time.
func timeDrops(n *Node) map[string]float64 {
	var buf bytes.Buffer
	n.Metrics().WriteText(&buf)
	out := make(map[string]float64)
	for _, m := range timeDropRE.FindAllStringSubmatch(buf.String(), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			panic(fmt.Sprintf("metric value %q", m[2]))
		}
		out[m[1]] = v
	}
	return out
}
