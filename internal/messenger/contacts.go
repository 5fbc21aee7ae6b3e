package messenger

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"sort"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// SaveContact adds (or renames) a contact: we listen on its contact-code
// topic for its bundles, and send it our ContactUpdate (c6, §1.9.1) over
// the 1:1 path. name "" keeps the current name.
func (m *Messenger) SaveContact(ctx context.Context, pubKey, name string) (*Contact, error) {
	pub, err := parsePubKey(pubKey)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	c, body, err := m.saveContactLocked(pub, name)
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return c, m.appendDirect(ctx, []*ecdsa.PublicKey{pub}, body)
}

func (m *Messenger) saveContactLocked(pub *ecdsa.PublicKey, name string) (*Contact, []byte, error) {
	if err := m.runningLocked(); err != nil {
		return nil, nil, err
	}
	id := message.PubKeyHex(pub)
	c := m.contactLocked(id)
	c.Added, c.Blocked = true, false
	if name != "" {
		c.Name = name
	}
	if err := m.ensurePeerLocked(pub); err != nil {
		return nil, nil, err
	}
	body, _, err := m.encode(&message.Contact{Tag: message.TagContactUpdate, Name: m.cfg.Name})
	if err != nil {
		return nil, nil, err
	}
	if err := m.putContactLocked(c); err != nil {
		return nil, nil, err
	}
	cc := *c
	return &cc, body, nil
}

// BlockContact blocks a contact: its messages are dropped (counted as
// "blocked"), its 1:1 chat is deleted and left.
func (m *Messenger) BlockContact(pubKey string) (*Contact, error) {
	if _, err := parsePubKey(pubKey); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return nil, err
	}
	c := m.contactLocked(pubKey)
	c.Blocked, c.Added = true, false
	if err := m.putContactLocked(c); err != nil {
		return nil, err
	}
	if chat := m.chats[pubKey]; chat != nil {
		msgs, err := m.st.chatMessages(pubKey)
		if err != nil {
			return nil, err
		}
		var b storage.Batch
		for _, msg := range msgs {
			deleteMessage(&b, msg)
		}
		chat.Active, chat.Unread, chat.DeletedAtClock = false, 0, chat.LastClock
		putChat(&b, chat)
		if err := m.st.write(&b); err != nil {
			return nil, err
		}
	}
	cc := *c
	return &cc, nil
}

// Contacts returns every known contact, sorted by ID. Values are copies.
func (m *Messenger) Contacts() []*Contact {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Contact, 0, len(m.contacts))
	for _, c := range m.contacts {
		cc := *c
		out = append(out, &cc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (m *Messenger) contactLocked(id string) *Contact {
	if c := m.contacts[id]; c != nil {
		return c
	}
	return &Contact{ID: id}
}

func (m *Messenger) putContactLocked(c *Contact) error {
	var b storage.Batch
	putContact(&b, c)
	if err := m.st.write(&b); err != nil {
		return err
	}
	m.contacts[c.ID] = c
	m.bus.Publish(ContactEvent{Contact: *c})
	return nil
}

// handleContactLocked applies a c2/c3/c6 from its author (§1.9.1): older
// than the last one processed (by Whisper timestamp) is discarded.
func (m *Messenger) handleContactLocked(ctx recvContext, p *message.Contact) {
	if ctx.src.kind != srcDirect {
		m.drop(ReasonWrongChat, ctx.author, nil)
		return
	}
	if ctx.author == m.selfHex {
		m.markProcessedLocked(ctx.r.ID)
		return
	}
	c := m.contactLocked(ctx.author)
	if ctx.whisperTime < c.LastUpdated {
		m.drop(ReasonStaleContact, ctx.author, nil)
		return
	}
	c.Name, c.ProfileImage, c.Address, c.LastUpdated = p.Name, p.ProfileImage, p.Address, ctx.whisperTime
	c.Devices = c.Devices[:0]
	for _, d := range p.DeviceInfo {
		c.Devices = append(c.Devices, d.ID)
	}
	if err := m.putContactLocked(c); err != nil {
		m.log.Error("store contact", zap.Error(err))
		return
	}
	m.markProcessedLocked(ctx.r.ID)
}

// ContactCode returns our current bundle as the encoded ProtocolMessage
// published on the contact-code topic (§2, §9.21: by mid-2019 bundles
// travel that way rather than as a base64 string).
func (m *Messenger) ContactCode() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return nil, err
	}
	raw, err := m.enc.BundleMessage(m.cfg.Now(), m.rand)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return raw, nil
}

// ChatKey returns our chat key (public identity key) as 0x04… hex.
func (m *Messenger) ChatKey() string { return m.selfHex }
