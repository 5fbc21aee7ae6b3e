package messenger

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/transit"
	"github.com/statusnode/statusd/protocol/whisper"
)

// Pairing is the installations part: our own devices (learnt from bundles
// on our contact-code topic, §3.6), pairing them, describing them (p2) and
// syncing them (p1), and our bundle. The installations themselves are the
// encryption layer's state (behind its own lock). Pairing keeps only the
// time of its last bundle reply to each sender, under its own mutex, which
// it never holds while posting. Get it with Messenger.Pairing; its methods
// are safe for concurrent use and need a started messenger.
type Pairing struct {
	c        *core
	chats    *chatBook
	contacts *contactBook
	public   *publicChats
	running  func() error

	mu      sync.Mutex
	replied map[string]time.Time // sender → last bundle reply; guarded by mu
}

// maxReplied bounds the senders whose last bundle reply is remembered; when
// it is reached, the entries older than the reply interval are forgotten.
const maxReplied = 4096

// needsBundle reports whether a decryption failure means the sender holds
// no usable session with this installation, so our bundle would help: no
// session for its ratchet message, a prekey we no longer hold (our state
// was lost), or a message with no entry for this installation ("device
// not found"). The last holds also when the message was addressed to
// another installation of ours: the sender knows that one and not this
// one, and only our bundle teaches it this one — once it has, it sends
// this installation again what it sent us recently
// (directChats.resendToNew), which the other installation acknowledged
// for both of us.
func (p *Pairing) needsBundle(err error) bool {
	return errors.Is(err, encryption.ErrSessionNotFound) || errors.Is(err, encryption.ErrPrivateBundleNotFound) ||
		errors.Is(err, encryption.ErrDeviceNotFound)
}

// replyBundle answers a sender whose message we could not decrypt for want
// of a session (needsBundle) with our bundle: a DH-only message with an
// empty payload, from which it builds a new session, as status-go did. At
// most one reply per sender per Config.BundleReplyInterval. It runs on the
// receive goroutine and reports whether it posted.
func (p *Pairing) replyBundle(sender *ecdsa.PublicKey) bool {
	if sender == nil {
		return false
	}
	id := message.PubKeyHex(sender)
	now := p.c.cfg.Now()
	p.mu.Lock()
	if last, ok := p.replied[id]; ok && now.Sub(last) < p.c.cfg.BundleReplyInterval {
		p.mu.Unlock()
		return false
	}
	if p.replied == nil {
		p.replied = make(map[string]time.Time)
	}
	if len(p.replied) >= maxReplied {
		for k, t := range p.replied {
			if now.Sub(t) >= p.c.cfg.BundleReplyInterval {
				delete(p.replied, k)
			}
		}
	}
	p.replied[id] = now
	p.mu.Unlock()
	o, err := p.c.enc.SendDH(now, p.c.rand, sender, nil)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), p.c.cfg.TTL)
		err = p.c.postDirect(ctx, o, nil)
		cancel()
	}
	if err != nil {
		p.c.log.Warn("bundle reply", zap.String("to", short(id)), zap.Error(err))
		return false
	}
	p.c.log.Info("answered an undecryptable message with our bundle", zap.String("to", short(id)))
	return true
}

// maintain re-publishes our bundle every Config.BundleRepublishInterval
// (status-go: 6 h), so that contacts and our devices keep learning our
// current prekey, and at once and with every re-publication prunes the
// encryption state (prune). It runs until quit is closed.
func (p *Pairing) maintain(quit <-chan struct{}) {
	p.prune()
	t := time.NewTicker(p.c.cfg.BundleRepublishInterval)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		if err := p.publishBundle(); err != nil {
			p.c.log.Warn("re-publish bundle", zap.Error(err))
		}
		p.prune()
	}
}

// prune drops the stale installations of every identity, so they are no
// longer encrypted to (encryption.PruneInstallations), and deletes the
// sessions expired past their retention (encryption.PruneExpired), both
// at Config.Now.
func (p *Pairing) prune() {
	now := p.c.cfg.Now()
	if n, err := p.c.enc.PruneInstallations(now); err != nil {
		p.c.log.Warn("prune stale installations", zap.Error(err))
	} else if n > 0 {
		p.c.log.Info("pruned stale installations", zap.Int("count", n))
	}
	if n, err := p.c.enc.PruneExpired(now); err != nil {
		p.c.log.Warn("prune expired sessions", zap.Error(err))
	} else if n > 0 {
		p.c.log.Info("pruned expired sessions", zap.Int("count", n))
	}
}

// Installations lists our own installations: this one first, then the
// others learnt from bundles signed by our key, newest first (§3.6).
func (p *Pairing) Installations() ([]Installation, error) {
	if err := p.running(); err != nil {
		return nil, err
	}
	insts, err := p.c.enc.Installations(p.c.self)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	own := Installation{ID: p.c.enc.InstallationID(), Enabled: true, Own: true,
		Metadata: encryption.InstallationMetadata{Name: p.c.cfg.Name, DeviceType: p.c.cfg.DeviceType}}
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
func (p *Pairing) EnableInstallation(id string) error { return p.set(id, true) }

// DisableInstallation unpairs one of our installations.
func (p *Pairing) DisableInstallation(id string) error { return p.set(id, false) }

func (p *Pairing) set(id string, on bool) error {
	if err := p.running(); err != nil {
		return err
	}
	var err error
	if on {
		err = p.c.enc.EnableInstallation(id)
	} else {
		err = p.c.enc.DisableInstallation(id)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return p.publishBundle()
}

// SetInstallationMetadata stores name/device type/FCM token for one of our
// installations (ours included).
func (p *Pairing) SetInstallationMetadata(id string, md encryption.InstallationMetadata) error {
	if err := p.running(); err != nil {
		return err
	}
	if err := p.c.enc.SetInstallationMetadata(p.c.self, id, md); err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return nil
}

// SendPairInstallation sends our installation's metadata (p2, §1.9.2)
// DH-only to our own key, so every device of ours can read it.
func (p *Pairing) SendPairInstallation(ctx context.Context) error {
	if err := p.running(); err != nil {
		return err
	}
	body, _, err := p.c.encode(&message.PairInstallation{InstallationID: p.c.enc.InstallationID(),
		DeviceType: p.c.cfg.DeviceType, Name: p.c.cfg.Name})
	if err != nil {
		return err
	}
	return p.sendDH(ctx, body)
}

// SyncDevices sends our added contacts and joined public chats to our
// paired devices (p1, §1.9.2), one public chat per message, encrypted for
// each enabled own installation. Without paired devices it sends nothing.
func (p *Pairing) SyncDevices(ctx context.Context) error {
	if err := p.running(); err != nil {
		return err
	}
	contacts := transit.NewMap()
	for _, ct := range p.contacts.list() {
		if ct.Added {
			contacts.Set(ct.ID, transit.NewMap(transit.Keyword("name"), ct.Name))
		}
	}
	payloads := []message.Payload{&message.SyncInstallation{Contacts: contacts}}
	for _, ch := range p.chats.all() {
		if ch.Type == ChatPublic && ch.Active {
			chat := transit.NewMap(transit.Keyword("public?"), true, transit.Keyword("chat-id"), ch.Name)
			payloads = append(payloads, &message.SyncInstallation{Chat: chat})
		}
	}
	for _, pl := range payloads {
		body, _, err := p.c.encode(pl)
		if err != nil {
			return err
		}
		if err := p.sendOwn(ctx, body); err != nil {
			return err
		}
	}
	return nil
}

// PublishBundle posts our current bundle on our contact-code topic again
// (Start does it once; call it after pairing changes).
func (p *Pairing) PublishBundle() error {
	if err := p.running(); err != nil {
		return err
	}
	return p.publishBundle()
}

// publishBundle posts our bundle on our contact-code topic (§4.3), where
// our contacts and our other devices listen.
func (p *Pairing) publishBundle() error {
	raw, err := p.c.enc.BundleMessage(p.c.cfg.Now(), p.c.rand)
	if err != nil {
		return fmt.Errorf("%w: bundle: %w", ErrEncryption, err)
	}
	name := encryption.ContactCodeTopicName(p.c.self)
	k, err := p.c.keys.get(name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.c.cfg.TTL)
	defer cancel()
	return p.c.post(ctx, Envelope{Topic: whisper.TopicFromName(name), SymKey: &k, Payload: raw}, nil)
}

// ContactCode returns our current bundle as the encoded ProtocolMessage
// published on the contact-code topic (§2, §9.21: by mid-2019 bundles
// travel that way rather than as a base64 string).
func (p *Pairing) ContactCode() ([]byte, error) {
	if err := p.running(); err != nil {
		return nil, err
	}
	raw, err := p.c.enc.BundleMessage(p.c.cfg.Now(), p.c.rand)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return raw, nil
}

// handlePair records a paired device's metadata (p2; the validator
// accepted it only from our own key). A store failure is returned, nothing
// written: the caller holds the p2 for a retry (storefail.go), since the
// device would otherwise stay nameless until it sends its metadata again.
// Any other error (an installation we do not know) drops it.
func (p *Pairing) handlePair(rc recvContext, pi *message.PairInstallation) error {
	if pi.InstallationID == p.c.enc.InstallationID() {
		p.c.markProcessed(rc.r.ID)
		return nil
	}
	md := encryption.InstallationMetadata{Name: pi.Name, DeviceType: pi.DeviceType, FCMToken: pi.FCMToken}
	if err := p.c.enc.SetInstallationMetadata(p.c.self, pi.InstallationID, md); storeFailure(err) {
		return err
	} else if err != nil {
		p.c.drop(ReasonUnexpected, rc.author, err)
		return nil
	}
	p.c.markProcessed(rc.r.ID)
	p.c.publish(InstallationMetadataEvent{Installation: Installation{ID: pi.InstallationID, Metadata: md}})
	return nil
}

// handleSync applies a p1 from a paired device: the public chat to join
// and the contacts to add. A store failure is returned (what was applied
// before it stays; applying it again changes nothing): the caller holds
// the p1 for a retry (storefail.go).
func (p *Pairing) handleSync(rc recvContext, s *message.SyncInstallation) error {
	if name := s.ChatID(); name != "" {
		if !message.IsPublicChatName(name) {
			p.c.drop(message.RuleChatID.String(), rc.author, nil)
			return nil
		}
		if _, err := p.public.join(name); storeFailure(err) {
			return err
		} else if err != nil {
			p.c.log.Warn("join synced chat", zap.Error(err))
		}
	}
	if s.Contacts != nil {
		for _, e := range s.Contacts.Entries {
			id, _ := e.Key.(string)
			if _, err := parsePubKey(id); err != nil || id == p.c.selfHex {
				continue
			}
			name := ""
			if v, ok := e.Value.(*transit.Map); ok {
				if n, ok := v.Keyword("name"); ok {
					name, _ = n.(string)
				}
			}
			ct, err := p.contacts.update(id, func(ct *Contact) *Contact {
				ct.Added = true
				if name != "" {
					ct.Name = name
				}
				return ct
			})
			if err != nil {
				return err
			}
			p.c.publish(ContactEvent{Contact: *ct})
		}
	}
	p.c.markProcessed(rc.r.ID)
	return nil
}
