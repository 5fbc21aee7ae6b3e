package messenger_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"sync"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// formClient is a 2019 client with data sync off that sends its 1:1
// payloads bare or in the v1 wrapper, as set; it decrypts what it gets on
// its partitioned topic and keeps the status payloads (MVDS bodies).
type formClient struct {
	key *ecdsa.PrivateKey
	dev *et.Device

	mu     sync.Mutex
	bodies [][]byte
}

func newFormClient(t *testing.T, h *harness) *formClient {
	c := &formClient{key: newKey(t)}
	c.dev = et.NewDevice(t, "client", c.key, et.NewMemoryStore())
	pub := &c.key.PublicKey
	partition := whisper.TopicFromName(encryption.PartitionedTopicName(pub))
	sub, err := h.net.Join(c.key).JoinAsymmetric([]whisper.Topic{partition}, func(m messenger.ReceivedMessage) {
		res, err := c.dev.M.HandleMessage(h.net.Now(), rand.Reader, m.Signer, m.Payload)
		if err != nil {
			return
		}
		p, err := mvds.DecodePayload(res.Plaintext, mvds.DefaultLimits())
		if err != nil {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, msg := range p.Messages {
			c.bodies = append(c.bodies, msg.Body)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Unsubscribe)
	return c
}

func (c *formClient) hex() string { return message.PubKeyHex(&c.key.PublicKey) }

// say posts a 1:1 text to n, unencrypted on n's partitioned topic, in the
// v1 wrapper or bare.
func (c *formClient) say(t *testing.T, h *harness, n *node, text string, clock int64, wrapped bool) {
	t.Helper()
	raw, err := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypeOneToOne,
		Clock: clock, Timestamp: h.net.Now().UnixMilli(), Content: message.Content{ChatID: n.PublicKey(), Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	if wrapped {
		if raw, err = message.Wrap(raw, c.key); err != nil {
			t.Fatal(err)
		}
	}
	partition := whisper.TopicFromName(encryption.PartitionedTopicName(&n.key.PublicKey))
	h.net.Inject(&c.key.PublicKey, messenger.Envelope{Topic: partition, PubKey: &n.key.PublicKey, Payload: raw})
}

// got waits for the body of n's message id to reach c and reports whether
// it came in the v1 wrapper; its ID must be the one n stored (§1.10: the
// author ‖ the bytes sent, either form).
func (c *formClient) got(t *testing.T, n *node, id string) (wrapped bool) {
	t.Helper()
	var body []byte
	waitFor(t, "the message at the client", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, b := range c.bodies {
			if message.ID(&n.key.PublicKey, b) == id {
				body = b
				return true
			}
		}
		return false
	})
	_, err := message.DecodeWrapper(body)
	return err == nil
}

// TestPeerWrapperForms: bob answers a client that writes bare payloads
// with bare ones and a client that writes wrapped payloads with wrapped
// ones; a client that switches is followed; and the knowledge survives a
// restart without the clients writing again.
func TestPeerWrapperForms(t *testing.T) {
	h := newHarness(t)
	db, bobKey := storage.NewMemory(), newKey(t)
	bob := h.start(bobKey, db)
	carol, dave := newFormClient(t, h), newFormClient(t, h) // bare, wrapped
	carol.say(t, h, bob, "bare hello", 1, false)
	dave.say(t, h, bob, "wrapped hello", 1, true)
	waitTexts(t, bob, carol.hex(), 1)
	waitTexts(t, bob, dave.hex(), 1)
	ctx := ctxT(t)

	send := func(to *formClient, text string) bool {
		t.Helper()
		id, err := bob.SendText(ctx, to.hex(), text)
		if err != nil {
			t.Fatal(err)
		}
		return to.got(t, bob, id)
	}
	if send(carol, "to carol") {
		t.Fatal("carol writes bare payloads and was sent a wrapped one")
	}
	if !send(dave, "to dave") {
		t.Fatal("dave writes wrapped payloads and was sent a bare one")
	}
	dave.say(t, h, bob, "now bare", 2, false)
	waitTexts(t, bob, dave.hex(), 3)
	if send(dave, "to dave, bare now") {
		t.Fatal("dave switched to bare payloads and was still sent a wrapped one")
	}

	if err := bob.Stop(); err != nil {
		t.Fatal(err)
	}
	bob = h.start(bobKey, db)
	if send(carol, "to carol after a restart") {
		t.Fatal("the knowledge of carol's form was lost in the restart")
	}
}

// TestWrappedByDefault: to a peer never heard from, and in a public chat,
// messages go in the v1 wrapper.
func TestWrappedByDefault(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode()
	erin := newFormClient(t, h)
	if _, err := bob.StartOneToOne(erin.hex()); err != nil {
		t.Fatal(err)
	}
	id, err := bob.SendText(ctxT(t), erin.hex(), "cold")
	if err != nil {
		t.Fatal(err)
	}
	if !erin.got(t, bob, id) {
		t.Fatal("a cold message went bare")
	}
}
