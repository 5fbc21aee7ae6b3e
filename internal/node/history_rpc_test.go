package node

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"go.uber.org/goleak"

	mailapi "github.com/statusnode/statusd/api/mailserver"
	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/topichistory"
)

// statusFilter installs a P2P-enabled filter of the "status" topic at cc
// and returns a function that waits until the filter saw want payloads.
func statusFilter(t *testing.T, n *Node) func(want ...string) {
	t.Helper()
	cc := dialHTTP(t, n)
	var key, filter string
	call(t, cc, &key, "shh_generateSymKeyFromPassword", "status")
	call(t, cc, &filter, "shh_newMessageFilter", map[string]any{"symKeyID": key, "topics": []string{statusTopic}, "allowP2P": true})
	got := map[string]bool{}
	return func(want ...string) {
		t.Helper()
		testutil.WaitFor(t, 10*time.Second, "archived messages", func() bool {
			var msgs []*shh.Message
			call(t, cc, &msgs, "shh_getFilterMessages", filter)
			for _, m := range msgs {
				got[string(m.Payload)] = true
			}
			for _, w := range want {
				if !got[w] {
					return false
				}
			}
			return true
		})
	}
}

// linkNodes links a to b and waits for the Whisper handshake on both.
func linkNodes(t *testing.T, a, b *Node) {
	t.Helper()
	var ok bool
	call(t, dialHTTP(t, a), &ok, "admin_addPeer", b.P2P().Self().URLv4())
	testutil.WaitFor(t, 10*time.Second, "whisper peers", func() bool {
		return a.Whisper().HasPeer(b.P2P().Self().ID()) && b.Whisper().HasPeer(a.P2P().Self().ID())
	})
}

// TestInitiateHistoryRequestsRPC: a client initiates the history of the
// "status" topic from a mailserver on loopback; the archived messages
// arrive, the completion names the returned ID; after
// shhext_completeRequest the topic is complete up to the request's end and
// the next initiate asks from there (less the 20 s allowance) to now.
func TestInitiateHistoryRequestsRPC(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	cm := testConfig(t)
	cm.Mailserver.Enabled = true
	m, c := startNode(t, cm), startNode(t, testConfig(t))
	postExpired(t, m, "archived one", "archived two")
	wait := statusFilter(t, c)
	cc := dialWS(t, c)
	events := make(chan mailapi.Event, 64)
	sub, err := cc.Subscribe(context.Background(), "mailserver", events, "events")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	linkNodes(t, c, m)

	params := map[string]any{"Peer": m.P2P().Self().URLv4(),
		"Requests": []map[string]any{{"Topic": statusTopic, "Duration": int64(10 * time.Minute)}}}
	var ids []hexutil.Bytes
	call(t, cc, &ids, "shhext_initiateHistoryRequests", params)
	if len(ids) != 1 || len(ids[0]) != 32 {
		t.Fatalf("ids %v", ids)
	}
	wait("archived one", "archived two")
	if done := nextEvent(t, events, mailapi.EventRequestCompleted); done["requestID"] != ids[0].String() {
		t.Fatalf("completion %v, request %s", done, ids[0])
	}

	store := topichistory.New(storage.NewTable(c.db, topichistory.TableName))
	key := topichistory.Key{Topic: wproto.Topic(common.FromHex(statusTopic)), Duration: 10 * time.Minute}
	first, err := store.History(key)
	if err != nil || first.RequestID != common.BytesToHash(ids[0]) || first.End.Sub(first.Current) != 10*time.Minute {
		t.Fatalf("pending history %+v, %v", first, err)
	}
	var none any
	call(t, cc, &none, "shhext_completeRequest", ids[0].String())
	done, err := store.History(key)
	if err != nil || done.Pending() || !done.Current.Equal(first.End) || !done.First.Equal(first.First) {
		t.Fatalf("completed history %+v, %v (first %+v)", done, err, first)
	}
	wantInvalid(t, dialHTTP(t, c), "id", "shhext_completeRequest", ids[0].String())

	params["Force"] = true
	var next []hexutil.Bytes
	call(t, cc, &next, "shhext_initiateHistoryRequests", params)
	second, err := store.History(key)
	if err != nil || len(next) != 1 || second.RequestID != common.BytesToHash(next[0]) || !second.Current.Equal(first.End) {
		t.Fatalf("second request %v: history %+v, %v", next, second, err)
	}
	if done := nextEvent(t, events, mailapi.EventRequestCompleted); done["requestID"] != next[0].String() {
		t.Fatalf("second completion %v", done)
	}
	sub.Unsubscribe()
	for _, n := range []*Node{c, m} {
		if err := n.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSyncMessagesRPC: mailserver B syncs the last ten minutes of
// mailserver A's archive with shhext_syncMessages, then serves those
// envelopes to a client that only knows B.
func TestSyncMessagesRPC(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	ca, cb := testConfig(t), testConfig(t)
	ca.Mailserver.Enabled, cb.Mailserver.Enabled = true, true
	a, b := startNode(t, ca), startNode(t, cb)
	postExpired(t, a, "synced one", "synced two", "synced three")
	linkNodes(t, b, a)

	bc := dialHTTP(t, b)
	to := uint32(time.Now().Unix())
	req := map[string]any{"mailServerPeer": a.P2P().Self().URLv4(), "from": to - 600, "to": to + 5, "limit": 2, "followCursor": true}
	var resp mailapi.SyncMessagesResponse
	call(t, bc, &resp, "shhext_syncMessages", req)
	if resp != (mailapi.SyncMessagesResponse{}) {
		t.Fatalf("sync: %+v", resp)
	}
	// Without followCursor a page of one leaves a cursor.
	req["limit"], req["followCursor"] = 1, false
	call(t, bc, &resp, "shhext_syncMessages", req)
	if len(resp.Cursor) != 72 || resp.Error != "" {
		t.Fatalf("one page: %+v", resp)
	}
	wantInvalid(t, bc, "limit", "shhext_syncMessages", map[string]any{"mailServerPeer": a.P2P().Self().URLv4()})
	wantInvalid(t, bc, "mailServerPeer", "shhext_syncMessages", map[string]any{"limit": 10})

	// A client that never met A gets A's envelopes from B.
	c := startNode(t, testConfig(t))
	wait := statusFilter(t, c)
	linkNodes(t, c, b)
	var ok bool
	call(t, dialHTTP(t, a), &ok, "admin_removePeer", b.P2P().Self().URLv4())
	var id hexutil.Bytes
	call(t, dialHTTP(t, c), &id, "shhext_requestMessages", map[string]any{
		"mailServerPeer": b.P2P().Self().URLv4(), "from": to - 600, "to": to + 5, "topics": []string{statusTopic}})
	wait("synced one", "synced two", "synced three")
	for _, n := range []*Node{c, b, a} {
		if err := n.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}
