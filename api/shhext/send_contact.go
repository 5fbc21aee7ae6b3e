package shhext

import (
	"context"
	"errors"

	"github.com/statusnode/statusd/protocol/message"
)

// sendContactMessage is sendDirectMessage's pass-through of a contact
// message a frontend built (status-react sent its c2 ContactRequest, c3
// ContactRequestConfirmed and c6 ContactUpdate this way, §1.9.1): it goes
// to req.pubKey as a 1:1 message (v1-wrapped, signed, through MVDS and the
// double ratchet), as v0.35 sent it, and a c2 or c3 marks the contact
// added. A payload that does not validate (e.g. an oversized photo, rule
// "profile-image") is refused with -32602 naming the rule and not sent.
func (a *ShhExtAPI) sendContactMessage(ctx context.Context, req SendDirectMessageRequest) (string, error) {
	pub, err := parsePub(req.PubKey)
	if err != nil {
		return "", rpcError(invalid("pubKey", err))
	}
	id, err := a.c.m.SendContactMessage(ctx, pub, req.Payload)
	if err != nil && message.RuleOf(err) != message.RuleNone && !errors.Is(err, message.ErrUnsupported) {
		return "", rpcError(invalid("payload", err))
	}
	return id, fail("pubKey", err)
}
