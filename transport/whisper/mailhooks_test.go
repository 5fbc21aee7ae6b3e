package whisper

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestMailHooks: accepted envelopes reach the envelope hook with their hash
// and whether a filter took them; code 125 is
// passed on only from trusted peers; the P2P hook can drop code-127
// envelopes; SendP2PPacket writes a mailserver packet to the peer.
func TestMailHooks(t *testing.T) {
	w := newTestWhisper(t, nil)
	var accepted, delivered, completes, filtered atomic.Int32
	var hashes sync.Map // hash → env
	w.SetEnvelopeHook(func(a Accepted) {
		hashes.Store(a.Hash(), a.Envelope)
		accepted.Add(1)
		if a.Delivered {
			delivered.Add(1)
		}
	})
	w.SetP2PCompleteHook(func(peer enode.ID, body []byte) { completes.Add(1) })
	w.SetP2PEnvelopeHook(func(peer enode.ID, env *wproto.Envelope) bool { filtered.Add(1); return false })

	r := connectRaw(t, w.Whisper, goodStatus(), false)
	testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return w.PeerCount() == 1 })
	key, topic := testKey(t), wproto.Topic{1, 2, 3, 4}
	env := sealed(t, key, topic, []byte("x"), time.Now(), 0.01)
	raw := env.AppendRLP(nil)
	r.send(wproto.MessagesCode, append(rlpListHeader(len(raw)), raw...))
	testutil.WaitFor(t, 5*time.Second, "envelope hook", func() bool { return accepted.Load() == 1 })
	if got, ok := hashes.Load(env.Hash()); !ok || got.(*wproto.Envelope).Hash() != env.Hash() || delivered.Load() != 0 {
		t.Fatalf("hook: hash known %v, delivered %d (no filter: want 0)", ok, delivered.Load())
	}
	if _, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}}); err != nil {
		t.Fatal(err)
	}
	env2 := sealed(t, key, topic, []byte("y"), time.Now(), 0.01)
	raw2 := env2.AppendRLP(nil)
	r.send(wproto.MessagesCode, append(rlpListHeader(len(raw2)), raw2...))
	testutil.WaitFor(t, 5*time.Second, "delivered envelope hook", func() bool { return accepted.Load() == 2 })
	if _, ok := hashes.Load(env2.Hash()); !ok || delivered.Load() != 1 {
		t.Fatalf("hook: hash known %v, delivered %d (filter: want 1)", ok, delivered.Load())
	}

	r.send(wproto.P2PRequestCompleteCode, []byte{0x80})
	testutil.WaitFor(t, 5*time.Second, "untrusted 125 dropped", func() bool { return w.m.dropped.Value(dropUntrustedComplete) == 1 })
	if err := w.MarkTrustedPeer(r.id); err != nil {
		t.Fatal(err)
	}
	r.send(wproto.P2PRequestCompleteCode, []byte{0x80})
	testutil.WaitFor(t, 5*time.Second, "trusted 125", func() bool { return completes.Load() == 1 })
	r.send(wproto.P2PMessageCode, raw)
	testutil.WaitFor(t, 5*time.Second, "p2p filtered", func() bool { return w.m.dropped.Value(dropP2PFiltered) == 1 })

	if err := w.SendP2PPacket(context.Background(), r.id, wproto.P2PRequestCompleteCode, []byte{0x80}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for got := false; !got; {
		select {
		case m := <-r.got:
			got = m.Code == uint64(wproto.P2PRequestCompleteCode)
		case <-deadline:
			t.Fatal("code 125 not written")
		}
	}
	if err := w.SendP2PPacket(context.Background(), r.id, wproto.MessagesCode, nil); err == nil {
		t.Error("SendP2PPacket accepted code 1")
	}
	if err := w.SendP2PPacket(context.Background(), randomID(t), wproto.P2PMessageCode, raw); err == nil {
		t.Error("SendP2PPacket to an unknown peer succeeded")
	}
}
