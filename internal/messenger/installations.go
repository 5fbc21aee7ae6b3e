package messenger

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/transit"
)

// Installations lists our own installations: this one first, then the
// others learnt from bundles signed by our key, newest first (§3.6).
func (m *Messenger) Installations() ([]Installation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return nil, err
	}
	insts, err := m.enc.Installations(m.self)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	own := Installation{ID: m.enc.InstallationID(), Enabled: true, Own: true,
		Metadata: encryption.InstallationMetadata{Name: m.cfg.Name, DeviceType: m.cfg.DeviceType}}
	out := []Installation{own}
	for _, i := range insts {
		if i.ID == own.ID {
			out[0].Metadata = i.Metadata
			continue
		}
		out = append(out, Installation{ID: i.ID, Enabled: i.Enabled, Metadata: i.Metadata, Timestamp: i.Timestamp})
	}
	return out, nil
}

// EnableInstallation pairs one of our installations: it enters our bundle
// and receives copies of what we send (§3.6). Our bundle is republished.
func (m *Messenger) EnableInstallation(id string) error { return m.setInstallation(id, true) }

// DisableInstallation unpairs one of our installations.
func (m *Messenger) DisableInstallation(id string) error { return m.setInstallation(id, false) }

func (m *Messenger) setInstallation(id string, on bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return err
	}
	var err error
	if on {
		err = m.enc.EnableInstallation(id)
	} else {
		err = m.enc.DisableInstallation(id)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return m.publishBundleLocked()
}

// SetInstallationMetadata stores name/device type/FCM token for one of our
// installations (ours included).
func (m *Messenger) SetInstallationMetadata(id string, md encryption.InstallationMetadata) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return err
	}
	if err := m.enc.SetInstallationMetadata(m.self, id, md); err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return nil
}

// SendPairInstallation sends our installation's metadata (p2, §1.9.2)
// DH-only to our own key, so every device of ours can read it.
func (m *Messenger) SendPairInstallation(ctx context.Context) error {
	m.mu.Lock()
	if err := m.runningLocked(); err != nil {
		m.mu.Unlock()
		return err
	}
	body, _, err := m.encode(&message.PairInstallation{InstallationID: m.enc.InstallationID(),
		DeviceType: m.cfg.DeviceType, Name: m.cfg.Name})
	m.mu.Unlock()
	if err != nil {
		return err
	}
	o, err := m.enc.SendDH(m.cfg.Now(), m.rand, m.self, body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return m.postDirect(ctx, o, nil)
}

// SyncDevices sends our added contacts and joined public chats to our
// paired devices (p1, §1.9.2), one public chat per message, encrypted for
// each enabled own installation. Without paired devices it sends nothing.
func (m *Messenger) SyncDevices(ctx context.Context) error {
	m.mu.Lock()
	if err := m.runningLocked(); err != nil {
		m.mu.Unlock()
		return err
	}
	contacts := transit.NewMap()
	for _, c := range m.contacts {
		if c.Added {
			contacts.Set(c.ID, transit.NewMap(transit.Keyword("name"), c.Name))
		}
	}
	var payloads []message.Payload
	payloads = append(payloads, &message.SyncInstallation{Contacts: contacts})
	for _, c := range m.chats {
		if c.Type == ChatPublic && c.Active {
			chat := transit.NewMap(transit.Keyword("public?"), true, transit.Keyword("chat-id"), c.Name)
			payloads = append(payloads, &message.SyncInstallation{Chat: chat})
		}
	}
	var bodies [][]byte
	for _, p := range payloads {
		body, _, err := m.encode(p)
		if err != nil {
			m.mu.Unlock()
			return err
		}
		bodies = append(bodies, body)
	}
	m.mu.Unlock()
	for _, body := range bodies {
		outs, err := m.enc.SendDirect(m.cfg.Now(), m.rand, m.self, body)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrEncryption, err)
		}
		for _, o := range outs {
			if err := m.postDirect(ctx, o, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// handlePairLocked records a paired device's metadata (p2; the validator
// accepted it only from our own key).
func (m *Messenger) handlePairLocked(ctx recvContext, p *message.PairInstallation) {
	if p.InstallationID == m.enc.InstallationID() {
		m.markProcessedLocked(ctx.r.ID)
		return
	}
	md := encryption.InstallationMetadata{Name: p.Name, DeviceType: p.DeviceType, FCMToken: p.FCMToken}
	if err := m.enc.SetInstallationMetadata(m.self, p.InstallationID, md); err != nil {
		m.drop(ReasonUnexpected, ctx.author, err)
		return
	}
	m.markProcessedLocked(ctx.r.ID)
	m.bus.Publish(InstallationMetadataEvent{Installation: Installation{ID: p.InstallationID, Metadata: md}})
}

// handleSyncLocked applies a p1 from a paired device: the public chat to
// join and the contacts to add.
func (m *Messenger) handleSyncLocked(ctx recvContext, p *message.SyncInstallation) {
	if name := p.ChatID(); name != "" {
		if !message.IsPublicChatName(name) {
			m.drop(message.RuleChatID.String(), ctx.author, nil)
			return
		}
		if _, err := m.joinPublicLocked(name); err != nil {
			m.log.Warn("join synced chat", zap.Error(err))
		}
	}
	if p.Contacts != nil {
		for _, e := range p.Contacts.Entries {
			id, _ := e.Key.(string)
			if _, err := parsePubKey(id); err != nil || id == m.selfHex {
				continue
			}
			c := m.contactLocked(id)
			c.Added = true
			if v, ok := e.Value.(*transit.Map); ok {
				if n, ok := v.Keyword("name"); ok {
					if s, ok := n.(string); ok && s != "" {
						c.Name = s
					}
				}
			}
			if err := m.putContactLocked(c); err != nil {
				m.log.Warn("store synced contact", zap.Error(err))
			}
		}
	}
	m.markProcessedLocked(ctx.r.ID)
}
