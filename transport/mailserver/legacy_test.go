package mailserver

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestLegacyRequest: a Legacy request (the binary form go-ethereum's
// mailserver reads) fetches the archive from our server too; it completes
// when its timeout passes, records no covered range, and refuses a cursor.
func TestLegacyRequest(t *testing.T) {
	x := newSetup(t, nil)
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := wproto.SymKeyFromPassword("status-offline-inbox")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	x.c.p2p.RemovePeer(x.m.self())
	testutil.WaitFor(t, 10*time.Second, "client offline", func() bool { return x.c.w.PeerCount() == 0 })
	for i := range 3 {
		post(t, x.s, &key, topic, fmt.Sprintf("archived-%d", i))
	}
	testutil.WaitFor(t, 10*time.Second, "archived", func() bool {
		n, _ := x.arch.Count(context.Background())
		return n == 3
	})
	x.m.skew.Store(int64(time.Minute)) // the pool no longer hands them over
	col := collect(t, x.c.w, &key, topic)
	connect(t, x.m, x.c)

	now := uint32(time.Now().Unix())
	p := RequestParams{Lower: now - 300, Upper: now + 60, Topics: []wproto.Topic{topic}, SymKey: &inbox,
		Timeout: 1500 * time.Millisecond, FollowCursor: true, Legacy: true}
	begin := time.Now()
	res, err := x.client.Request(context.Background(), x.m.self(), p)
	if err != nil || len(res.RequestIDs) != 1 || res.Cursor != nil {
		t.Fatalf("legacy request: %+v, %v", res, err)
	}
	if took := time.Since(begin); took < p.Timeout {
		t.Fatalf("a legacy request returned after %v, before its %v timeout", took, p.Timeout)
	}
	testutil.WaitFor(t, 5*time.Second, "history", func() bool { d, _, _ := col.count(); return d == 3 })
	if _, _, viaP2P := col.count(); viaP2P != 3 {
		t.Fatalf("%d of 3 arrived as P2P messages", viaP2P)
	}
	if covered, err := x.client.Covered(topic); err != nil || len(covered) != 0 {
		t.Fatalf("a legacy request recorded coverage %+v, %v", covered, err)
	}
	p.Cursor = &msproto.Cursor{}
	if _, err := x.client.Request(context.Background(), x.m.self(), p); !errors.Is(err, ErrInvalidParams) {
		t.Fatalf("legacy request with a cursor: %v", err)
	}
}
