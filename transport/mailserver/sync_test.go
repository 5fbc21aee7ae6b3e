package mailserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver/archive"
	"github.com/statusnode/statusd/transport/whisper"
)

// syncServer is a mailserver on its own loopback node.
type syncServer struct {
	n    *testNode
	srv  *Server
	arch archive.Archive
}

func newSyncServer(t *testing.T, name string, mod func(*ServerConfig)) *syncServer {
	t.Helper()
	x := &syncServer{n: newNode(t, name), arch: archive.NewMemory()}
	cfg := ServerConfig{Archive: x.arch, NodeKey: x.n.key}
	if mod != nil {
		mod(&cfg)
	}
	var err error
	if x.srv, err = NewServer(cfg, x.n.w, zaptest.NewLogger(t).Named(name), x.n.reg); err != nil {
		t.Fatal(err)
	}
	if err := x.srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.srv.Stop() })
	return x
}

func sealedEnvelope(t *testing.T, payload string) *wproto.Envelope {
	t.Helper()
	key := wproto.SymKey{1}
	env, err := wproto.Wrap(&wproto.MessageParams{TTL: 10, KeySym: &key, Topic: wproto.Topic{1, 2, 3, 4}, Payload: []byte(payload), PoW: 0.002}, time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := whisper.Seal(context.Background(), env, 0.002, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return env
}

func archived(t *testing.T, a archive.Archive) int {
	t.Helper()
	n, err := a.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSync: B pages through A's archive with Sync (codes 123/124 over
// loopback) and archives every envelope; a refused request comes back as
// the error text; a sync response nobody asked for is dropped.
func TestSync(t *testing.T) {
	a := newSyncServer(t, "a", func(c *ServerConfig) { c.MaxRange = time.Hour })
	b := newSyncServer(t, "b", nil)
	now := time.Now()
	for i := range 3 {
		if err := a.arch.Put(context.Background(), now, sealedEnvelope(t, fmt.Sprint("env ", i))); err != nil {
			t.Fatal(err)
		}
	}
	connect(t, b.n, a.n)

	req := &msproto.SyncRequest{Lower: uint32(now.Unix()) - 60, Upper: uint32(now.Unix()) + 60, Bloom: wproto.FullBloom(), Limit: 2}
	res, err := b.srv.Sync(context.Background(), a.n.self(), req)
	if err != nil || res.Cursor == nil || res.Archived != 2 || res.Error != "" {
		t.Fatalf("first page: %+v, %v", res, err)
	}
	req.Cursor = res.Cursor
	res, err = b.srv.Sync(context.Background(), a.n.self(), req)
	if err != nil || res.Cursor != nil || res.Archived != 1 {
		t.Fatalf("second page: %+v, %v", res, err)
	}
	if n := archived(t, b.arch); n != 3 {
		t.Fatalf("b archived %d envelopes, want 3", n)
	}

	// Two hours are over A's MaxRange: the answer is the error text.
	res, err = b.srv.Sync(context.Background(), a.n.self(), &msproto.SyncRequest{Lower: req.Upper - 7200, Upper: req.Upper, Bloom: req.Bloom, Limit: 10})
	if err != nil || res.Error == "" || res.Archived != 0 {
		t.Fatalf("refused: %+v, %v", res, err)
	}
	if _, err := b.srv.Sync(context.Background(), a.n.self(), &msproto.SyncRequest{Limit: 0}); err == nil {
		t.Fatal("limit 0 accepted")
	}

	// A response while no sync waits (A is trusted by now) is not archived.
	body := msproto.EncodeSyncResponse(&msproto.SyncResponse{Envelopes: []*wproto.Envelope{sealedEnvelope(t, "unasked")}, Final: true})
	if err := a.n.w.SendP2PPacket(context.Background(), b.n.self().ID(), wproto.P2PSyncResponseCode, body); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "unasked response dropped", func() bool {
		return b.srv.m.archiveDropped.Value("unasked_sync") == 1
	})
	if n := archived(t, b.arch); n != 3 {
		t.Fatalf("b archived %d envelopes after an unasked response", n)
	}
}
