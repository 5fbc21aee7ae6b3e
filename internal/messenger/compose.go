package messenger

import (
	"fmt"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// storeText builds a text/plain c4 for chat chatID with the chat's next
// Lamport clock (§1.6), wraps and signs it, and stores it as queued with
// its delivery record (and, for 1:1 and group chats, its outbox entry) in
// the chat's batch. It returns what must be sent and the events to
// publish. It runs under the chat book's lock and calls nothing else.
func (b *chatBook) storeText(chatID, text string) (*outgoing, []Event, error) {
	var out *outgoing
	var evs []Event
	_, err := b.update(chatID, func(c *Chat, batch *storage.Batch) (*Chat, error) {
		if c == nil {
			return nil, fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
		}
		if !c.Active {
			if c.Type == ChatPrivateGroup {
				return nil, fmt.Errorf("%w: %q", ErrNotMember, chatID)
			}
			return nil, fmt.Errorf("%w: %q is not active", ErrChatNotFound, chatID)
		}
		var err error
		out, evs, err = b.composeText(c, text, batch)
		return c, err
	})
	return out, evs, err
}

func (b *chatBook) composeText(c *Chat, text string, batch *storage.Batch) (*outgoing, []Event, error) {
	now := b.c.cfg.Now()
	clock := message.NewClock(c.LastClock)
	cm := &message.ChatMessage{ContentType: message.ContentText, MessageType: messageTypeOf(c.Type),
		Clock: clock.Next(now), Timestamp: now.UnixMilli(), Content: message.Content{ChatID: c.ID, Text: text}}
	if _, err := message.Validate(cm, message.Context{Now: now, Author: b.c.self, Self: b.c.self}); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	out := &outgoing{}
	recipients := map[string]bool{}
	switch c.Type {
	case ChatPublic:
		out.public = c.Name
	case ChatOneToOne:
		out.recipients = []string{c.ID}
	case ChatPrivateGroup:
		for _, k := range c.Members {
			if k != b.c.selfHex {
				out.recipients = append(out.recipients, k)
			}
		}
	}
	for _, k := range out.recipients {
		if _, err := parsePubKey(k); err != nil {
			return nil, nil, err
		}
		recipients[k] = false
	}
	body, id, err := b.c.encodeFor(cm, out.recipients) // wrapped unless they read bare payloads
	if err != nil {
		return nil, nil, err
	}
	out.id, out.body = id, body
	msg := &Message{ID: id, ChatID: c.ID, From: b.c.selfHex, Text: text, ContentType: string(cm.ContentType),
		MessageType: string(cm.MessageType), Clock: cm.Clock, Timestamp: cm.Timestamp,
		ReceivedAt: now.UnixMilli(), Outgoing: true, Seen: true, Delivery: DeliveryQueued}
	c.LastClock, c.LastMessageAt = clock.Last(), now.UnixMilli()
	putMessage(batch, msg)
	putDelivery(batch, &Delivery{MessageID: id, ChatID: c.ID, State: DeliveryQueued, Recipients: recipients, UpdatedAt: now.UnixMilli()})
	if len(out.recipients) > 0 {
		putOutbox(batch, id, out.recipients, body)
	}
	if out.public != "" {
		putPublicOutbox(batch, id, out.public, body, now.Add(b.c.cfg.PublicRetryWindow))
	}
	return out, []Event{MessageEvent{Message: msg}, DeliveryEvent{MessageID: id, ChatID: c.ID, State: DeliveryQueued}}, nil
}
