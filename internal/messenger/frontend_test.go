package messenger_test

import (
	"errors"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
)

// The frontend's outgoing status is stored beside the message, returned
// with it, leaves the delivery state alone and goes with the message.
func TestSetOutgoingStatus(t *testing.T) {
	h := newHarness(t)
	a := h.newNode()
	mustJoin(t, "status", a)
	id, err := a.SendText(ctxT(t), "status", "hi")
	if err != nil {
		t.Fatal(err)
	}
	before, err := a.Message(id)
	if err != nil || before.OutgoingStatus != "" {
		t.Fatalf("before: %+v, %v", before, err)
	}
	if err := a.SetOutgoingStatus(id, "not-sent"); err != nil {
		t.Fatal(err)
	}
	after, err := a.Message(id)
	if err != nil || after.OutgoingStatus != "not-sent" {
		t.Fatalf("after: %+v, %v", after, err)
	}
	p, err := a.Messages("status", "", 10)
	if err != nil || p.Messages[0].OutgoingStatus != "not-sent" {
		t.Fatalf("page: %+v, %v", p, err)
	}
	if d, err := a.DeliveryState(id); err != nil || d.State == messenger.DeliveryNone {
		t.Fatalf("delivery state changed: %+v, %v", d, err)
	}
	if err := a.SetOutgoingStatus("0x99", "sent"); !errors.Is(err, messenger.ErrMessageNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if err := a.DeleteMessage(id); err != nil {
		t.Fatal(err)
	}
	if err := a.SetOutgoingStatus(id, "sent"); !errors.Is(err, messenger.ErrMessageNotFound) {
		t.Fatalf("deleted id: %v", err)
	}
}

// SaveMessages stores new messages as given, updates seen and status of
// stored ones, and refuses a message of an unknown chat without writing
// anything.
func TestSaveMessages(t *testing.T) {
	h := newHarness(t)
	a := h.newNode()
	mustJoin(t, "status", a)
	id, err := a.SendText(ctxT(t), "status", "mine")
	if err != nil {
		t.Fatal(err)
	}
	other := newKey(t)
	peer := message.PubKeyHex(&other.PublicKey)
	err = a.SaveMessages([]*messenger.Message{
		{ID: "0xf1", ChatID: "status", From: peer, Text: "theirs", ContentType: "text/plain",
			MessageType: "public-group-user-message", Clock: 1, Timestamp: 2, ReceivedAt: 3},
		{ID: "0xf2", ChatID: "status", From: a.PublicKey(), Text: "mine too", Clock: 2, Seen: true, OutgoingStatus: "sending"},
		{ID: id, ChatID: "status", Text: "ignored", OutgoingStatus: "delivered"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := a.Chat("status")
	if ch.Unread != 1 {
		t.Fatalf("unread %d, want 1", ch.Unread)
	}
	m1, err := a.Message("0xf1")
	if err != nil || m1.Text != "theirs" || m1.Outgoing || m1.Seen || m1.ReceivedAt != 3 {
		t.Fatalf("0xf1: %+v, %v", m1, err)
	}
	m2, err := a.Message("0xf2")
	if err != nil || !m2.Outgoing || m2.OutgoingStatus != "sending" {
		t.Fatalf("0xf2: %+v, %v", m2, err)
	}
	mine, err := a.Message(id)
	if err != nil || mine.Text != "mine" || mine.OutgoingStatus != "delivered" {
		t.Fatalf("existing: %+v, %v", mine, err)
	}
	if err := a.SaveMessages([]*messenger.Message{{ID: "0xf1", ChatID: "status", Seen: true}}); err != nil {
		t.Fatal(err)
	}
	if ch, _ := a.Chat("status"); ch.Unread != 0 {
		t.Fatalf("unread %d after seen, want 0", ch.Unread)
	}
	err = a.SaveMessages([]*messenger.Message{{ID: "0xf3", ChatID: "status"}, {ID: "0xf4", ChatID: "nope"}})
	if !errors.Is(err, messenger.ErrChatNotFound) {
		t.Fatalf("unknown chat: %v", err)
	}
	if _, err := a.Message("0xf3"); !errors.Is(err, messenger.ErrMessageNotFound) {
		t.Fatalf("0xf3 stored despite the failed batch: %v", err)
	}
	if err := a.SaveMessages([]*messenger.Message{{ChatID: "status"}}); !errors.Is(err, messenger.ErrInvalidMessage) {
		t.Fatalf("no id: %v", err)
	}
}

// Groups.Events lists the accepted events with their update's signature
// and signer.
func TestGroupEvents(t *testing.T) {
	h := newHarness(t)
	a, b := h.newNode(), h.newNode()
	ch, err := a.CreateGroup(ctxT(t), "trio", []string{b.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	evs := a.Groups().Events(ch.ID)
	if len(evs) < 2 {
		t.Fatalf("events %+v", evs)
	}
	types := map[string]bool{}
	for _, e := range evs {
		types[e.Type] = true
		if e.From != a.PublicKey() || e.Signature == "" || e.ClockValue == 0 {
			t.Errorf("event %+v", e)
		}
	}
	if !types["chat-created"] || !types["members-added"] {
		t.Errorf("types %v", types)
	}
	if a.Groups().Events("status") != nil {
		t.Error("events of a chat that is not a group")
	}
}
