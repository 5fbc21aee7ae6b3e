package messenger

import "github.com/statusnode/statusd/protocol/message"

// StoreTextOnly stores a text message as SendText does but does not hand
// it to MVDS: the state a process killed inside SendText leaves behind.
func (m *Messenger) StoreTextOnly(chatID, text string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out, err := m.prepareTextLocked(chatID, text)
	if err != nil {
		return "", err
	}
	return out.id, nil
}

// GroupHistory returns the membership updates the messenger holds for a
// group, in replay order.
func (m *Messenger) GroupHistory(chatID string) []message.MembershipUpdate {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]message.MembershipUpdate(nil), m.groups[chatID]...)
}
