package node

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
)

// rpcEvent is one statusd_subscribe("events") notification.
type rpcEvent struct {
	Type  string          `json:"type"`
	Event json.RawMessage `json:"event"`
}

// chatter is a node driven only through JSON-RPC over WebSocket, with an
// events subscription open.
type chatter struct {
	t      *testing.T
	n      *Node
	c      *rpc.Client
	events chan rpcEvent
	key    string
}

func newChatter(t *testing.T) *chatter {
	t.Helper()
	return newChatterOn(t, testConfig(t))
}

// newChatterOn starts a chatter on c (restarting one on its data directory).
func newChatterOn(t *testing.T, c config.Config) *chatter {
	t.Helper()
	n := startNode(t, c)
	ch := &chatter{t: t, n: n, c: dialWS(t, n), events: make(chan rpcEvent, 1024)}
	sub, err := ch.c.Subscribe(context.Background(), "statusd", ch.events, "events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Unsubscribe)
	call(t, ch.c, &ch.key, "statusd_chatKey")
	return ch
}

func (c *chatter) call(result any, method string, args ...any) {
	c.t.Helper()
	call(c.t, c.c, result, method, args...)
}

// waitEvent returns the first event of type typ whose payload satisfies
// match, skipping the others.
func (c *chatter) waitEvent(typ string, match func(raw json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-c.events:
			if ev.Type == typ && match(ev.Event) {
				return ev.Event
			}
		case <-deadline:
			c.t.Fatalf("no %s event", typ)
		}
	}
}

// waitText waits for a messages.new event with text in chatID.
func (c *chatter) waitText(chatID, text string) messenger.Message {
	c.t.Helper()
	var got messenger.Message
	c.waitEvent("messages.new", func(raw json.RawMessage) bool {
		var e struct{ Message messenger.Message }
		if err := json.Unmarshal(raw, &e); err != nil {
			c.t.Fatal(err)
		}
		got = e.Message
		return e.Message.ChatID == chatID && e.Message.Text == text
	})
	return got
}

// waitDelivery waits for a message.delivery event putting id in state.
func (c *chatter) waitDelivery(id, state string) {
	c.t.Helper()
	c.waitEvent("message.delivery", func(raw json.RawMessage) bool {
		var e struct {
			MessageID string `json:"message_id"`
			State     string
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			c.t.Fatal(err)
		}
		return e.MessageID == id && e.State == state
	})
}

func connect(t *testing.T, a, b *chatter) {
	t.Helper()
	var ok bool
	a.call(&ok, "admin_addPeer", b.n.P2P().Self().URLv4())
	testutil.WaitFor(t, 10*time.Second, "whisper peers", func() bool {
		var ia, ib struct{ Peers int }
		a.call(&ia, "statusd_info")
		b.call(&ib, "statusd_info")
		return ia.Peers >= 1 && ib.Peers >= 1
	})
}

// TestMessengerOverRPC: two nodes on loopback, driven only through
// JSON-RPC. A public chat message goes round; 1:1 messages go both ways and
// each sender sees its message's delivery state reach acked, through
// message.delivery events on its WebSocket subscription and through
// statusd_deliveryState; shhext_chatMessages shows the status-go shape.
func TestMessengerOverRPC(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	alice, bob := newChatter(t), newChatter(t)
	var chat messenger.Chat
	alice.call(&chat, "statusd_joinPublicChat", "statusd-test")
	bob.call(&chat, "statusd_joinPublicChat", "statusd-test")
	connect(t, alice, bob)
	alice.waitEvent("peer.added", func(json.RawMessage) bool { return true })

	// Public chat round trip.
	var pubID string
	alice.call(&pubID, "statusd_sendText", "statusd-test", "hello public")
	if got := bob.waitText("statusd-test", "hello public"); got.ID != pubID || got.From != alice.key {
		t.Fatalf("bob got %+v, want id %s from %s", got, pubID, alice.key)
	}
	alice.waitDelivery(pubID, "sent")
	var reply string
	bob.call(&reply, "shhext_sendPublicMessage", map[string]any{"chat": "statusd-test",
		"payload": "0x" + hexString([]byte(`["~#c4",["hi alice","text/plain","~:public-group-user-message",154593077368201,1545930773682,["^ ","~:chat-id","statusd-test","~:text","hi alice"]]]`))})
	alice.waitText("statusd-test", "hi alice")

	// 1:1 both ways, each acked.
	var oneID string
	alice.call(&chat, "statusd_startOneToOne", bob.key)
	alice.call(&oneID, "statusd_sendText", bob.key, "hello bob")
	if got := bob.waitText(alice.key, "hello bob"); got.ID != oneID {
		t.Fatalf("bob got %+v", got)
	}
	alice.waitDelivery(oneID, "acked")
	var backID string
	bob.call(&backID, "statusd_sendText", alice.key, "hello alice")
	alice.waitText(bob.key, "hello alice")
	testutil.WaitFor(t, 30*time.Second, "bob's message acked", func() bool {
		var d messenger.Delivery
		bob.call(&d, "statusd_deliveryState", backID)
		return d.State == messenger.DeliveryAcked && d.Recipients[alice.key]
	})

	var page struct {
		Messages []struct {
			ID, Content, From, OutgoingStatus string
			ChatID                            string `json:"chatId"`
		}
		Cursor string
	}
	alice.call(&page, "shhext_chatMessages", bob.key, "", 10)
	if len(page.Messages) != 2 || contentText(t, page.Messages[0].Content) != "hello alice" || page.Messages[1].OutgoingStatus != "delivered" {
		t.Fatalf("chatMessages %+v", page)
	}
	var chats []struct {
		ID       string
		ChatType int `json:"chatType"`
	}
	bob.call(&chats, "shhext_chats")
	if len(chats) != 2 {
		t.Fatalf("bob's chats %+v", chats)
	}
	for _, n := range []*Node{alice.n, bob.n} {
		if err := n.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// contentText is the text of a shhext_chatMessages message's content, the
// JSON object status-react stored as a string.
func contentText(t *testing.T, content string) string {
	t.Helper()
	var c struct{ Text string }
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		t.Fatalf("content %q: %v", content, err)
	}
	return c.Text
}

// TestMessengerConfigFromNode: the node's settings reach the messenger's
// configuration, --datasync.retainids among them.
func TestMessengerConfigFromNode(t *testing.T) {
	c := testConfig(t)
	c.DataSync.RetainIDs = "36h"
	c.ENS.Name = "alice.stateofus.eth"
	n := startNode(t, c)
	got := n.messengerConfig()
	if got.DataSyncRetainIDs != 36*time.Hour || got.ENSName != c.ENS.Name || got.Identity == nil {
		t.Fatalf("messenger config: retain IDs %v, ENS name %q, identity set %v", got.DataSyncRetainIDs, got.ENSName, got.Identity != nil)
	}
}
