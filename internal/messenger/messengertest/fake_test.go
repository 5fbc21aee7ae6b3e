package messengertest

import (
	"errors"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
)

// The shared fake keeps the contracts both namespaces' tests rely on:
// numbered sends, pages newest first with a cursor, copies the caller
// owns, and Err failing changes but not reads.
func TestMessengerContracts(t *testing.T) {
	f := New()
	if _, err := f.JoinPublic("status"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.JoinPublic("Bad Name"); !errors.Is(err, messenger.ErrInvalidChatName) {
		t.Fatalf("bad name: %v", err)
	}
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		id, err := f.SendTextWith("status", text, func(m *messenger.Message, _ *messenger.Chat) { m.Delivery = messenger.DeliveryQueued })
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if ids[0] != messageID(1) || ids[2] != messageID(3) {
		t.Fatalf("ids %v", ids)
	}
	if _, err := f.SendTextWith("status", " ", nil); !errors.Is(err, messenger.ErrInvalidMessage) {
		t.Fatalf("blank text: %v", err)
	}

	p, err := f.Messages("status", "", 2)
	if err != nil || len(p.Messages) != 2 || p.Messages[0].ID != ids[2] || p.Cursor == "" {
		t.Fatalf("first page %+v, %v", p, err)
	}
	p.Messages[0].Text = "changed"
	p, err = f.Messages("status", p.Cursor, 2)
	if err != nil || len(p.Messages) != 1 || p.Messages[0].ID != ids[0] || p.Cursor != "" {
		t.Fatalf("second page %+v, %v", p, err)
	}
	if m, err := f.Message(ids[2]); err != nil || m.Text != "three" || m.Delivery != messenger.DeliveryQueued {
		t.Fatalf("message %+v, %v", m, err)
	}
	if _, err := f.Messages("status", "c0x00", 2); !errors.Is(err, messenger.ErrInvalidCursor) {
		t.Fatalf("unknown cursor: %v", err)
	}

	f.Mu.Lock()
	f.Err = messenger.ErrStopped
	f.Mu.Unlock()
	if _, err := f.UpdateContact(AliceKey, func(*messenger.Contact) {}); !errors.Is(err, messenger.ErrStopped) {
		t.Fatalf("contact on a stopped fake: %v", err)
	}
	if err := f.EnableInstallation("inst-phone"); !errors.Is(err, messenger.ErrStopped) {
		t.Fatalf("installation on a stopped fake: %v", err)
	}
	if len(f.Chats()) != 1 || len(f.Contacts()) != 0 {
		t.Fatal("reads on a stopped fake changed")
	}
}
