package shhext

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/eventbus"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	"github.com/statusnode/statusd/transport/mailserver"
)

// busSource is a MessengerEvents over a bus the test publishes on.
type busSource struct {
	bus *eventbus.Bus[messenger.Event]
}

func (b busSource) Subscribe(n int) *messenger.EventSubscription { return b.bus.Subscribe(n) }

// mailSource is a MailEvents over a bus the test publishes on.
type mailSource struct {
	bus *eventbus.Bus[mailserver.Event]
}

func (b mailSource) Subscribe(n int) *mailserver.Subscription { return b.bus.Subscribe(n) }

// signalServer serves the namespace over WebSocket on 127.0.0.1 with
// signal sources the test drives.
func signalServer(t *testing.T) (*rpc.Client, *eventbus.Bus[messenger.Event], *eventbus.Bus[mailserver.Event], *Service) {
	t.Helper()
	mb, cb := eventbus.New[messenger.Event](16), eventbus.New[mailserver.Event](16)
	svc := New(newFakeMessenger(), &fakeKeys{}, &fakePoster{})
	svc.SetSignalSources(busSource{mb}, mailSource{cb})
	srv := rpc.NewServer()
	if err := srv.RegisterName("shhext", svc.ShhExt()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.WebsocketHandler([]string{"*"}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := rpc.DialWebsocket(ctx, "ws://"+hs.Listener.Addr().String(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); hs.Close(); srv.Stop(); svc.Close() })
	return c, mb, cb, svc
}

// TestSignalsOverWebSocket: a client subscribed to signals receives
// messages.new for a received 1:1 and a received public message (not for
// one this installation sent), envelope.sent, envelope.expired,
// mailserver.request.completed and .expired, bundles.added and
// messages.decrypt.failed, each matching its schema written from
// status-go v0.35.1's signal types.
func TestSignalsOverWebSocket(t *testing.T) {
	c, mb, cb, _ := signalServer(t)
	ch := make(chan json.RawMessage, 32)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sub, err := c.Subscribe(ctx, "shhext", ch, "signals")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	direct := &messenger.Message{ID: "0x" + strings.Repeat("0a", 32), ChatID: aliceKey, From: aliceKey, Text: "hi **you**",
		ContentType: "text/plain", MessageType: "user-message", Clock: 1700000000001, Timestamp: 1700000000000,
		ReceivedAt: 1700000000100}
	public := &messenger.Message{ID: "0x" + strings.Repeat("0b", 32), ChatID: "status", From: aliceKey, Text: "שלום",
		ContentType: "text/plain", MessageType: "public-group-user-message", Clock: 1700000000002,
		Timestamp: 1700000000001, ReceivedAt: 1700000000200, ResponseTo: direct.ID}
	ours := &messenger.Message{ID: "0x" + strings.Repeat("0c", 32), ChatID: "status", From: selfKey, Text: "mine",
		ContentType: "text/plain", MessageType: "public-group-user-message", Outgoing: true, Delivery: messenger.DeliveryQueued}
	mb.Publish(messenger.MessageEvent{Message: ours})
	mb.Publish(messenger.MessageEvent{Message: direct})
	mb.Publish(messenger.MessageEvent{Message: public})
	mb.Publish(messenger.EnvelopeStateEvent{Hash: messenger.EnvelopeHash{1}, Kind: messenger.EnvelopeSent, MessageIDs: []string{ours.ID}})
	mb.Publish(messenger.EnvelopeStateEvent{Hash: messenger.EnvelopeHash{2}, Kind: messenger.EnvelopeExpired})
	mb.Publish(messenger.BundleAddedEvent{Identity: aliceKey, InstallationID: "inst-a1"})
	mb.Publish(messenger.DecryptFailedEvent{Sender: aliceKey, Reason: "no-session"})
	mb.Publish(messenger.ChatEvent{}) // no signal
	cursor := msproto.Cursor{Time: 1700000000, Hash: common.Hash{7}}
	cb.Publish(mailserver.Event{Kind: mailserver.EventRequestCompleted, RequestID: common.Hash{3},
		Completion: &msproto.Completion{LastEnvelopeHash: common.Hash{4}, Cursor: &cursor}})
	cb.Publish(mailserver.Event{Kind: mailserver.EventRequestExpired, RequestID: common.Hash{5}})

	want := []string{"messages.new", "messages.new", "envelope.sent", "envelope.expired", "bundles.added",
		"messages.decrypt.failed", "mailserver.request.completed", "mailserver.request.expired"}
	got := map[string][]json.RawMessage{}
	for range want {
		select {
		case raw := <-ch:
			var s struct{ Type string }
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			got[s.Type] = append(got[s.Type], raw)
			if errs := loadSchema(t, "signals/"+s.Type+".json").Validate(raw); len(errs) > 0 {
				t.Errorf("%s:\n  %s\n%s", s.Type, strings.Join(errs, "\n  "), raw)
			}
		case err := <-sub.Err():
			t.Fatal(err)
		case <-ctx.Done():
			t.Fatalf("got %d signal types of %v before the deadline", len(got), want)
		}
	}
	for _, w := range want {
		if len(got[w]) == 0 {
			t.Errorf("no %s", w)
		}
	}
	if len(got["messages.new"]) != 2 {
		t.Fatalf("messages.new %d times, want 2 (received 1:1 and public)", len(got["messages.new"]))
	}
	checkNewMessage(t, got["messages.new"][0], direct, aliceKey, selfKey)
	checkNewMessage(t, got["messages.new"][1], public, "status", "status")
}

// checkNewMessage checks the fields a status-react 1.0 signal handler
// reads (transport/message/core.cljs): the chat's chatId, the author, the
// parsed message and its content.
func checkNewMessage(t *testing.T, raw json.RawMessage, m *messenger.Message, filterChat, contentChat string) {
	t.Helper()
	var s struct {
		Event NewMessagesSignal `json:"event"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Event.Messages) != 1 || len(s.Event.Messages[0].Messages) != 1 {
		t.Fatalf("batch shape: %s", raw)
	}
	b := s.Event.Messages[0]
	dm := b.Messages[0]
	pm := dm.ParsedMessage
	switch {
	case b.Chat.ChatID != filterChat:
		t.Errorf("chat.chatId %q, want %q", b.Chat.ChatID, filterChat)
	case dm.Metadata.Author.PublicKey != m.From || dm.Metadata.Author.Alias == "" || dm.Metadata.MessageID != m.ID:
		t.Errorf("metadata %+v", dm.Metadata)
	case pm.Text != m.Text || pm.Clock != m.Clock || pm.Timestamp != m.Timestamp || pm.MessageT != m.MessageType:
		t.Errorf("parsedMessage %+v", pm)
	case pm.Content.ChatID != contentChat || pm.Content.ResponseTo != m.ResponseTo || len(pm.Content.ParsedText) == 0:
		t.Errorf("content %+v", pm.Content)
	case !strings.HasPrefix(dm.Payload, `["~#c4",[`) || !strings.Contains(dm.Payload, m.Text):
		t.Errorf("payload %q", dm.Payload)
	case dm.MessageType != 1 || dm.Message.Timestamp != uint32(m.Timestamp/1000):
		t.Errorf("message %+v type %d", dm.Message, dm.MessageType)
	}
}

// TestSignalsClose: Close ends a subscription's goroutine (the client sees
// its subscription end) and later subscriptions are refused.
func TestSignalsClose(t *testing.T) {
	c, _, _, svc := signalServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sub, err := c.Subscribe(ctx, "shhext", make(chan json.RawMessage), "signals")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	svc.Close() // idempotent
	if _, err := c.Subscribe(ctx, "shhext", make(chan json.RawMessage), "signals"); err == nil ||
		!strings.Contains(err.Error(), "unavailable") {
		t.Fatalf("subscribe after Close: %v", err)
	}
}
