package whisper

import (
	"io"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestConfirmationsBetweenRouters: with confirmations on both sides, an
// envelope posted on A is acknowledged by B (code 11) and reported as
// EventEnvelopeAcknowledged as well as EventEnvelopeSent.
func TestConfirmationsBetweenRouters(t *testing.T) {
	a, b := newTestWhisper(t, nil), newTestWhisper(t, nil)
	events := a.SubscribeEvents(64)
	defer events.Unsubscribe()
	link(t, a.Whisper, b.Whisper)
	testutil.WaitFor(t, 5*time.Second, "linked", func() bool { return a.PeerCount() == 1 && b.PeerCount() == 1 })
	h, err := a.Send(sealed(t, testKey(t), wproto.TopicFromName("ack"), []byte("x"), time.Now(), 0.002))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[EventKind]bool{}
	testutil.WaitFor(t, 5*time.Second, "sent and acknowledged", func() bool {
		select {
		case ev := <-events.C():
			if ev.Hash == h {
				seen[ev.Kind] = true
				if ev.Kind == EventEnvelopeSent && !ev.Confirm {
					t.Error("sent to a peer that confirms, without Confirm")
				}
			}
		default:
		}
		return seen[EventEnvelopeSent] && seen[EventEnvelopeAcknowledged]
	})
}

// TestSentWithoutConfirmations: an envelope written to a peer that did not
// advertise confirmations is reported sent without Confirm (nothing more
// will come from that peer about it).
func TestSentWithoutConfirmations(t *testing.T) {
	a := newTestWhisper(t, nil)
	b := newTestWhisper(t, func(c *Config) { c.Confirmations = false })
	events := a.SubscribeEvents(64)
	defer events.Unsubscribe()
	link(t, a.Whisper, b.Whisper)
	testutil.WaitFor(t, 5*time.Second, "linked", func() bool { return a.PeerCount() == 1 && b.PeerCount() == 1 })
	h, err := a.Send(sealed(t, testKey(t), wproto.TopicFromName("noack"), []byte("x"), time.Now(), 0.002))
	if err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, "sent", func() bool {
		select {
		case ev := <-events.C():
			if ev.Hash == h && ev.Kind == EventEnvelopeSent {
				if ev.Confirm {
					t.Fatal("Confirm set for a peer without confirmations")
				}
				return true
			}
		default:
		}
		return false
	})
}

// TestConfirmationsWithRawPeer: to a peer that asked for confirmations the
// router answers each Messages packet with a Message Response listing the
// refused envelopes (a future one, code 1) and then the batch hash; a
// refusal of our own envelope by the peer is reported and that envelope is
// not reported acknowledged.
func TestConfirmationsWithRawPeer(t *testing.T) {
	w := newTestWhisper(t, nil)
	events := w.SubscribeEvents(64)
	defer events.Unsubscribe()
	status := wproto.EncodeStatus(&wproto.Status{Version: 6, Bloom: wproto.FullBloom(), Confirmations: true})
	r := connectRaw(t, w.Whisper, status, false)
	testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return w.PeerCount() == 1 })

	key, topic := testKey(t), wproto.TopicFromName("confirm")
	good := sealed(t, key, topic, []byte("ok"), time.Now(), 0.002)
	future := sealed(t, key, topic, []byte("later"), time.Now().Add(time.Hour), 0.002)
	body := wproto.EncodeEnvelopes([]*wproto.Envelope{good, future})
	if err := r.send(wproto.MessagesCode, body); err != nil {
		t.Fatal(err)
	}
	var resp wproto.MessageResponse
	var ack common.Hash
	for ack == (common.Hash{}) {
		select {
		case msg := <-r.got:
			switch wproto.PacketCode(msg.Code) {
			case wproto.MessageResponseCode:
				var ok bool
				var err error
				if resp, ok, err = wproto.DecodeMessageResponse(readAll(t, msg)); err != nil || !ok {
					t.Fatalf("response: %v %v", ok, err)
				}
			case wproto.BatchAcknowledgedCode:
				var err error
				if ack, err = wproto.DecodeBatchAck(readAll(t, msg)); err != nil {
					t.Fatal(err)
				}
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no confirmation")
		}
	}
	if want := wproto.BatchHash(body); ack != want || resp.Batch != want {
		t.Fatalf("ack %x response %x, want %x", ack, resp.Batch, want)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Hash != future.Hash() || resp.Errors[0].Code != wproto.EnvelopeTimeNotSynced {
		t.Fatalf("refusals %+v", resp.Errors)
	}

	// Our envelopes: the peer refuses e2 in whichever batch carries it and
	// acknowledges every batch.
	e1 := sealed(t, key, topic, []byte("one"), time.Now(), 0.002)
	e2 := sealed(t, key, topic, []byte("two"), time.Now(), 0.002)
	for _, e := range []*wproto.Envelope{e1, e2} {
		if _, err := w.Send(e); err != nil {
			t.Fatal(err)
		}
	}
	for got := 0; got < 2; {
		select {
		case msg := <-r.got:
			if wproto.PacketCode(msg.Code) != wproto.MessagesCode {
				continue
			}
			b := readAll(t, msg)
			envs, err := wproto.DecodeEnvelopesWire(b, w.MaxMessageSize())
			if err != nil {
				t.Fatal(err)
			}
			got += len(envs)
			var refused []wproto.EnvelopeError
			for _, e := range envs {
				if e.Env.Hash() == e2.Hash() {
					refused = append(refused, wproto.EnvelopeError{Hash: e2.Hash(), Code: wproto.EnvelopeOtherError, Description: "no room"})
				}
			}
			batch := wproto.BatchHash(b)
			r.send(wproto.MessageResponseCode, wproto.EncodeMessageResponse(wproto.MessageResponse{Batch: batch, Errors: refused}))
			r.send(wproto.BatchAcknowledgedCode, wproto.EncodeBatchAck(batch))
		case <-time.After(5 * time.Second):
			t.Fatal("envelopes not forwarded")
		}
	}
	state := map[common.Hash][]EventKind{}
	testutil.WaitFor(t, 5*time.Second, "confirmations reported", func() bool {
		select {
		case ev := <-events.C():
			if ev.Kind == EventEnvelopeAcknowledged || ev.Kind == EventEnvelopeRefused {
				state[ev.Hash] = append(state[ev.Hash], ev.Kind)
			}
		default:
		}
		return len(state[e1.Hash()]) == 1 && len(state[e2.Hash()]) == 1
	})
	if state[e1.Hash()][0] != EventEnvelopeAcknowledged || state[e2.Hash()][0] != EventEnvelopeRefused {
		t.Fatalf("reported %v", state)
	}
}

// TestForgottenBatchReportsItsEnvelopes: a batch whose acknowledgement is
// still awaited after maxPendingBatches newer ones is forgotten, and its
// local envelopes that the peer did not refuse come back to be reported
// as written; the newer batches still wait.
func TestForgottenBatchReportsItsEnvelopes(t *testing.T) {
	var pb pendingBatches
	first := common.Hash{0xf1}
	kept, refused := common.Hash{1}, common.Hash{2}
	if got := pb.add(first, []common.Hash{kept, refused}); len(got) != 0 {
		t.Fatalf("forgot %v with room left", got)
	}
	pb.refuse(wproto.MessageResponse{Batch: first, Errors: []wproto.EnvelopeError{{Hash: refused}}})
	for i := 1; i < maxPendingBatches; i++ {
		if got := pb.add(common.Hash{0xb0, byte(i), byte(i >> 8)}, []common.Hash{{3}}); len(got) != 0 {
			t.Fatalf("batch %d: forgot %v with room left", i, got)
		}
	}
	got := pb.add(common.Hash{0xee}, []common.Hash{{4}})
	if len(got) != 1 || got[0] != kept {
		t.Fatalf("forgotten: %v, want only %v", got, kept)
	}
	if pb.ack(first) != nil {
		t.Fatal("the forgotten batch is still waiting")
	}
	if out := pb.ack(common.Hash{0xee}); len(out) != 1 {
		t.Fatalf("newest batch acknowledged: %v", out)
	}
}

// TestAcksOwedWhileWriterWaits: a confirming peer sends many more batches
// than the control queue holds while it reads nothing, so our writer waits
// on it; once it reads, every batch is acknowledged — none was dropped
// for want of room.
func TestAcksOwedWhileWriterWaits(t *testing.T) {
	const batches = 3 * controlQueue
	w := newTestWhisper(t, nil)
	ours, theirs := p2p.MsgPipe()
	done := make(chan struct{})
	go func() { defer close(done); w.runPeer(randomID(t), "raw", ours, true, func() { ours.Close() }) }()
	t.Cleanup(func() { theirs.Close(); <-done })
	status := wproto.EncodeStatus(&wproto.Status{Version: 6, Bloom: wproto.FullBloom(), Confirmations: true})
	sent := make(chan error, 1)
	go func() {
		sent <- theirs.WriteMsg(p2p.Msg{Code: uint64(wproto.StatusCode), Size: uint32(len(status)), Payload: bytesReader(status)})
	}()
	st, err := theirs.ReadMsg() // the router's status
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, st.Payload) // the pipe's writer waits until it is read
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	// From now on nothing is read until every batch is sent.
	key, topic := testKey(t), wproto.TopicFromName("owed")
	want := make(map[common.Hash]bool, batches)
	for i := range batches {
		body := wproto.EncodeEnvelopes([]*wproto.Envelope{sealed(t, key, topic, []byte{byte(i), byte(i >> 8)}, time.Now(), 0.002)})
		want[wproto.BatchHash(body)] = true
		if err := theirs.WriteMsg(p2p.Msg{Code: uint64(wproto.MessagesCode), Size: uint32(len(body)), Payload: bytesReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	acked := make(chan common.Hash, batches)
	go func() {
		for {
			msg, err := theirs.ReadMsg()
			if err != nil {
				return
			}
			body, _ := io.ReadAll(msg.Payload)
			if wproto.PacketCode(msg.Code) == wproto.BatchAcknowledgedCode {
				if h, err := wproto.DecodeBatchAck(body); err == nil {
					acked <- h
				}
			}
		}
	}()
	deadline := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case h := <-acked:
			delete(want, h)
		case <-deadline:
			t.Fatalf("%d of %d batches never acknowledged", len(want), batches)
		}
	}
}

// TestPeerInfoAfterHandshake: admin_peers' protocol entry for shh is nil
// (p2p shows "handshake") until the Whisper handshake is done, and then
// describes the peer.
func TestPeerInfoAfterHandshake(t *testing.T) {
	w := newTestWhisper(t, nil)
	r := connectRaw(t, w.Whisper, nil, true)
	info := w.Protocol().PeerInfo
	if got := info(r.id); got != nil {
		t.Fatalf("before the handshake: %v", got)
	}
	r.send(wproto.StatusCode, wproto.EncodeStatus(&wproto.Status{Version: 6, Bloom: wproto.FullBloom(), Confirmations: true}))
	testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return w.HasPeer(r.id) })
	got, ok := info(r.id).(map[string]any)
	if !ok || got["confirmations"] != true || got["trusted"] != true || got["version"] != wproto.ProtocolVersionString {
		t.Fatalf("after the handshake: %v", info(r.id))
	}
}
