package messenger

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"slices"
	"sort"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// JoinPublic opens (or reopens) the public chat name and subscribes to its
// topic keccak256(name)[:4] with key PBKDF2(name) (§4.1, §4.2).
func (m *Messenger) JoinPublic(name string) (*Chat, error) {
	if !message.IsPublicChatName(name) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidChatName, name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return nil, err
	}
	return m.joinPublicLocked(name)
}

func (m *Messenger) joinPublicLocked(name string) (*Chat, error) {
	c := m.chats[name]
	if c == nil {
		c = &Chat{ID: name, Type: ChatPublic, Name: name}
	}
	c.Active = true
	if err := m.joinSymLocked("public:"+name, name, source{kind: srcPublic, chat: name}); err != nil {
		return nil, err
	}
	if err := m.saveChatLocked(c); err != nil {
		return nil, err
	}
	return copyChat(c), nil
}

// LeavePublic unsubscribes from the public chat and marks it inactive;
// its messages stay until DeleteChat.
func (m *Messenger) LeavePublic(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return err
	}
	c := m.chats[name]
	if c == nil || c.Type != ChatPublic {
		return fmt.Errorf("%w: %q", ErrChatNotFound, name)
	}
	m.leaveLocked("public:" + name)
	c.Active = false
	return m.saveChatLocked(c)
}

// StartOneToOne opens the 1:1 chat with pubKey (0x04… hex): the chat ID is
// the key; we listen on its contact-code and our negotiated topic and make
// it an MVDS peer.
func (m *Messenger) StartOneToOne(pubKey string) (*Chat, error) {
	pub, err := parsePubKey(pubKey)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return nil, err
	}
	c, err := m.ensureOneToOneLocked(pub)
	if err != nil {
		return nil, err
	}
	return copyChat(c), nil
}

func (m *Messenger) ensureOneToOneLocked(pub *ecdsa.PublicKey) (*Chat, error) {
	id := message.PubKeyHex(pub)
	c := m.chats[id]
	if c != nil && c.Active {
		return c, nil
	}
	if c == nil {
		c = &Chat{ID: id, Type: ChatOneToOne}
	}
	c.Active = true
	if err := m.ensurePeerLocked(pub); err != nil {
		return nil, err
	}
	return c, m.saveChatLocked(c)
}

// ensurePeerLocked makes pub an MVDS peer of our pair group (persisted by
// the driver) and listens for its bundles and our negotiated topic.
func (m *Messenger) ensurePeerLocked(pub *ecdsa.PublicKey) error {
	id := message.PubKeyHex(pub)
	if id == m.selfHex || m.peers[id] {
		return nil
	}
	if err := m.listenPeerLocked(pub); err != nil {
		return err
	}
	g, peer, err := m.pairGroup(pub)
	if err != nil {
		return err
	}
	if err := m.ds.AddPeer(context.Background(), g, peer); err != nil {
		return fmt.Errorf("%w: add peer: %w", ErrDataSync, err)
	}
	m.peers[id] = true
	return nil
}

// saveChatLocked persists c, updates the cache and publishes a ChatEvent.
func (m *Messenger) saveChatLocked(c *Chat) error {
	var b storage.Batch
	putChat(&b, c)
	if err := m.st.write(&b); err != nil {
		return err
	}
	m.chats[c.ID] = c
	m.bus.Publish(ChatEvent{Chat: *copyChat(c)})
	return nil
}

// Chats returns every chat, newest activity first. The values are copies.
func (m *Messenger) Chats() []*Chat {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Chat, 0, len(m.chats))
	for _, c := range m.chats {
		out = append(out, copyChat(c))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LastMessageAt != out[j].LastMessageAt {
			return out[i].LastMessageAt > out[j].LastMessageAt
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Chat returns one chat.
func (m *Messenger) Chat(id string) (*Chat, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.chats[id]
	if c == nil {
		return nil, fmt.Errorf("%w: %q", ErrChatNotFound, id)
	}
	return copyChat(c), nil
}

// Messages returns up to limit messages of chatID ordered by Lamport clock,
// newest first, starting after cursor ("" = the newest), and the cursor of
// the next older page ("" at the end) — shhext_chatMessages (§7.2).
func (m *Messenger) Messages(chatID, cursor string, limit int) (*Page, error) {
	if limit <= 0 {
		limit = 50
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.chats[chatID] == nil {
		return nil, fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
	}
	return m.st.messages(chatID, cursor, limit)
}

// Message returns one stored message.
func (m *Messenger) Message(id string) (*Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.message(id)
}

// MarkSeen marks messages seen and lowers their chats' unread counts.
func (m *Messenger) MarkSeen(ids ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b storage.Batch
	for _, id := range ids {
		msg, err := m.st.message(id)
		if err != nil {
			return err
		}
		if msg.Seen {
			continue
		}
		msg.Seen = true
		putJSON(&b, key(pfxMessage, []byte(id)), msg)
		if c := m.chats[msg.ChatID]; c != nil && c.Unread > 0 {
			c.Unread--
			putChat(&b, c)
		}
	}
	return m.st.write(&b)
}

// DeleteMessage removes a message; a retransmitted copy is not shown again.
func (m *Messenger) DeleteMessage(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg, err := m.st.message(id)
	if err != nil {
		return err
	}
	var b storage.Batch
	deleteMessage(&b, msg)
	if c := m.chats[msg.ChatID]; c != nil && !msg.Seen && c.Unread > 0 {
		c.Unread--
		putChat(&b, c)
	}
	return m.st.write(&b)
}

// DeleteChat deletes a chat's messages and remembers its clock
// (deleted-at-clock-value, §1.8) so older copies are not shown again. A
// public chat is left and a 1:1 chat closed (a new message from the peer
// reopens it); a group keeps its membership state. The chat record stays,
// with its deleted-at clock.
func (m *Messenger) DeleteChat(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.chats[id]
	if c == nil {
		return fmt.Errorf("%w: %q", ErrChatNotFound, id)
	}
	msgs, err := m.st.chatMessages(id)
	if err != nil {
		return err
	}
	var b storage.Batch
	for _, msg := range msgs {
		deleteMessage(&b, msg)
	}
	if c.Type == ChatPublic {
		m.leaveLocked("public:" + c.Name)
	}
	c.DeletedAtClock, c.Unread, c.Active = c.LastClock, 0, c.Type == ChatPrivateGroup && c.Active
	putChat(&b, c)
	if err := m.st.write(&b); err != nil {
		return err
	}
	m.bus.Publish(ChatEvent{Chat: *copyChat(c), Deleted: true})
	return nil
}

func copyChat(c *Chat) *Chat {
	cc := *c
	cc.Members = slices.Clone(c.Members)
	cc.Admins = slices.Clone(c.Admins)
	return &cc
}

// parsePubKey reads a 0x04… hex key and checks it is on the curve.
func parsePubKey(s string) (*ecdsa.PublicKey, error) {
	if !message.IsPubKeyHex(s) {
		return nil, fmt.Errorf("%w: %.20q", ErrInvalidPublicKey, s)
	}
	b := make([]byte, 65)
	for i := range b {
		b[i] = unhex(s[2+2*i])<<4 | unhex(s[3+2*i])
	}
	pub, err := crypto.UnmarshalPubkey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	return pub, nil
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
