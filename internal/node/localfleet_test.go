package node

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/devp2p"
	"github.com/statusnode/statusd/transport/mailserver"
	"github.com/statusnode/statusd/transport/whisper"
)

// discoveryConfig is a test node that finds its peers by discovery (v4 and
// v5) from boot, on loopback only.
func discoveryConfig(t *testing.T, boot string) config.Config {
	c := testConfig(t)
	c.P2P.NoDiscover, c.P2P.DiscoveryV5 = false, true
	if boot != "" {
		c.P2P.BootNodes = []string{boot}
	}
	return c
}

// archiveSize reads n's mailserver_archive_envelopes gauge.
func archiveSize(t *testing.T, n *Node) int {
	t.Helper()
	var buf bytes.Buffer
	n.Metrics().WriteText(&buf)
	for _, line := range strings.Split(buf.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "mailserver_archive_envelopes "); ok {
			size, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("archive size %q", v)
			}
			return size
		}
	}
	t.Fatal("no mailserver_archive_envelopes")
	return 0
}

// TestLocalFleet is acceptance 3 with the record entries that stand in for
// 2019's discovery v5 topics (go-ethereum v1.17's discovery v5 has none): a
// boot node, a relay and two mailservers find each other by discovery; a new
// node with no static peers and no configured mailserver, only the boot
// node's address, dials relays it finds by their "whisper" entry, selects
// one of the mailservers it finds by their "whispermail" entry and fetches
// history from it; when that mailserver dies, the next request that fails
// for the second time (MaxFailures) fails over to the other, which answers.
func TestLocalFleet(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	boot := startNode(t, discoveryConfig(t, ""))
	bootURL := boot.P2P().Self().URLv4()
	relay := startNode(t, discoveryConfig(t, bootURL))
	var ms []*Node
	for range 2 {
		c := discoveryConfig(t, bootURL)
		c.Mailserver.Enabled = true
		ms = append(ms, startNode(t, c))
	}
	fleetNodes := []*Node{boot, relay, ms[0], ms[1]}
	for _, f := range fleetNodes {
		if self := f.P2P().Self(); !devp2p.IsRelay(self) || devp2p.IsMailserver(self) != (f.Mailserver() != nil) {
			t.Fatalf("record of %s: relay %v, mailserver %v", self.ID().TerminalString(), devp2p.IsRelay(self), devp2p.IsMailserver(self))
		}
	}
	// Each of four nodes with two peers or more: one connected fleet.
	testutil.WaitFor(t, 30*time.Second, "the fleet to find itself", func() bool {
		for _, f := range fleetNodes {
			if f.Whisper().PeerCount() < 2 {
				return false
			}
		}
		return true
	})

	// History: posted at the relay with a 2 s TTL, archived by both
	// mailservers, gone from every pool before the new node arrives.
	sub := relay.Whisper().SubscribeEvents(64)
	defer sub.Unsubscribe()
	rc := dialHTTP(t, relay)
	var key string
	call(t, rc, &key, "shh_generateSymKeyFromPassword", "status")
	before := []int{archiveSize(t, ms[0]), archiveSize(t, ms[1])} // the messengers' own envelopes
	pending := map[common.Hash]bool{}
	for i := range 3 {
		var hash hexutil.Bytes
		call(t, rc, &hash, "shh_post", map[string]any{"symKeyID": key, "topic": statusTopic,
			"payload": hexutil.Encode([]byte(fmt.Sprintf("history %d", i))), "ttl": 2, "powTarget": 0.002, "powTime": 1})
		pending[common.BytesToHash(hash)] = true
	}
	testutil.WaitFor(t, 10*time.Second, "archived at both mailservers", func() bool {
		return archiveSize(t, ms[0]) >= before[0]+3 && archiveSize(t, ms[1]) >= before[1]+3
	})
	for deadline := time.After(15 * time.Second); len(pending) > 0; {
		select {
		case ev := <-sub.C():
			if ev.Kind == whisper.EventEnvelopeExpired {
				delete(pending, ev.Hash)
			}
		case <-deadline:
			t.Fatal("history did not expire at the relay")
		}
	}

	nc := discoveryConfig(t, bootURL)
	if len(nc.P2P.StaticNodes) != 0 || len(nc.Mailserver.Servers) != 0 {
		t.Fatal("the new node has static peers or mailservers configured")
	}
	// The request to the killed mailserver fails by this timeout; the
	// default (10 s) would only make the test slower.
	nc.Mailserver.Timeout = "3s"
	n := startNode(t, nc)
	msIDs := []enode.ID{ms[0].P2P().Self().ID(), ms[1].P2P().Self().ID()}
	relayIDs := map[string]bool{}
	for _, f := range fleetNodes {
		relayIDs[f.P2P().Self().ID().String()] = true
	}
	// The node has no static peer, and a node with the topic search dials
	// only the relays it finds: a fleet node connected can only come from
	// a search (every fleet node advertises "whisper", the mailservers
	// "whispermail" too) — the node's own, or the fleet node's, which
	// finds the new node's "whisper" entry and may dial it first (then the
	// connection is inbound here, and the node's dial of it is not made).
	var state string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("new node at the end of the wait: %s", state)
		}
	})
	testutil.WaitFor(t, 30*time.Second, "relays found and a mailserver selected", func() bool {
		relays, inbound := 0, 0
		for _, p := range n.P2P().PeersInfo() {
			if !p.Network.Static && relayIDs[p.ID] {
				relays++
				if p.Network.Inbound {
					inbound++
				}
			}
		}
		sel := n.MailClient().Selected()
		state = fmt.Sprintf("%d fleet relays connected (%d inbound), selected %v, %d mailservers known",
			relays, inbound, sel, len(n.MailClient().Mailservers()))
		return relays >= nc.P2P.TopicRelays && sel != nil && slices.Contains(msIDs, sel.ID()) && n.Whisper().HasPeer(sel.ID()) &&
			len(n.MailClient().Mailservers()) == 2
	})
	w := dialWS(t, n)
	var nkey, filter string
	call(t, w, &nkey, "shh_generateSymKeyFromPassword", "status")
	call(t, w, &filter, "shh_newMessageFilter", map[string]any{"symKeyID": nkey, "topics": []string{statusTopic}, "allowP2P": true})
	to := uint32(time.Now().Unix()) + 5
	var id hexutil.Bytes
	call(t, w, &id, "shhext_requestMessages", map[string]any{"from": to - 600, "to": to, "topics": []string{statusTopic}})
	got := map[string]bool{}
	testutil.WaitFor(t, 10*time.Second, "history at the new node", func() bool {
		var msgs []*shh.Message
		call(t, w, &msgs, "shh_getFilterMessages", filter)
		for _, m := range msgs {
			got[string(m.Payload)] = true
		}
		return len(got) == 3
	})

	// Kill the selected mailserver.
	used := n.MailClient().Selected()
	other := ms[0]
	for _, m := range ms {
		if m.P2P().Self().ID() == used.ID() {
			m.Stop()
		} else {
			other = m
		}
	}
	otherID := other.P2P().Self().ID()
	failed := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, from, err := n.MailClient().RequestAny(ctx, mailserver.RequestParams{
			Lower: to - 600, Upper: uint32(time.Now().Unix()) + 5, Topics: []wproto.Topic{wproto.TopicFromName("status")}, FollowCursor: true})
		cancel()
		if err == nil {
			if from.ID() != otherID {
				t.Fatalf("answered by %v, want the other mailserver", from)
			}
			break
		}
		if failed++; failed >= mailserver.DefaultMaxFailures {
			t.Fatalf("request %d after the kill failed: %v", failed, err)
		}
	}
	t.Logf("failed over with %d failed request(s) before the one that succeeded", failed)
}
