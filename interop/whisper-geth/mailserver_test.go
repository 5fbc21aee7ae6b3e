package interop

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/interop/whispersuite"
)

// Mailserver interop with go-ethereum v1.9.20's whisper/mailserver (see
// doc.go for what overlaps). cmd/refnode runs geth's mailserver when
// $REFNODE_MAILSERVER_PASSWORD is set and sends geth-style history
// requests with debug_requestHistory; statusd runs its server role when
// $STATUSD_MAILSERVER is true. Both are passed through the environment so
// the shared harness starts the nodes unchanged.

const (
	mailPassword = "status-offline-inbox" // statusd's default --mailserver.password
	historyTTL   = 2                      // seconds: expired before the requester connects
	historyCount = 3
)

// archivedHistory posts historyCount symmetric envelopes on a fresh topic
// to n while it has no peers, then waits until they have expired, so that
// only a history answer (code 127) can deliver them: an expired envelope
// is no longer sent to, nor accepted from, a newly connected peer as a
// live one. It returns the topic, the message password, the envelope
// hashes and the [from, to] window (Unix seconds) that covers them.
func archivedHistory(t *testing.T, n *whispersuite.Node) (topic, pw string, hashes []string, from, to int64) {
	t.Helper()
	pw = whispersuite.RandHex(t, 16)
	key := n.Str(t, "shh_generateSymKeyFromPassword", pw)
	topic = whispersuite.RandTopic(t)
	from = time.Now().Unix() - 60
	var expiry int64
	for i := 0; i < historyCount; i++ {
		hashes = append(hashes, whispersuite.Post(t, n, map[string]any{"symKeyID": key, "topic": topic,
			"payload": fmt.Sprintf("0x%02x%s", i, whispersuite.RandHex(t, 8)), "ttl": historyTTL, "powTime": 1, "powTarget": whispersuite.PowTarget}))
		expiry = time.Now().Unix() + historyTTL
	}
	to = time.Now().Unix() + 60
	// Expiry is checked in whole seconds ("Expiry < now"): wait for the
	// second after the last expiry to begin.
	whispersuite.WaitFor(t, whispersuite.MsgTimeout, "the archived envelopes to expire", func() (bool, error) {
		return time.Now().Unix() > expiry+1, nil
	})
	return topic, pw, hashes, from, to
}

// historyFilters makes, on n, an allowP2P filter and a control filter
// without it, both for topic and the key of pw.
func historyFilters(t *testing.T, n *whispersuite.Node, topic, pw string) (p2p, control *whispersuite.Inbox) {
	t.Helper()
	key := n.Str(t, "shh_generateSymKeyFromPassword", pw)
	p2p = whispersuite.NewFilter(t, n, map[string]any{"symKeyID": key, "topics": []string{topic}, "allowP2P": true})
	control = whispersuite.NewFilter(t, n, map[string]any{"symKeyID": key, "topics": []string{topic}})
	return p2p, control
}

// gethRequest has ref ask server for [from, to] on topic as geth's
// whisperv6 client does (binary lower ‖ upper ‖ bloom payload, sealed with
// the mailserver password's key, signed).
func gethRequest(t *testing.T, ref, server *whispersuite.Node, from, to int64, topic string) {
	t.Helper()
	id := ref.Str(t, "debug_requestHistory", server.Enode, mailPassword, from, to, []string{topic})
	t.Logf("%s: history request %s sent to %s", ref.Name, id, server.Name)
}

// gethReadRequest waits for geth's mailserver to log how it read the
// request with envelope hash id (cmd/refnode's "mailserver request" line)
// and returns that line's key=value pairs.
func gethReadRequest(t *testing.T, ms *whispersuite.Node, id string) map[string]string {
	t.Helper()
	var kv map[string]string
	whispersuite.WaitFor(t, whispersuite.MsgTimeout, "geth's mailserver to log request "+id, func() (bool, error) {
		for _, line := range strings.Split(ms.Logs(), "\n") {
			if !strings.Contains(line, "mailserver request") || !strings.Contains(strings.ToLower(line), "hash="+strings.ToLower(id)) {
				continue
			}
			kv = map[string]string{}
			for _, f := range strings.Fields(line) {
				if k, v, ok := strings.Cut(f, "="); ok {
					kv[k] = v
				}
			}
			return true, nil
		}
		return false, nil
	})
	return kv
}

// expectHistory waits until every hash reached the allowP2P filter and
// checks that none reached the control filter (so they came as P2P
// messages, i.e. as history).
func expectHistory(t *testing.T, p2p, control *whispersuite.Inbox, hashes []string) {
	t.Helper()
	for _, h := range hashes {
		p2p.Wait(t, h)
	}
	if err := control.Poll(t); err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		if control.Has(h) {
			t.Errorf("%s: envelope %s reached a filter without allowP2P: not history", control.Node().Name, h)
		}
	}
}

// TestMailserverGethServesStatusd: statusd's client against go-ethereum's
// whisper/mailserver. A geth client (debug_requestHistory) fetching from
// the same archive first proves the envelopes are there. statusd's
// shhext_requestMessages then reaches the server (same envelope form: sym
// key of the password, signed, code 126) but its RLP payload is read by
// geth as the binary one, which gives lower ≥ 0xc0000000 > upper: geth
// delivers nothing and, having no completion packet (125), sends nothing
// at all, so statusd's request times out (shhext_requestMessagesSync
// fails with -32002) and the peers stay connected. With "legacy": true
// statusd sends the binary form and gets the history.
func TestMailserverGethServesStatusd(t *testing.T) {
	t.Setenv("REFNODE_MAILSERVER_PASSWORD", mailPassword)
	ms := whispersuite.StartNode(t, whispersuite.KindGethRef, "geth-mailserver")
	t.Setenv("REFNODE_MAILSERVER_PASSWORD", "")
	topic, pw, hashes, from, to := archivedHistory(t, ms)

	t.Run("geth_client", func(t *testing.T) {
		ref := whispersuite.StartNode(t, whispersuite.KindGethRef, "geth-client")
		whispersuite.Connect(t, ref, ms)
		p2p, control := historyFilters(t, ref, topic, pw)
		gethRequest(t, ref, ms, from, to, topic)
		expectHistory(t, p2p, control, hashes)
	})

	t.Run("statusd_client", func(t *testing.T) {
		sd := whispersuite.StartNode(t, whispersuite.KindStatusd, "statusd-client")
		whispersuite.Connect(t, sd, ms)
		var ok bool
		sd.Call(t, &ok, "shh_markTrustedPeer", ms.Enode)
		p2p, _ := historyFilters(t, sd, topic, pw)
		msKey := sd.Str(t, "shh_generateSymKeyFromPassword", mailPassword)
		req := map[string]any{"mailServerPeer": ms.Enode, "symKeyID": msKey, "topics": []string{topic},
			"from": from, "to": to, "force": true}

		// The request goes out: statusd returns its ID as soon as it is sent.
		id := sd.Str(t, "shhext_requestMessages", req)
		if len(id) != 66 {
			t.Fatalf("shhext_requestMessages returned %q, want a 32-byte hash", id)
		}
		// geth opened it (same key, signed) but read the RLP list header
		// as part of lower: an empty range.
		r := gethReadRequest(t, ms, id)
		lower, _ := strconv.ParseUint(r["lower"], 10, 32)
		upper, _ := strconv.ParseUint(r["upper"], 10, 32)
		if r["opened"] != "true" || r["signed"] != "true" || lower < 0xc0000000 || lower <= upper {
			t.Errorf("geth read statusd's request as %v; doc.go says: opened, signed, lower ≥ 0xc0000000 > upper", r)
		}
		t.Logf("geth read statusd's request %s as lower=%d upper=%d (asked for %d…%d)", id, lower, upper, from, to)

		// Waiting for it: no completion ever comes from geth.
		retry := map[string]any{"BaseTimeout": int64(2 * time.Second), "StepTimeout": 0, "MaxRetries": 0}
		start := time.Now()
		_, err := sd.CallErr("shhext_requestMessagesSync", retry, req)
		var rerr *whispersuite.RPCError
		if !errors.As(err, &rerr) || rerr.Code != -32002 {
			t.Fatalf("shhext_requestMessagesSync against geth's mailserver: error %v, want the -32002 timeout", err)
		}
		t.Logf("statusd: %v after %v (geth sends no completion)", err, time.Since(start).Round(time.Millisecond))

		// And nothing was delivered: the geth client above got the same
		// envelopes with a request sent after statusd's first one.
		if err := p2p.Poll(t); err != nil {
			t.Fatal(err)
		}
		for _, h := range hashes {
			if p2p.Has(h) {
				t.Errorf("statusd got %s from geth's mailserver: the RLP request overlaps after all; update doc.go", h)
			}
		}
		if up, err := sd.HasShhPeer(ms.Enode); !up || err != nil {
			t.Errorf("statusd lost geth's mailserver as a peer (err %v)", err)
		}
	})

	// With "legacy": true statusd sends the binary form geth reads: the
	// history arrives, and the call counts as done when its timeout passes
	// (geth sends no completion).
	t.Run("statusd_legacy_client", func(t *testing.T) {
		sd := whispersuite.StartNode(t, whispersuite.KindStatusd, "statusd-legacy-client")
		whispersuite.Connect(t, sd, ms)
		var ok bool
		sd.Call(t, &ok, "shh_markTrustedPeer", ms.Enode)
		p2p, control := historyFilters(t, sd, topic, pw)
		msKey := sd.Str(t, "shh_generateSymKeyFromPassword", mailPassword)
		req := map[string]any{"mailServerPeer": ms.Enode, "symKeyID": msKey, "topics": []string{topic},
			"from": from, "to": to, "force": true, "legacy": true}
		retry := map[string]any{"BaseTimeout": int64(2 * time.Second), "StepTimeout": 0, "MaxRetries": 0}
		if _, err := sd.CallErr("shhext_requestMessagesSync", retry, req); err != nil {
			t.Fatalf("legacy shhext_requestMessagesSync against geth's mailserver: %v", err)
		}
		expectHistory(t, p2p, control, hashes)
	})
}

// TestMailserverStatusdServesGeth: go-ethereum's whisperv6 client against
// statusd's server role. The request is the legacy binary form (lower ‖
// upper ‖ bloom: limit 0 = server default, no cursor); statusd answers
// with one envelope per code-127 packet (no Batch in that form), which
// geth delivers to its allowP2P filter, then a code-125 completion, which
// geth ignores as an unknown code without dropping the peer.
func TestMailserverStatusdServesGeth(t *testing.T) {
	t.Setenv("STATUSD_MAILSERVER", "true")
	t.Setenv("STATUSD_MAILSERVER_PASSWORD", mailPassword)
	sd := whispersuite.StartNode(t, whispersuite.KindStatusd, "statusd-mailserver")
	topic, pw, hashes, from, to := archivedHistory(t, sd)

	ref := whispersuite.StartNode(t, whispersuite.KindGethRef, "geth-client")
	whispersuite.Connect(t, ref, sd)
	p2p, control := historyFilters(t, ref, topic, pw)
	gethRequest(t, ref, sd, from, to, topic)
	expectHistory(t, p2p, control, hashes)
	// statusd's code-125 completion follows the code-127 packets; a live
	// envelope posted now still arrives, so geth skipped the unknown
	// code and kept the peer.
	key := sd.Str(t, "shh_generateSymKeyFromPassword", pw)
	live := whispersuite.Post(t, sd, map[string]any{"symKeyID": key, "topic": topic, "payload": "0x01", "ttl": whispersuite.TTL, "powTime": 1, "powTarget": whispersuite.PowTarget})
	control.Wait(t, live)
	if up, err := ref.HasShhPeer(sd.Enode); !up || err != nil {
		t.Errorf("geth dropped statusd after its answer (err %v)", err)
	}
}
