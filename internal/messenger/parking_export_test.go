package messenger

import (
	"context"
	"fmt"
	"slices"

	"github.com/statusnode/statusd/protocol/message"
)

// SendInG5 sends text to group chatID as status-react sent every group
// message: a c4 inside a g5 that carries the group's whole history, to
// every other member through MVDS. The message is not stored on our side.
// It returns the message ID (the g5's).
func (m *Messenger) SendInG5(ctx context.Context, chatID, text string) (string, error) {
	ch := m.chats.get(chatID)
	if ch == nil || ch.Type != ChatPrivateGroup {
		return "", fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
	}
	now := m.c.cfg.Now()
	clock := message.NewClock(ch.LastClock)
	cm := &message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePrivateGrp,
		Clock: clock.Next(now), Timestamp: now.UnixMilli(), Content: message.Content{ChatID: chatID, Text: text}}
	body, id, err := m.c.encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: m.GroupHistory(chatID), Message: cm})
	if err != nil {
		return "", err
	}
	others := slices.DeleteFunc(slices.Clone(ch.Members), func(k string) bool { return k == m.c.selfHex })
	pubs, err := m.direct.ensurePeers(others)
	if err != nil {
		return "", err
	}
	return id, m.c.appendDirect(ctx, pubs, body)
}
