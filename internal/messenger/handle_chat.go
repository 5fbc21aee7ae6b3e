package messenger

import (
	"slices"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// handleChatLocked stores a validated c4 in its chat after the checks that
// need messenger state (§1.7, §1.8): the message type must fit the topic it
// came on, a public chat must be the one subscribed, a group message needs
// a group we are in and an author who is a member, and a cleared chat drops
// messages at or below its deleted-at clock. A 1:1 message opens the chat
// if needed; one from our own key (a paired device) belongs to the chat of
// its content chat-id and is marked outgoing.
func (m *Messenger) handleChatLocked(ctx recvContext, cm *message.ChatMessage) {
	chat, reason := m.chatForLocked(ctx, cm)
	if reason != "" {
		m.drop(reason, ctx.author, nil)
		return
	}
	if cm.Clock <= chat.DeletedAtClock {
		m.drop(message.RuleChatCleared.String(), ctx.author, nil)
		return
	}
	now := m.cfg.Now()
	outgoing := ctx.author == m.selfHex
	msg := &Message{ID: ctx.r.ID, ChatID: chat.ID, From: ctx.author, Text: cm.Content.Text,
		ContentType: string(cm.ContentType), MessageType: string(cm.MessageType), Clock: cm.Clock,
		Timestamp: cm.Timestamp, ReceivedAt: now.UnixMilli(), ResponseTo: cm.Content.ReplyTo(),
		Outgoing: outgoing, Seen: outgoing}
	clock := message.NewClock(chat.LastClock)
	clock.Observe(cm.Clock, now)
	chat.LastClock, chat.LastMessageAt = clock.Last(), now.UnixMilli()
	if !outgoing {
		chat.Unread++
	}
	var b storage.Batch
	putMessage(&b, msg)
	putChat(&b, chat)
	if err := m.st.write(&b); err != nil {
		m.log.Error("store message", zap.Error(err))
		return
	}
	m.chats[chat.ID] = chat
	m.bus.Publish(MessageEvent{Message: msg})
}

// chatForLocked finds (or, for 1:1, opens) the chat of cm, or names the
// reason to drop it.
func (m *Messenger) chatForLocked(ctx recvContext, cm *message.ChatMessage) (*Chat, string) {
	id := ctx.r.ChatID
	switch cm.MessageType {
	case message.TypePublicGroup:
		c := m.chats[id]
		if ctx.src.kind != srcPublic || id != ctx.src.chat || c == nil || !c.Active || c.Type != ChatPublic {
			return nil, ReasonWrongChat
		}
		return c, ""
	case message.TypeOneToOne:
		if ctx.src.kind != srcDirect || id == m.selfHex {
			return nil, ReasonWrongChat
		}
		pub, err := parsePubKey(id)
		if err != nil {
			return nil, ReasonWrongChat
		}
		c, err := m.ensureOneToOneLocked(pub)
		if err != nil {
			m.log.Warn("open chat", zap.Error(err))
			return nil, ReasonWrongChat
		}
		return c, ""
	case message.TypePrivateGrp:
		if ctx.src.kind != srcDirect {
			return nil, ReasonWrongChat
		}
		c := m.chats[id]
		if c == nil || c.Type != ChatPrivateGroup || !c.Active || !slices.Contains(c.Members, ctx.author) {
			return nil, ReasonNotMember
		}
		return c, ""
	}
	return nil, ReasonWrongChat
}
