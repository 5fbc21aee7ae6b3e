package messenger

import (
	"context"
	"fmt"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// SendPayload sends a pairing message a frontend built (shhext's
// pass-through: status-react 1.0 sent its p2 PairInstallation and p1
// SyncInstallation through shhext_sendDirectMessage to its own key, §1.9.2).
// payload is Transit, bare or in the v1 wrapper (whose signature is
// replaced by ours). It must decode to a p1 or p2 that validates as our
// paired devices will validate it; a p2 must describe this installation
// (rule not-own-device otherwise). Failures wrap ErrInvalidMessage and name
// the rule; nothing is sent then.
//
// The message goes to our own key as the native path sends it: a p2 with
// dh set (status-react's "send to any device") DH-only, so every device of
// ours can read it; a p1, or a p2 without dh, through the double ratchet to
// each enabled (paired) installation of ours — none without paired devices.
// A p2 also records its metadata as this installation's, as
// SetInstallationMetadata does. It returns the message ID (§1.10) of the
// wrapped bytes sent. It blocks until the envelopes are handed to the
// transport.
func (p *Pairing) SendPayload(ctx context.Context, payload []byte, dh bool) (string, error) {
	if err := p.running(); err != nil {
		return "", err
	}
	raw, pl, err := p.pairingPayload(payload)
	if err != nil {
		return "", err
	}
	body, id, err := p.c.wrap(raw)
	if err != nil {
		return "", err
	}
	if pi, ok := pl.(*message.PairInstallation); ok {
		md := encryption.InstallationMetadata{Name: pi.Name, DeviceType: pi.DeviceType, FCMToken: pi.FCMToken}
		if err := p.c.enc.SetInstallationMetadata(p.c.self, pi.InstallationID, md); err != nil {
			return "", fmt.Errorf("%w: %w", ErrEncryption, err)
		}
		if dh {
			return id, p.sendDH(ctx, body)
		}
	}
	return id, p.sendOwn(ctx, body)
}

// pairingPayload decodes and validates a frontend's pairing payload (see
// SendPayload) and returns its Transit bytes.
func (p *Pairing) pairingPayload(payload []byte) ([]byte, message.Payload, error) {
	u, err := message.Unwrap(payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	pl, err := message.Decode(u.Payload)
	if err != nil {
		return nil, nil, invalidMessage(err)
	}
	switch m := pl.(type) {
	case *message.PairInstallation:
		if m.InstallationID != "" && m.InstallationID != p.c.enc.InstallationID() {
			return nil, nil, refuse(message.RuleNotOwnDevice, "p2 describes installation %.40q, not this one", m.InstallationID)
		}
	case *message.SyncInstallation:
		if name := m.ChatID(); name != "" && !message.IsPublicChatName(name) {
			return nil, nil, refuse(message.RuleChatID, "p1 chat %.40q is not a public chat name", name)
		}
	default:
		return nil, nil, refuse(message.RuleUnsupported, "%s is not a pairing message", pl.TransitTag())
	}
	if _, err := message.Validate(pl, message.Context{Now: p.c.cfg.Now(), Author: p.c.self, Self: p.c.self}); err != nil {
		return nil, nil, invalidMessage(err)
	}
	return u.Payload, pl, nil
}

// sendDH posts body DH-only to our own key (SendPairInstallation's path).
func (p *Pairing) sendDH(ctx context.Context, body []byte) error {
	o, err := p.c.enc.SendDH(p.c.cfg.Now(), p.c.rand, p.c.self, body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	return p.c.postDirect(ctx, o, nil)
}

// sendOwn posts body through the ratchet to each enabled installation of
// ours (SyncDevices' path).
func (p *Pairing) sendOwn(ctx context.Context, body []byte) error {
	outs, err := p.c.enc.SendDirect(p.c.cfg.Now(), p.c.rand, p.c.self, body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	if err := p.c.syncBeforeLeaving(); err != nil {
		return err
	}
	for _, o := range outs {
		if err := p.c.postDirect(ctx, o, nil); err != nil {
			return err
		}
	}
	return nil
}

// refuse is an ErrInvalidMessage naming rule r (and wrapping its sentinel).
func refuse(r message.Rule, format string, args ...any) error {
	return fmt.Errorf("%w: rule %s: %w: %s", ErrInvalidMessage, r, r.Err(), fmt.Sprintf(format, args...))
}
