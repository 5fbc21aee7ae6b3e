package node

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/transport/timesource/ntptest"
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
		})
	}
}

// whisperExchange posts payload at from (shh_post, TTL 15 s) on a
// symmetric key both derive from a password, and waits until to either
// delivers it to a subscription or counts an envelope dropped because of
// its time, whose reason it returns.
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
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-ch:
			if bytes.Equal(m.Hash, hash) {
				return true, ""
			}
		case <-time.After(20 * time.Millisecond):
			for reason, n := range timeDrops(to) {
				if n > before[reason] {
					return false, reason
				}
			}
		case <-deadline:
			t.Fatalf("%q was neither delivered nor dropped", payload)
		}
	}
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
