package whisper

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// deliverAll opens a packet's envelopes on several goroutines but hands
// them over in packet order, signed ones with their signer, and skips
// those no key opens or no filter allows (P2P) — as deliver one by one.
func TestDeliverAllKeepsOrder(t *testing.T) {
	w := newTestWhisper(t, nil)
	topic := wproto.TopicFromName("catch-up")
	key, other := testKey(t), testKey(t)
	signer, _ := crypto.GenerateKey()
	p2p, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}, AllowP2P: true})
	if err != nil {
		t.Fatal(err)
	}
	noP2P, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	if err != nil {
		t.Fatal(err)
	}
	var es []*entry
	for i := range 20 {
		k := key
		if i%7 == 3 {
			k = other
		}
		env, err := wproto.Wrap(&wproto.MessageParams{TTL: 50, Topic: topic, KeySym: k, Src: signer,
			Payload: []byte(fmt.Sprint(i))}, time.Now(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, w.newEntry(env))
	}
	w.filters.deliverAll(es, true, time.Now())

	f, _ := w.Filters().Get(p2p)
	got, err := f.Retrieve(0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 20 {
		if i%7 != 3 {
			want = append(want, fmt.Sprint(i))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d", len(got), len(want))
	}
	for i, m := range got {
		if string(m.Payload) != want[i] || !m.P2P || !m.SignedBy(&signer.PublicKey) {
			t.Fatalf("message %d: %q p2p %v, want %q signed", i, m.Payload, m.P2P, want[i])
		}
	}
	if f, _ := w.Filters().Get(noP2P); len(mustRetrieve(t, f)) != 0 {
		t.Fatal("a filter without AllowP2P got P2P messages")
	}
}

func mustRetrieve(t *testing.T, f *Filter) []*Message {
	t.Helper()
	msgs, err := f.Retrieve(0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}
