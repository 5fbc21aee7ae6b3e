package messenger

import (
	"crypto/ecdsa"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// recoverer is a ReceivedMessage.Recover that counts its calls.
type recoverer struct {
	key   *ecdsa.PublicKey
	err   error
	calls atomic.Int32
}

func (r *recoverer) recover() (*ecdsa.PublicKey, error) {
	r.calls.Add(1)
	return r.key, r.err
}

// needsSigner: only a public message in a v1 wrapper with its own
// signature goes without its Whisper signer.
func TestNeedsSigner(t *testing.T) {
	alice := genKey(t)
	transit := []byte(`["~#c4",["hi","chat","~:text/plain","~:public-group-user-message",1,1]]`)
	signed, err := message.Wrap(transit, alice)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := encryption.EncodeProtocolMessage(&encryption.ProtocolMessage{InstallationID: "x", Public: signed})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		payload []byte
		kind    sourceKind
		want    bool
	}{
		{"public signed wrapper", signed, srcPublic, false},
		{"public unsigned wrapper", message.EncodeWrapper(message.Wrapper{Payload: transit}), srcPublic, true},
		{"public bare", transit, srcPublic, true},
		{"public ProtocolMessage", pm, srcPublic, true},
		{"direct signed wrapper", signed, srcDirect, true},
		{"contact code", pm, srcContactCode, true},
	} {
		in := inbound{msg: ReceivedMessage{Payload: c.payload}, src: source{kind: c.kind}}
		if got := needsSigner(in); got != c.want {
			t.Errorf("%s: needsSigner %t, want %t", c.name, got, c.want)
		}
	}
}

// precompute recovers a deferred Whisper signer only for the payloads that
// use it: a wrapped public message is attributed to its wrapper's signer,
// whatever its Whisper signature (another key's, or one that does not
// recover), without a recovery; a bare one gets its Whisper signer, or
// nothing computed when that signature does not recover (receive drops
// it).
func TestPrecomputeRecoversOnlyWhatItUses(t *testing.T) {
	alice, bob := newRig(t), newRig(t)
	mallory := genKey(t)
	d := &dispatcher{c: bob.c}
	now := bob.c.cfg.Now()
	bare, err := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePublicGroup,
		Clock: now.UnixMilli(), Timestamp: now.UnixMilli(), Content: message.Content{ChatID: "chat", Text: "bare"}})
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := message.Wrap(bare, alice.key)
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("does not recover")
	recs := []*recoverer{
		{key: &mallory.PublicKey}, // wrapped, relayed by mallory
		{err: broken},             // wrapped, Whisper signature broken
		{key: &alice.key.PublicKey},
		{err: broken},
	}
	payloads := [][]byte{wrapped, wrapped, bare, bare}
	msgs := make([]inbound, len(recs))
	for i, r := range recs {
		msgs[i] = inbound{msg: ReceivedMessage{Payload: payloads[i], Recover: r.recover}, src: source{kind: srcPublic, chat: "chat"}}
	}
	pre, _ := d.precompute(msgs, nil, now)
	for i := range 2 {
		if recs[i].calls.Load() != 0 || msgs[i].msg.Signer != nil {
			t.Errorf("wrapped message %d: Whisper signer recovered", i)
		}
		if pre[i] == nil || pre[i].err != nil || message.PubKeyHex(pre[i].r.Author) != alice.c.selfHex {
			t.Errorf("wrapped message %d: computed %+v, want alice's message", i, pre[i])
		}
	}
	if recs[2].calls.Load() != 1 || msgs[2].msg.Signer != &alice.key.PublicKey {
		t.Errorf("bare message: %d recoveries, signer %v", recs[2].calls.Load(), msgs[2].msg.Signer)
	}
	if pre[2] == nil || pre[2].err != nil || message.PubKeyHex(pre[2].r.Author) != alice.c.selfHex {
		t.Errorf("bare message: computed %+v, want alice's message", pre[2])
	}
	if pre[3] != nil || msgs[3].msg.Signer != nil {
		t.Errorf("bare message with a broken signature: computed %+v, signer %v", pre[3], msgs[3].msg.Signer)
	}
}
