package messenger_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
)

// Hostile and invalid payloads injected into the network: none is shown,
// each is counted under its reason.
func TestInvalidPayloadsCountedNotShown(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode()
	mustJoin(t, "testing", bob)
	mallory := newKey(t)
	base := t0.UnixMilli() * message.ClockScale
	pub := func(p []byte) { h.net.Inject(&mallory.PublicKey, publicEnvelope(t, "testing", p)) }

	// bad Transit
	pub([]byte(`["~#c4",["unterminated"`))
	// bad wrapper signature
	w, err := message.Wrap(publicC4(t, "testing", "forged", base+1), mallory)
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := message.DecodeWrapper(w)
	sig := append([]byte(nil), dec.Signature...)
	sig[64] = 9 // invalid recovery id
	pub(message.EncodeWrapper(message.Wrapper{Signature: sig, Payload: dec.Payload}))
	// wrong chat: a message for "other" on the "testing" topic
	pub(publicC4(t, "other", "misrouted", base+2))
	// oversized text
	pub(publicC4(t, "testing", strings.Repeat("x", message.MaxTextBytes+1), base+3))
	// unsigned Whisper message
	h.net.Inject(nil, publicEnvelope(t, "testing", publicC4(t, "testing", "anonymous", base+4)))
	// group message for a group bob is not in, unencrypted on bob's partition
	bobKey := bob.key
	groupID := "5d0ea3e0-aaaa-bbbb-cccc-000000000000" + message.PubKeyHex(&mallory.PublicKey)
	raw, _ := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePrivateGrp,
		Clock: base + 5, Timestamp: t0.UnixMilli(), Content: message.Content{ChatID: groupID, Text: "not a member"}})
	partition := whisper.TopicFromName(encryption.PartitionedTopicName(&bobKey.PublicKey))
	h.net.Inject(&mallory.PublicKey, messenger.Envelope{Topic: partition, PubKey: &bobKey.PublicKey, Payload: raw})
	// a ProtocolMessage for another device only
	pm, err := encryption.EncodeProtocolMessage(&encryption.ProtocolMessage{InstallationID: "m1",
		Direct: map[string]*encryption.DirectMessage{"someone-else": {
			DH: &encryption.DHHeader{Key: crypto.CompressPubkey(&newKey(t).PublicKey)}, Payload: []byte("xyz")}}})
	if err != nil {
		t.Fatal(err)
	}
	h.net.Inject(&mallory.PublicKey, messenger.Envelope{Topic: partition, PubKey: &bobKey.PublicKey, Payload: pm})
	// a contact update with an oversized photo, on bob's partition
	c6, _ := message.Encode(&message.Contact{Tag: message.TagContactUpdate, Name: "mallory",
		ProfileImage: "data:image/png;base64," + strings.Repeat("A", message.MaxProfileImageBytes)})
	c6w, err := message.Wrap(c6, mallory)
	if err != nil {
		t.Fatal(err)
	}
	h.net.Inject(&mallory.PublicKey, messenger.Envelope{Topic: partition, PubKey: &bobKey.PublicKey, Payload: c6w})
	// invalid variants of the 2019 kinds: a sticker without hash, a reply
	// to an ID of the wrong length (public), a command with a bad amount
	// (1:1, unencrypted as a 2019 v0 client sent it)
	pub([]byte(`["~#c4",[["^ ","~:chat-id","testing","~:pack",1,"~:text","s"],"sticker","~:public-group-user-message",` +
		fmt.Sprint(base+7) + `,1]]`))
	pub([]byte(`["~#c4",["re","text/plain","~:public-group-user-message",` + fmt.Sprint(base+8) +
		`,1,["^ ","~:chat-id","testing","~:text","re","~:response-to","0x1234"]]]`))
	badCmd := `["~#c4",[["^ ","~:chat-id",` + fmt.Sprintf("%q", message.PubKeyHex(&bobKey.PublicKey)) +
		`,"~:command-path",["request",["~#set",["~:personal-chats"]]],"~:params",["^ ","~:asset","ETH","~:amount","0x10"]],` +
		`"command-request","~:user-message",` + fmt.Sprint(base+9) + `,1]]`
	h.net.Inject(&mallory.PublicKey, messenger.Envelope{Topic: partition, PubKey: &bobKey.PublicKey, Payload: []byte(badCmd)})
	for _, reason := range []string{
		message.RuleProfileImage.String(),
		message.RuleTransit.String(), message.RuleSignature.String(), messenger.ReasonWrongChat,
		message.RuleTextTooLong.String(), messenger.ReasonUnsigned, messenger.ReasonNotMember,
		"decrypt-device-not-found", message.RuleSticker.String(), message.RuleResponseTo.String(),
		message.RuleCommand.String(),
	} {
		waitDropped(t, bob, reason, 1)
	}
	// blocked contact (blocked only now, so the drops above keep their reasons)
	if _, err := bob.BlockContact(message.PubKeyHex(&mallory.PublicKey)); err != nil {
		t.Fatal(err)
	}
	pub(publicC4(t, "testing", "from a blocked contact", base+6))
	waitDropped(t, bob, messenger.ReasonBlocked, 1)
	for _, c := range bob.Chats() {
		if got := texts(t, bob, c.ID); len(got) != 0 {
			t.Fatalf("chat %q shows %q", c.ID, got)
		}
	}
	t.Logf("dropped: %v", bob.Dropped())
}

// An empty direct payload — what vacp2p/mvds v0.0.23 sends after a payload
// with nothing to acknowledge — is ignored, not counted as a bad payload.
func TestEmptyPayloadIgnored(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode()
	mustJoin(t, "testing", bob)
	mallory := newKey(t)
	partition := whisper.TopicFromName(encryption.PartitionedTopicName(&bob.key.PublicKey))
	h.net.Inject(&mallory.PublicKey, messenger.Envelope{Topic: partition, PubKey: &bob.key.PublicKey, Payload: []byte{}})
	// A valid message after it: once it shows, the empty one was handled.
	h.net.Inject(&mallory.PublicKey, publicEnvelope(t, "testing", publicC4(t, "testing", "after", t0.UnixMilli()*message.ClockScale+1)))
	waitTexts(t, bob, "testing", 1)
	if d := bob.Dropped(); len(d) != 0 {
		t.Fatalf("dropped %v", d)
	}
}
