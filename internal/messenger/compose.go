package messenger

import (
	"fmt"

	"github.com/statusnode/statusd/internal/messenger/groups"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// storeDraft builds the c4 of d for chat chatID with the chat's next
// Lamport clock (§1.6), wraps and signs it, and stores it as queued with
// its delivery record (and, for 1:1 and group chats, its outbox entry) in
// the chat's batch. It returns what must be sent and the events to
// publish. It runs under the chat book's lock and calls nothing else.
func (b *chatBook) storeDraft(chatID string, d Draft) (*outgoing, []Event, error) {
	return b.storeWith(chatID, nil, func(c *Chat, now int64) (*message.ChatMessage, error) {
		cm, err := b.draftMessage(c, d)
		if err != nil {
			return nil, err
		}
		clock := message.NewClock(c.LastClock)
		cm.Clock, cm.Timestamp = clock.Next(b.c.cfg.Now()), now
		return cm, nil
	})
}

// storePayload stores a chat message the caller built (pass-through): raw
// is its Transit payload, cm what it decodes to. The bytes are sent as
// given (wrapped and signed by us), so its clock and timestamp are kept;
// the chat's clock moves up to it.
func (b *chatBook) storePayload(chatID string, raw []byte, cm *message.ChatMessage) (*outgoing, []Event, error) {
	return b.storeWith(chatID, raw, func(c *Chat, _ int64) (*message.ChatMessage, error) {
		if mt := messageTypeOf(c.Type); cm.MessageType != mt {
			return nil, fmt.Errorf("%w: rule %s: message type %q, chat %q wants %q", ErrInvalidMessage,
				message.RuleChatIDMismatch, cm.MessageType, chatID, mt)
		}
		return cm, nil
	})
}

// storeWith runs build on the active chat chatID and stores the message it
// returns (see storeDraft); concurrent calls share one store write
// (combiner). raw, when not nil, is cm's Transit payload as the caller
// wrote it.
func (b *chatBook) storeWith(chatID string, raw []byte, build func(c *Chat, now int64) (*message.ChatMessage, error)) (*outgoing, []Event, error) {
	var out *outgoing
	var evs []Event
	err := b.sends.update(b, chatID, func(c *Chat, batch *storage.Batch) (*Chat, error) {
		if c == nil {
			return nil, fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
		}
		if !c.Active {
			if c.Type == ChatPrivateGroup {
				return nil, fmt.Errorf("%w: %q", ErrNotMember, chatID)
			}
			return nil, fmt.Errorf("%w: %q is not active", ErrChatNotFound, chatID)
		}
		if c.Membership == string(groups.Invited) {
			return nil, fmt.Errorf("%w: %q: invitation not accepted (join the group first)", ErrNotMember, chatID)
		}
		cm, err := build(c, b.c.cfg.Now().UnixMilli())
		if err != nil {
			return nil, err
		}
		out, evs, err = b.compose(c, cm, raw, batch)
		return c, err
	})
	return out, evs, err
}

// draftMessage builds the content of d the way status-react built each
// kind (protocol/message kinds.go).
func (b *chatBook) draftMessage(c *Chat, d Draft) (*message.ChatMessage, error) {
	cm := &message.ChatMessage{ContentType: d.ContentType, MessageType: messageTypeOf(c.Type)}
	switch d.ContentType {
	case "", message.ContentText, message.ContentEmoji:
		if cm.ContentType == "" {
			cm.ContentType = message.ContentText
		}
		cm.Content = message.TextContent(c.ID, d.Text)
		if d.ReplyTo != "" {
			cm.Content.SetReply(d.ReplyTo)
		}
		if b.c.cfg.ENSName != "" {
			cm.Content.SetName(b.c.cfg.ENSName)
		}
		return cm, prepare(&cm.Content)
	case message.ContentSticker:
		cm.Content = message.StickerContent(c.ID, d.StickerHash, d.StickerPack)
	case message.ContentCommand, message.ContentCommandRequest:
		if c.Type != ChatOneToOne {
			return nil, fmt.Errorf("%w: rule %s: commands go to 1:1 chats only (scope %s)", ErrInvalidMessage,
				message.RuleCommand, message.CommandScope)
		}
		name := message.CommandSend
		if d.ContentType == message.ContentCommandRequest {
			name = message.CommandRequest
		}
		content, ct, err := message.CommandContent(c.ID, name, d.Params)
		if err != nil {
			return nil, invalidMessage(err)
		}
		cm.Content, cm.ContentType = content, ct
	default:
		return nil, fmt.Errorf("%w: rule %s: %.40q is not a content type statusd sends", ErrInvalidMessage,
			message.RuleContentType, d.ContentType)
	}
	if d.ReplyTo != "" {
		cm.Content.SetReply(d.ReplyTo)
	}
	return cm, prepare(&cm.Content)
}

// invalidMessage wraps a validation error so that the API names its rule.
func invalidMessage(err error) error {
	return fmt.Errorf("%w: rule %s: %w", ErrInvalidMessage, message.RuleOf(err), err)
}

// compose validates cm as a receiver would (§1.8), encodes it (or takes
// raw, its caller-written payload), wraps and signs it, and adds the message, its delivery record and its outbox
// entries to batch; the chat's clock moves to (at least) cm's.
func (b *chatBook) compose(c *Chat, cm *message.ChatMessage, raw []byte, batch *storage.Batch) (*outgoing, []Event, error) {
	now := b.c.cfg.Now()
	lookUp := !fresh(c, cm, raw) // before raw is filled in below
	chatID, err := message.Validate(cm, message.Context{Now: now, Author: b.c.self, Self: b.c.self})
	if err != nil {
		return nil, nil, invalidMessage(err)
	}
	if chatID != c.ID { // a receiver (and our other devices) would file it elsewhere
		return nil, nil, fmt.Errorf("%w: rule %s: content chat-id %.80q, chat %.80q", ErrInvalidMessage,
			message.RuleChatIDMismatch, chatID, c.ID)
	}
	content, err := message.EncodeContent(cm.Content) // checked before anything is stored, and stored as is
	if err != nil {
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
		if _, err := b.c.pubs.hex(k); err != nil {
			return nil, nil, err
		}
		recipients[k] = false
	}
	if raw == nil {
		if raw, err = message.Encode(cm); err != nil {
			return nil, nil, fmt.Errorf("%w: encode: %w", ErrInvalidMessage, err)
		}
	}
	body, id, err := b.c.wrapFor(raw, out.recipients) // wrapped unless they read bare payloads
	if err != nil {
		return nil, nil, err
	}
	out.id, out.body = id, body
	if lookUp {
		if seen, err := b.c.st.seen(id); err != nil || seen {
			out.dup = true // the same signed bytes again: sent already
			return out, nil, err
		}
	}
	msg := &Message{ID: id, ChatID: c.ID, From: b.c.selfHex, Text: cm.Content.Text, ContentType: string(cm.ContentType),
		MessageType: string(cm.MessageType), Clock: cm.Clock, Timestamp: cm.Timestamp,
		ReceivedAt: now.UnixMilli(), ResponseTo: cm.Content.ReplyTo(), Outgoing: true, Seen: true,
		Delivery: DeliveryQueued, Content: cm.Content}
	clock := message.NewClock(c.LastClock)
	clock.Observe(cm.Clock, now)
	c.LastClock, c.LastMessageAt = clock.Last(), now.UnixMilli()
	putMessageContent(batch, msg, storedContent(cm.Content, content))
	putDelivery(batch, &Delivery{MessageID: id, ChatID: c.ID, State: DeliveryQueued, Recipients: recipients, UpdatedAt: now.UnixMilli()})
	if len(out.recipients) > 0 {
		putOutbox(batch, id, out.recipients, body)
	}
	if out.public != "" {
		putPublicOutbox(batch, id, out.public, body, now.Add(b.c.cfg.PublicRetryWindow))
	}
	b.c.st.quote(msg)
	return out, []Event{MessageEvent{Message: msg}, DeliveryEvent{MessageID: id, ChatID: c.ID, State: DeliveryQueued}}, nil
}

// fresh reports whether cm, a draft (raw == nil) we built with the chat's
// next clock, cannot have been stored or processed before, so compose
// skips the store look-ups of its dedupe: its ID covers our signed bytes,
// which hold the clock and the chat ID, and the clock is above every clock
// c stored or processed (each received or sent message moves the chat's
// clock up to its own, chat records are never removed, and a cleared chat
// keeps its clock). A caller-built payload (raw) may repeat one sent
// before, so it is always looked up.
func fresh(c *Chat, cm *message.ChatMessage, raw []byte) bool {
	return raw == nil && cm.Clock > c.LastClock
}
