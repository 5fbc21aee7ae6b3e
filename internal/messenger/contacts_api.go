package messenger

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
)

// This file is the coordinator's API for the own profile and the contact
// request flow of 2019 clients (status-react contact/core.cljs): c2
// ContactRequest, c3 ContactRequestConfirmed, c6 ContactUpdate (§1.9.1).

// Profile returns our profile: the name and image our contact messages
// carry (defaults filled in).
func (m *Messenger) Profile() Profile { return m.profile.get() }

// SetProfile sets our display name and photo (a base64 image data URI of
// at most message.MaxProfileImageBytes; "" resets either to its default:
// the alias, the identicon), stores them, publishes a ProfileEvent and
// sends our contact update (c6) to every active contact, as status-react
// did on a profile change. A refused name or image is ErrInvalidProfile
// (an image wraps message.ErrProfileImage); nothing is stored or sent then.
// It blocks until the updates are handed to MVDS.
func (m *Messenger) SetProfile(ctx context.Context, name, image string) (Profile, error) {
	if err := m.running(); err != nil {
		return Profile{}, err
	}
	pr, err := m.profile.set(name, image)
	if err != nil {
		return Profile{}, err
	}
	m.c.publish(ProfileEvent{Profile: pr})
	return pr, m.publishContactUpdate(ctx)
}

// RequestContact adds pubKey (0x04… hex) as a contact and sends it our
// profile: a c2 contact request, or a c3 confirmation when it already sent
// us a contact message (status-react's add-contact). A blocked contact is
// unblocked. We listen on its contact-code topic. The ContactEvent is
// published after the store write; it blocks until the message is handed
// to MVDS.
func (m *Messenger) RequestContact(ctx context.Context, pubKey string) (*Contact, error) {
	return m.addContact(ctx, pubKey, false)
}

// AcceptContact accepts the pending request of pubKey: it is marked added
// and gets our c3 confirmation with our profile. A contact that sent no
// contact message is ErrNoContactRequest, a blocked one ErrContactBlocked.
func (m *Messenger) AcceptContact(ctx context.Context, pubKey string) (*Contact, error) {
	return m.addContact(ctx, pubKey, true)
}

func (m *Messenger) addContact(ctx context.Context, pubKey string, accept bool) (*Contact, error) {
	pub, err := parsePubKey(pubKey)
	if err != nil {
		return nil, err
	}
	if err := m.running(); err != nil {
		return nil, err
	}
	if m.c.isSelf(pub) {
		return nil, fmt.Errorf("%w: our own key", ErrInvalidPublicKey)
	}
	if err := m.direct.ensurePeer(pub); err != nil {
		return nil, err
	}
	ct, tag, err := m.contacts.add(pubKey, accept)
	if err != nil {
		return nil, err
	}
	m.c.publish(ContactEvent{Contact: *ct})
	if err := m.subs.joinContactCode(pub); err != nil {
		return ct, err
	}
	body, _, err := m.c.encodeFor(m.profile.contactMessage(tag), []string{pubKey})
	if err != nil {
		return ct, err
	}
	return ct, m.c.appendDirect(ctx, []*ecdsa.PublicKey{pub}, body)
}

// SetContact stores what a frontend says of a contact (shhext_saveContact,
// status-go v0.35: it stored the record and sent nothing): added or not,
// and its name when not "". The contact is unblocked. Added contacts are
// listened to on their contact-code topic. Requests are sent by the
// frontend's own c2/c3 (SendContactMessage) or by RequestContact.
func (m *Messenger) SetContact(pubKey, name string, added bool) (*Contact, error) {
	pub, err := parsePubKey(pubKey)
	if err != nil {
		return nil, err
	}
	if err := m.running(); err != nil {
		return nil, err
	}
	ct, err := m.contacts.update(pubKey, func(ct *Contact) *Contact {
		ct.Added, ct.Blocked = added, false
		if name != "" {
			ct.Name = name
		}
		return ct
	})
	if err != nil {
		return nil, err
	}
	m.c.publish(ContactEvent{Contact: *ct})
	if added {
		return ct, m.subs.joinContactCode(pub)
	}
	return ct, nil
}

// SendContactMessage sends a contact message a frontend built (Transit c2,
// c3 or c6, bare or in a v1 wrapper; its own Transit bytes are kept, and
// wrapped and signed with our key unless pubKey reads only bare payloads,
// wrapforms.go) to pubKey as a 1:1 message through MVDS, as
// status-go v0.35's sendDirectMessage did, and returns its message ID. The
// payload must validate (§1.8, including message.RuleProfileImage);
// otherwise the *message.RuleError is returned wrapped in
// ErrInvalidMessage and nothing is sent. A c2 or c3 marks the contact
// added, as the frontend's add-contact did before sending it. Payloads
// that are not contact messages are ErrInvalidMessage with
// message.ErrUnsupported: the caller handles them.
func (m *Messenger) SendContactMessage(ctx context.Context, pubKey string, payload []byte) (string, error) {
	pub, err := parsePubKey(pubKey)
	if err != nil {
		return "", err
	}
	raw, ct, err := contactPayload(payload, m.c)
	if err != nil {
		return "", err
	}
	if err := m.running(); err != nil {
		return "", err
	}
	if err := m.direct.ensurePeer(pub); err != nil {
		return "", err
	}
	body := raw // bare for a peer that reads only bare Transit (wrapforms.go)
	if m.c.forms == nil || !m.c.forms.bare([]string{pubKey}) {
		if body, err = message.Wrap(raw, m.c.cfg.Identity); err != nil {
			return "", fmt.Errorf("%w: wrap: %w", ErrInvalidMessage, err)
		}
	}
	if ct.Tag != message.TagContactUpdate {
		changed, err := m.contacts.markAdded(pubKey)
		if err != nil {
			return "", err
		}
		if changed != nil {
			m.c.publish(ContactEvent{Contact: *changed})
		}
		if err := m.subs.joinContactCode(pub); err != nil {
			return "", err
		}
	}
	return message.ID(m.c.self, body), m.c.appendDirect(ctx, []*ecdsa.PublicKey{pub}, body)
}

// contactPayload unwraps and decodes a frontend's payload and validates it
// as a contact message from us; it returns the Transit bytes and the
// decoded record.
func contactPayload(payload []byte, c *core) ([]byte, *message.Contact, error) {
	u, err := message.Unwrap(payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	p, err := message.Decode(u.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: rule %s: %w", ErrInvalidMessage, message.RuleOf(err), err)
	}
	ct, ok := p.(*message.Contact)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %w: %s is not a contact message", ErrInvalidMessage, message.ErrUnsupported, p.TransitTag())
	}
	if _, err := message.Validate(ct, message.Context{Now: c.cfg.Now(), Author: c.self, Self: c.self}); err != nil {
		return nil, nil, fmt.Errorf("%w: rule %s: %w", ErrInvalidMessage, message.RuleOf(err), err)
	}
	return u.Payload, ct, nil
}

// publishContactUpdate sends our c6 to every active contact and records
// the time (status-react's last-updated, set whether or not the sends
// succeeded).
func (m *Messenger) publishContactUpdate(ctx context.Context) error {
	update := m.profile.contactMessage(message.TagContactUpdate)
	var errs []error
	for _, id := range m.contacts.active() {
		pub, err := parsePubKey(id)
		if err == nil {
			err = m.direct.ensurePeer(pub)
		}
		var body []byte
		if err == nil {
			body, _, err = m.c.encodeFor(update, []string{id})
		}
		if err == nil {
			err = m.c.appendDirect(ctx, []*ecdsa.PublicKey{pub}, body)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("contact update to %s: %w", short(id), err))
		}
	}
	if err := m.profile.markPublished(m.c.cfg.Now()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// republishContactUpdate sends our contact update to every active contact
// when contactUpdateDue says so (profile.go); it reports whether it did.
func (m *Messenger) republishContactUpdate(ctx context.Context) bool {
	if !contactUpdateDue(m.c.cfg.Now(), m.profile.lastPublished(), m.c.tr.PeerCount(), m.c.cfg.ContactUpdateInterval) {
		return false
	}
	if len(m.contacts.active()) == 0 {
		return false
	}
	if err := m.publishContactUpdate(ctx); err != nil {
		m.c.log.Warn("re-send contact update", zap.Error(err))
	}
	return true
}

// maintainContactUpdate checks every Config.ContactUpdateCheckInterval
// whether our contact update is due again (republishContactUpdate). It
// returns when quit is closed; a send under way is cancelled.
func (m *Messenger) maintainContactUpdate(quit <-chan struct{}) {
	ctx, cancel := quitContext(quit)
	defer cancel()
	t := time.NewTicker(m.c.cfg.ContactUpdateCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		m.republishContactUpdate(ctx)
	}
}
