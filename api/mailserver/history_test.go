package mailserver

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/topichistory"
)

// historyService is a Service over the fake client with a history store in
// memory and a clock the test moves.
type historyService struct {
	*Service
	c   *fakeClient
	mu  sync.Mutex
	now time.Time
}

func newHistoryService(t *testing.T) *historyService {
	h := &historyService{c: newFakeClient(), now: time.Unix(1_700_000_000, 0)}
	h.Service = New(h.c, fakeKeys{}, Config{
		Now:     func() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now },
		History: topichistory.New(storage.NewTable(storage.NewMemory(), topichistory.TableName)),
	})
	t.Cleanup(func() { h.Close() })
	return h
}

func (h *historyService) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

// requests returns the requests the fake saw, wanting n of them. The fake
// records a request before its Sent callback, so initiate's return
// ordered it.
func (h *historyService) requests(t *testing.T, n int) []string {
	t.Helper()
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	if len(h.c.requests) != n {
		t.Fatalf("%d requests, want %d: %v", len(h.c.requests), n, h.c.requests)
	}
	return append([]string{}, h.c.requests...)
}

func (h *historyService) initiate(t *testing.T, p InitiateHistoryRequestParams) []hexutil.Bytes {
	t.Helper()
	ids, err := h.InitiateHistoryRequests(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestInitiateHistoryRequests follows status-go v0.35's history
// bookkeeping: a new topic is requested from now − Duration (less the 20 s
// allowance) to now; topics with the same range share a request; a pending
// request is sent again; after completeRequest the next request starts
// where the completed one ended.
func TestInitiateHistoryRequests(t *testing.T) {
	h := newHistoryService(t)
	p := InitiateHistoryRequestParams{Peer: ms3URL, Requests: []TopicRequest{
		{Topic: "0x01020304", Duration: time.Hour}, {Topic: "0x05060708", Duration: time.Hour},
	}}
	ids := h.initiate(t, p)
	if len(ids) != 1 {
		t.Fatalf("ids %v, want one request for both topics", ids)
	}
	got := h.requests(t, 1)
	if !strings.Contains(got[0], ":1699996380-1700000000:[0x01020304 0x05060708]:limit=10000:") {
		t.Fatalf("first request %s", got[0])
	}

	// Not completed: the pending request goes out again with its range.
	h.advance(time.Minute)
	again := h.initiate(t, p)
	got = h.requests(t, 2)
	if len(again) != 1 || again[0].String() == ids[0].String() || !strings.Contains(got[1], ":1699996380-1700000000:") {
		t.Fatalf("resend %v: %s", again, got[1])
	}
	if err := h.CompleteRequest(context.Background(), ids[0].String()); !isInvalid(err) {
		t.Fatalf("completing the replaced ID: %v", err)
	}
	if err := h.CompleteRequest(context.Background(), strings.TrimPrefix(again[0].String(), "0x")); err != nil {
		t.Fatal(err)
	}

	// Completed: the next request asks only for what came after.
	h.advance(time.Hour)
	next := h.initiate(t, p)
	got = h.requests(t, 3)
	if len(next) != 1 || !strings.Contains(got[2], ":1699999980-1700003660:") {
		t.Fatalf("after completion %v: %s", next, got[2])
	}
	// Right away, the same pending request is not sent twice.
	if ids := h.initiate(t, p); len(ids) != 0 {
		t.Fatalf("repeat within the request delay sent %v", ids)
	}
}

func isInvalid(err error) bool {
	var rerr rpc.Error
	return errors.As(err, &rerr) && rerr.ErrorCode() == -32602
}

// TestInitiateHistoryBadParams: -32602 naming the field.
func TestInitiateHistoryBadParams(t *testing.T) {
	h := newHistoryService(t)
	for field, p := range map[string]InitiateHistoryRequestParams{
		"Requests[1].Topic":    {Requests: []TopicRequest{{Topic: "0x01020304"}, {Topic: "0x01020304", Duration: 1}}},
		"Requests[0].Topic":    {Requests: []TopicRequest{{Topic: "0x0102"}}},
		"Requests[0].Duration": {Requests: []TopicRequest{{Topic: "0x01020304", Duration: -1}}},
		"Peer":                 {Peer: "enode://nope"},
		"SymKeyID":             {SymKeyID: "nope"},
		"Timeout":              {Timeout: -1},
	} {
		_, err := h.InitiateHistoryRequests(context.Background(), p)
		if !isInvalid(err) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	for _, id := range []string{"0x12", "zz", "0x" + strings.Repeat("ab", 32)} {
		if err := h.CompleteRequest(context.Background(), id); !isInvalid(err) {
			t.Errorf("complete %q: %v", id, err)
		}
	}
	var rerr rpc.Error
	bare := New(newFakeClient(), fakeKeys{}, Config{Now: now})
	defer bare.Close()
	if _, err := bare.InitiateHistoryRequests(context.Background(), InitiateHistoryRequestParams{}); !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 {
		t.Errorf("without a store: %v", err)
	}
}

// TestHistoryDurations: a longer duration asked for a topic whose shorter
// history was fetched stops where the shorter one began (status-go's
// adjustRequestedHistory).
func TestHistoryDurations(t *testing.T) {
	h := newHistoryService(t)
	short := InitiateHistoryRequestParams{Peer: ms3URL, Requests: []TopicRequest{{Topic: "0x01020304", Duration: time.Hour}}}
	ids := h.initiate(t, short)
	h.requests(t, 1)
	if err := h.CompleteRequest(context.Background(), ids[0].String()); err != nil {
		t.Fatal(err)
	}
	long := InitiateHistoryRequestParams{Peer: ms3URL, Force: true, Requests: []TopicRequest{{Topic: "0x01020304", Duration: 3 * time.Hour}}}
	h.initiate(t, long)
	got := h.requests(t, 2)
	// from now − 3 h − 20 s to the first request's start (now − 1 h)
	if !strings.Contains(got[1], ":1699989180-1699996400:") {
		t.Fatalf("longer duration: %s", got[1])
	}
}
