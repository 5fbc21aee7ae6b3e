package whisper

import (
	"testing"
	"time"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestSubscribeFunc: a sink filter gets its messages on the delivering
// goroutine (here the caller of Send) with no queue in between: more
// messages than Config.FilterQueue all arrive, none is counted as lost,
// and after Uninstall the sink is not called.
func TestSubscribeFunc(t *testing.T) {
	w := newTestWhisper(t, nil)
	key, topic := testKey(t), wproto.TopicFromName("sink")
	var got []string
	id, err := w.Filters().SubscribeFunc(&Filter{KeySym: key, Topics: []wproto.Topic{topic}}, func(m *Message) {
		got = append(got, string(m.Payload))
	})
	if err != nil {
		t.Fatal(err)
	}
	n := w.cfg.FilterQueue + 5
	for i := 0; i < n; i++ {
		if _, err := w.Send(sealed(t, key, topic, []byte{byte(i)}, time.Now(), 0.002)); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != n { // Send returned: each local delivery already ran
		t.Fatalf("sink got %d of %d", len(got), n)
	}
	if lost := w.m.dropped.Value(dropFilterBacklog); lost != 0 {
		t.Fatalf("%v messages counted lost", lost)
	}
	w.Filters().Uninstall(id)
	if _, err := w.Send(sealed(t, key, topic, []byte("after"), time.Now(), 0.002)); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatal("sink called after Uninstall")
	}
}
