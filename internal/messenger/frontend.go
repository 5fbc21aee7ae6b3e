package messenger

import (
	"errors"
	"fmt"

	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// This file holds what a status-go v0.35 frontend stores through the
// messenger (shhext_saveMessages, shhext_updateMessageOutgoingStatus): the
// frontend's own view of its messages, kept beside the messenger's records
// and never used by the messenger itself.

// SetOutgoingStatus stores status as the frontend's outgoing status of
// message id ("sending", "sent", "delivered", "not-sent", … — any string;
// "" clears it). The message's delivery state is not touched. It fails
// with ErrMessageNotFound when id is not stored.
func (m *Messenger) SetOutgoingStatus(id, status string) error {
	return m.chats.setOutgoingStatus(id, status)
}

// SaveMessages stores messages a frontend built or received itself, all in
// one write. A message already stored keeps its record; only Seen (false
// → true, lowering the chat's unread count) and a non-empty OutgoingStatus
// are taken from the given one. A new message must name a chat that exists
// (ErrChatNotFound), have an ID and a Clock ≥ 0 (ErrInvalidMessage); it is
// stored with the fields given, Outgoing set when From is our chat key,
// counted unread when neither seen nor outgoing, and no event is
// published (the frontend has it). The slice and its values are not kept.
func (m *Messenger) SaveMessages(msgs []*Message) error { return m.chats.saveMessages(msgs) }

func (b *chatBook) setOutgoingStatus(id, status string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.c.st.message(id); err != nil {
		return err
	}
	var batch storage.Batch
	putOutgoingStatus(&batch, id, status)
	return b.c.st.write(&batch)
}

func putOutgoingStatus(b *storage.Batch, id, status string) {
	if status == "" {
		b.Delete(messengerstore.Key(messengerstore.KindMeta, messengerstore.OutgoingStatusMeta(id)))
		return
	}
	messengerstore.PutMeta(b, messengerstore.OutgoingStatusMeta(id), []byte(status))
}

func (b *chatBook) saveMessages(msgs []*Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var batch storage.Batch
	changed := map[string]*Chat{}
	chat := func(id string) *Chat {
		if ch := changed[id]; ch != nil {
			return ch
		}
		if ch := b.chats[id]; ch != nil {
			changed[id] = copyChat(ch)
			return changed[id]
		}
		return nil
	}
	added := map[string]bool{}
	for i, in := range msgs {
		if in == nil || in.ID == "" {
			return fmt.Errorf("%w: message %d has no id", ErrInvalidMessage, i)
		}
		old, err := b.c.st.message(in.ID)
		switch {
		case errors.Is(err, ErrMessageNotFound) && !added[in.ID]:
			if err := b.addSaved(&batch, in, chat(in.ChatID)); err != nil {
				return err
			}
			added[in.ID] = true
		case err != nil && !errors.Is(err, ErrMessageNotFound):
			return err
		case old != nil && in.Seen && !old.Seen:
			old.Seen = true
			messengerstore.UpdateMessage(&batch, messageRecord(old))
			if ch := chat(old.ChatID); ch != nil && ch.Unread > 0 {
				ch.Unread--
			}
		}
		if in.OutgoingStatus != "" {
			putOutgoingStatus(&batch, in.ID, in.OutgoingStatus)
		}
	}
	return b.commitLocked(&batch, changed)
}

// addSaved adds a frontend's new message in ch to batch.
func (b *chatBook) addSaved(batch *storage.Batch, in *Message, ch *Chat) error {
	if ch == nil {
		return fmt.Errorf("%w: %q", ErrChatNotFound, in.ChatID)
	}
	if in.Clock < 0 {
		return fmt.Errorf("%w: message %s: negative clock", ErrInvalidMessage, in.ID)
	}
	m := *in
	m.Outgoing = m.From == b.c.selfHex
	m.Delivery = DeliveryNone
	putMessage(batch, &m)
	if !m.Seen && !m.Outgoing {
		ch.Unread++
	}
	return nil
}
