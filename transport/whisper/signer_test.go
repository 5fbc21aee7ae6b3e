package whisper

import (
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestSignerWanted: filters sharing a key share one opened message, yet
// each applies its own signature rule. A filter without SignerWanted (as
// every shh_ filter) gets only messages whose signature recovers, as
// go-ethereum's Whisper; one whose SignerWanted declines a payload gets
// that message even when its signature does not recover, and Signer then
// reports it; a payload it wants is recovered before delivery and dropped
// when the signature does not recover.
func TestSignerWanted(t *testing.T) {
	w := newTestWhisper(t, nil)
	key, topic := testKey(t), wproto.TopicFromName("lazy")
	alice, _ := crypto.GenerateKey()
	polled, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	if err != nil {
		t.Fatal(err)
	}
	var sunk []string
	sunkErr := map[string]error{}
	wanted := func(payload []byte) bool { return payload[0] != 'w' }
	if _, err := w.Filters().SubscribeFunc(&Filter{KeySym: key, Topics: []wproto.Topic{topic}, SignerWanted: wanted}, func(m *Message) {
		sunk = append(sunk, string(m.Payload))
		_, sunkErr[string(m.Payload)] = m.Signer()
	}); err != nil {
		t.Fatal(err)
	}
	for _, payload := range []string{"w-good", "w-bad", "b-bad", "b-good"} {
		p := &wproto.MessageParams{TTL: 50, KeySym: key, Topic: topic, Payload: []byte(payload), Src: alice}
		e, err := wproto.Wrap(p, time.Now(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if payload[2] == 'b' {
			raw, err := wproto.DecryptSymmetric(key, e.Data)
			if err != nil {
				t.Fatal(err)
			}
			clear(raw[len(raw)-wproto.SignatureLength : len(raw)-wproto.SignatureLength+32]) // R = 0: recovers nothing
			if e.Data, err = wproto.EncryptSymmetric(key, raw, rand.Reader); err != nil {
				t.Fatal(err)
			}
		}
		if err := Seal(t.Context(), e, 0.002, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Send(e); err != nil {
			t.Fatal(err)
		}
	}
	f, err := w.Filters().Get(polled)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := f.Retrieve(0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, string(m.Payload))
		if !m.SignedBy(&alice.PublicKey) {
			t.Errorf("polled %q not signed by alice", m.Payload)
		}
	}
	if !slices.Equal(got, []string{"w-good", "b-good"}) {
		t.Errorf("polled filter got %q, want the two with a valid signature", got)
	}
	if !slices.Equal(sunk, []string{"w-good", "w-bad", "b-good"}) {
		t.Errorf("sink got %q, want all but the wanted broken signature", sunk)
	}
	if sunkErr["w-good"] != nil || sunkErr["b-good"] != nil || !errors.Is(sunkErr["w-bad"], wproto.ErrInvalidSignature) {
		t.Errorf("sink's Signer errors: %v", sunkErr)
	}
}
