package node

import (
	"crypto/ecdsa"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/message"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// TestWhisperSignerRules (docs/PROTOCOL.md §1.2, §1.8): over the network,
// a public message in a v1 wrapper signed by alice is shown from alice
// whatever its Whisper signature — another key's, or one that does not
// recover (the messenger never recovers it) — but not without one
// (ReasonUnsigned); a bare payload whose Whisper signature does not
// recover is not shown. A shh_ filter on the same key and topic keeps
// go-ethereum's rule: it gets every message whose signature recovers, with
// its `sig`, and none of the others.
func TestWhisperSignerRules(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	node := newChatter(t)
	const chat = "signer-rules"
	var c messenger.Chat
	node.call(&c, "statusd_joinPublicChat", chat)
	symKey, err := wproto.SymKeyFromPassword(chat)
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName(chat)
	var keyID, filter string
	node.call(&keyID, "shh_addSymKey", hexutil.Encode(symKey[:]))
	node.call(&filter, "shh_newMessageFilter", map[string]any{"symKeyID": keyID, "topics": []string{hexutil.Encode(topic[:])}, "allowP2P": true})

	alice, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	mallory, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	wrapped := func(text string) []byte {
		b, err := message.Wrap(chatC4(t, message.TypePublicGroup, chat, text), alice)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	public := func(src *ecdsa.PrivateKey, payload []byte) *wproto.Envelope {
		return sealFor(t, topic, &symKey, nil, src, payload)
	}
	broken := func(payload []byte) *wproto.Envelope {
		e := public(mallory, payload)
		raw, err := wproto.DecryptSymmetric(&symKey, e.Data)
		if err != nil {
			t.Fatal(err)
		}
		clear(raw[len(raw)-wproto.SignatureLength : len(raw)-wproto.SignatureLength+32]) // R = 0: recovers nothing
		if e.Data, err = wproto.EncryptSymmetric(&symKey, raw, rand.Reader); err != nil {
			t.Fatal(err)
		}
		if err := whisper.Seal(t.Context(), e, 0.002, time.Minute); err != nil {
			t.Fatal(err)
		}
		return e
	}
	envs := []*wproto.Envelope{
		public(mallory, wrapped("relayed")),
		broken(wrapped("broken whisper signature")),
		broken(chatC4(t, message.TypePublicGroup, chat, "bare, broken whisper signature")),
		public(nil, wrapped("wrapped, unsigned envelope")),
	}
	peer := rawShhPeer(t, node.n)
	for _, e := range envs {
		if err := sendRaw(peer, 1, wproto.EncodeEnvelopes([]*wproto.Envelope{e})); err != nil {
			t.Fatal(err)
		}
	}
	waitDroppedEvents(node, []string{messenger.ReasonUnsigned})
	if err := sendRaw(peer, 1, wproto.EncodeEnvelopes([]*wproto.Envelope{
		public(mallory, chatC4(t, message.TypePublicGroup, chat, "last")),
	})); err != nil {
		t.Fatal(err)
	}
	node.waitText(chat, "last")

	var page messenger.Page
	node.call(&page, "statusd_messages", chat, "", 50)
	from := map[string]string{}
	for _, m := range page.Messages {
		from[m.Text] = m.From
	}
	want := map[string]string{
		"relayed":                  message.PubKeyHex(&alice.PublicKey),
		"broken whisper signature": message.PubKeyHex(&alice.PublicKey),
		"last":                     message.PubKeyHex(&mallory.PublicKey),
	}
	if len(from) != len(want) {
		t.Errorf("shown %v, want %v", from, want)
	}
	for text, author := range want {
		if from[text] != author {
			t.Errorf("%q shown from %.12s, want %.12s", text, from[text], author)
		}
	}

	type shhMessage struct {
		Sig     hexutil.Bytes
		Payload hexutil.Bytes
	}
	var shh []shhMessage
	testutil.WaitFor(t, 10*time.Second, "the shh_ filter holds the last message", func() bool {
		var more []shhMessage
		node.call(&more, "shh_getFilterMessages", filter)
		shh = append(shh, more...)
		return slices.ContainsFunc(shh, func(m shhMessage) bool { return strings.Contains(string(m.Payload), `"last"`) })
	})
	var got []string
	for _, m := range shh {
		if !slices.Equal(m.Sig, crypto.FromECDSAPub(&mallory.PublicKey)) && len(m.Sig) != 0 {
			t.Errorf("shh_ message %q with sig %x, want mallory's or none", m.Payload, m.Sig)
		}
		got = append(got, string(m.Payload))
	}
	if len(got) != 3 || strings.Contains(strings.Join(got, "|"), "broken") {
		t.Errorf("shh_ filter got %d messages %q; want relayed, unsigned and last", len(got), got)
	}
	if err := node.n.Stop(); err != nil {
		t.Fatal(err)
	}
}
