package whisper

import (
	"context"
	"errors"
	"testing"
	"time"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// blockingSink subscribes a sink filter on topic that signals entered and
// then waits for release before it returns.
func blockingSink(t *testing.T, w *testNode, key *wproto.SymKey, topic wproto.Topic) (entered, release chan struct{}) {
	t.Helper()
	entered, release = make(chan struct{}, 16), make(chan struct{})
	if _, err := w.Filters().SubscribeFunc(&Filter{KeySym: key, Topics: []wproto.Topic{topic}}, func(*Message) {
		entered <- struct{}{}
		<-release
	}); err != nil {
		t.Fatal(err)
	}
	return entered, release
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestSettleWaitsForDeliveryUnderWay: Settle does not return while a
// delivery that began before it is still in a sink, returns once that
// sink returned, and is not held up by a delivery that began after it.
func TestSettleWaitsForDeliveryUnderWay(t *testing.T) {
	w := newTestWhisper(t, nil)
	key := testKey(t)
	topicA, topicB := wproto.TopicFromName("settle-a"), wproto.TopicFromName("settle-b")
	enteredA, releaseA := blockingSink(t, w, key, topicA)
	enteredB, releaseB := blockingSink(t, w, key, topicB)
	send := func(topic wproto.Topic) chan error {
		errc := make(chan error, 1)
		env := sealed(t, key, topic, []byte("x"), time.Now(), 0.002)
		go func() { _, err := w.Send(env); errc <- err }()
		return errc
	}
	if !closed(w.inflight.wait()) {
		t.Fatal("Settle waits with no delivery under way")
	}
	errA := send(topicA)
	<-enteredA
	settled := w.inflight.wait() // Settle's wait, taken while A is in its sink
	if closed(settled) {
		t.Fatal("Settle returned while a delivery was in a sink")
	}
	errB := send(topicB)
	<-enteredB // a delivery that began after the call
	close(releaseA)
	if err := <-errA; err != nil {
		t.Fatal(err)
	}
	select {
	case <-settled:
	case <-time.After(10 * time.Second):
		t.Fatal("Settle still waits after the delivery ended (held up by a later one)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Settle(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Settle with a delivery under way and ctx ended: %v", err)
	}
	close(releaseB)
	if err := <-errB; err != nil {
		t.Fatal(err)
	}
	if err := w.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSettleCoversPeerPackets: a Messages packet from a peer counts from
// before its envelopes reach the filters until the sink returned.
func TestSettleCoversPeerPackets(t *testing.T) {
	w := newTestWhisper(t, nil)
	key, topic := testKey(t), wproto.TopicFromName("settle-peer")
	entered, release := blockingSink(t, w, key, topic)
	p := connectRaw(t, w.Whisper, goodStatus(), false)
	env := sealed(t, key, topic, []byte("from a peer"), time.Now(), 0.002)
	if err := p.send(wproto.MessagesCode, wproto.EncodeEnvelopes([]*wproto.Envelope{env})); err != nil {
		t.Fatal(err)
	}
	<-entered
	done := make(chan error, 1)
	go func() { done <- w.Settle(context.Background()) }()
	settled := w.inflight.wait()
	if closed(settled) {
		t.Fatal("Settle returned while a peer's envelope was in a sink")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
