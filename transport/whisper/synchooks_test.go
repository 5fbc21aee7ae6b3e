package whisper

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestSyncHooks: code 123 reaches the request hook from any peer (dropped
// without one); code 124 only from trusted peers; SendP2PPacket writes
// both codes.
func TestSyncHooks(t *testing.T) {
	w := newTestWhisper(t, nil)
	r := connectRaw(t, w.Whisper, goodStatus(), false)
	testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return w.PeerCount() == 1 })

	r.send(wproto.P2PSyncRequestCode, []byte{0xc0})
	testutil.WaitFor(t, 5*time.Second, "123 without a hook dropped", func() bool { return w.m.dropped.Value(dropNoSyncHandler) == 1 })
	var reqs, resps atomic.Int32
	w.SetSyncRequestHook(func(peer enode.ID, body []byte) {
		if peer == r.id && len(body) == 1 {
			reqs.Add(1)
		}
	})
	w.SetSyncResponseHook(func(peer enode.ID, body []byte) { resps.Add(1) })
	r.send(wproto.P2PSyncRequestCode, []byte{0xc0})
	testutil.WaitFor(t, 5*time.Second, "untrusted 123 handled", func() bool { return reqs.Load() == 1 })
	r.send(wproto.P2PSyncResponseCode, []byte{0xc0})
	testutil.WaitFor(t, 5*time.Second, "untrusted 124 dropped", func() bool { return w.m.dropped.Value(dropUntrustedSync) == 1 })
	if err := w.MarkTrustedPeer(r.id); err != nil {
		t.Fatal(err)
	}
	r.send(wproto.P2PSyncResponseCode, []byte{0xc0})
	testutil.WaitFor(t, 5*time.Second, "trusted 124", func() bool { return resps.Load() == 1 })

	for _, code := range []wproto.PacketCode{wproto.P2PSyncRequestCode, wproto.P2PSyncResponseCode} {
		if err := w.SendP2PPacket(context.Background(), r.id, code, []byte{0xc0}); err != nil {
			t.Fatal(err)
		}
		deadline := time.After(5 * time.Second)
		for got := false; !got; {
			select {
			case m := <-r.got:
				got = m.Code == uint64(code)
			case <-deadline:
				t.Fatalf("code %s not written", code)
			}
		}
	}
}
