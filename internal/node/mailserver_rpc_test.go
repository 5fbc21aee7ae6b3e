package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"

	mailapi "github.com/statusnode/statusd/api/mailserver"
	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/transport/whisper"
)

const statusTopic = "0xcd423760" // the "status" public chat (§4.1)

// postExpired posts payloads on the "status" public chat at n while it has
// no peers, with a short TTL, and waits until every envelope expired from
// n's pool, so that a peer connecting later cannot get them live: only
// from n's mailserver archive.
func postExpired(t *testing.T, n *Node, payloads ...string) {
	t.Helper()
	sub := n.Whisper().SubscribeEvents(64)
	defer sub.Unsubscribe()
	c := dialHTTP(t, n)
	var key string
	call(t, c, &key, "shh_generateSymKeyFromPassword", "status")
	pending := map[common.Hash]bool{}
	for _, p := range payloads {
		var hash hexutil.Bytes
		call(t, c, &hash, "shh_post", map[string]any{
			"symKeyID": key, "topic": statusTopic, "payload": hexutil.Encode([]byte(p)),
			"ttl": 2, "powTarget": 0.002, "powTime": 1,
		})
		pending[common.BytesToHash(hash)] = true
	}
	deadline := time.After(15 * time.Second)
	for len(pending) > 0 {
		select {
		case ev := <-sub.C():
			if ev.Kind == whisper.EventEnvelopeExpired {
				delete(pending, ev.Hash)
			}
		case <-deadline:
			t.Fatalf("%d posted envelopes did not expire", len(pending))
		}
	}
}

// nextEvent returns the next mailserver event of type typ.
func nextEvent(t *testing.T, ch chan mailapi.Event, typ string) map[string]any {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.Type == typ {
				m, _ := ev.Event.(map[string]any)
				return m
			}
		case <-deadline:
			t.Fatalf("no %s event", typ)
		}
	}
}

// TestMailserverRPC: a mailserver node M and a client node C on loopback.
// Envelopes of the "status" public chat posted at M before C connects are
// archived; C fetches them with shhext_requestMessages and
// mailserver_fillGaps, sees the gap before and none after, and gets the
// completion and gap events on mailserver_subscribe("events").
func TestMailserverRPC(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) }) // runs after the nodes stop
	cm := testConfig(t)
	cm.Mailserver.Enabled = true
	m, c := startNode(t, cm), startNode(t, testConfig(t))
	postExpired(t, m, "archived one", "archived two", "archived three")

	cc := dialWS(t, c)
	var key, filter string
	call(t, cc, &key, "shh_generateSymKeyFromPassword", "status")
	call(t, cc, &filter, "shh_newMessageFilter", map[string]any{"symKeyID": key, "topics": []string{statusTopic}, "allowP2P": true})
	events := make(chan mailapi.Event, 64)
	sub, err := cc.Subscribe(context.Background(), "mailserver", events, "events")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	to := uint32(time.Now().Unix())
	from := to - 600
	var gaps []mailapi.TopicRanges
	call(t, cc, &gaps, "mailserver_gaps", []string{statusTopic}, from, to)
	if len(gaps) != 1 || gaps[0].Topic != statusTopic || len(gaps[0].Ranges) != 1 || gaps[0].Ranges[0] != (mailapi.Range{From: from, To: to}) {
		t.Fatalf("gaps before: %+v", gaps)
	}

	enode := m.P2P().Self().URLv4()
	var ok bool
	call(t, cc, &ok, "admin_addPeer", enode)
	testutil.WaitFor(t, 10*time.Second, "whisper peers", func() bool {
		return m.Whisper().PeerCount() == 1 && c.Whisper().PeerCount() == 1
	})

	req := map[string]any{"mailServerPeer": enode, "from": from, "to": to, "topics": []string{statusTopic}}
	var id hexutil.Bytes
	call(t, cc, &id, "shhext_requestMessages", req)
	if len(id) != 32 {
		t.Fatalf("request ID %x", id)
	}
	got := map[string]bool{}
	testutil.WaitFor(t, 10*time.Second, "archived messages at the client", func() bool {
		var msgs []*shh.Message
		call(t, cc, &msgs, "shh_getFilterMessages", filter)
		for _, msg := range msgs {
			got[string(msg.Payload)] = true
		}
		return len(got) == 3
	})
	if !got["archived one"] || !got["archived two"] || !got["archived three"] {
		t.Fatalf("messages %v", got)
	}
	done := nextEvent(t, events, mailapi.EventRequestCompleted)
	if done["requestID"] != hexutil.Encode(id) || done["errorMessage"] != "" || done["cursor"] != "" {
		t.Fatalf("completion %v, request %x", done, id)
	}

	// A second request for the same topics right away is refused unless forced.
	err = cc.CallContext(context.Background(), nil, "shhext_requestMessages", req)
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 || !strings.Contains(err.Error(), "force") {
		t.Fatalf("unforced repeat: %v", err)
	}
	req["force"] = true
	var resp mailapi.MessagesResponse
	call(t, cc, &resp, "shhext_requestMessagesSync", map[string]any{"BaseTimeout": 5 * time.Second, "MaxRetries": 1}, req)
	if resp != (mailapi.MessagesResponse{}) {
		t.Fatalf("requestMessagesSync: %+v", resp)
	}

	var filled []mailapi.TopicRanges
	call(t, cc, &filled, "mailserver_fillGaps", map[string]any{"mailServerPeer": enode, "topics": []string{statusTopic}, "from": from, "to": to})
	if len(filled) != 1 || len(filled[0].Ranges) != 1 {
		t.Fatalf("fillGaps: %+v", filled)
	}
	found, fill := nextEvent(t, events, mailapi.EventGapFound), nextEvent(t, events, mailapi.EventGapFilled)
	if found["topic"] != statusTopic || fill["from"] != float64(from) || fill["to"] != float64(to) {
		t.Fatalf("gap events %v %v", found, fill)
	}
	call(t, cc, &gaps, "mailserver_gaps", []string{statusTopic}, from, to)
	if len(gaps) != 1 || len(gaps[0].Ranges) != 0 {
		t.Fatalf("gaps after fillGaps: %+v", gaps)
	}
	var covered []mailapi.TopicRanges
	call(t, cc, &covered, "mailserver_coveredRanges", []string{statusTopic})
	if len(covered) != 1 || len(covered[0].Ranges) != 1 || covered[0].Ranges[0].From > from || covered[0].Ranges[0].To < to {
		t.Fatalf("coveredRanges: %+v", covered)
	}
	var tracked []string
	call(t, cc, &tracked, "mailserver_track", []string{statusTopic})
	if fmt.Sprint(tracked) != "["+statusTopic+"]" {
		t.Fatalf("track: %v", tracked)
	}
	sub.Unsubscribe()
	for _, n := range []*Node{c, m} {
		if err := n.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMailserverRPCBadParams: bad request fields are -32602 naming them.
func TestMailserverRPCBadParams(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	n := startNode(t, testConfig(t))
	c := dialHTTP(t, n)
	topics := []string{statusTopic}
	for _, tc := range []struct {
		field string
		req   map[string]any
	}{
		{"mailServerPeer", map[string]any{"mailServerPeer": "enode://nope", "topics": topics}},
		{"topics[1]", map[string]any{"topics": []string{statusTopic, "0x12"}}},
		{"topics", map[string]any{}},
		{"topic", map[string]any{"topic": "zz"}},
		{"from", map[string]any{"from": 10, "to": 5, "topics": topics}},
		{"cursor", map[string]any{"cursor": "0x1234", "topics": topics}},
		{"symKeyID", map[string]any{"symKeyID": "no-such-key", "topics": topics}},
	} {
		wantInvalid(t, c, tc.field, "shhext_requestMessages", tc.req)
		wantInvalid(t, c, tc.field, "shhext_requestMessagesSync", map[string]any{"MaxRetries": 0}, tc.req)
	}
	wantInvalid(t, c, "MaxRetries", "shhext_requestMessagesSync", map[string]any{"MaxRetries": -1}, map[string]any{"topics": topics})
	wantInvalid(t, c, "topics[0]", "mailserver_gaps", []string{"0xcd42"})
	wantInvalid(t, c, "from", "mailserver_gaps", topics, 20, 10)
	wantInvalid(t, c, "topics", "mailserver_coveredRanges", []string{})
	wantInvalid(t, c, "topics[0]", "mailserver_track", []string{"x"})
	wantInvalid(t, c, "mailServerPeer", "mailserver_fillGaps", map[string]any{"mailServerPeer": "x", "topics": topics})
	wantInvalid(t, c, "topics", "mailserver_fillGaps", map[string]any{})
	// No mailserver configured or named: -32000.
	var rerr rpc.Error
	err := c.CallContext(context.Background(), nil, "shhext_requestMessages", map[string]any{"topics": topics})
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 || !strings.Contains(err.Error(), "no mailserver") {
		t.Fatalf("no mailserver: %v", err)
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
}
