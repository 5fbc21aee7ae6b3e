package shhext

import (
	"context"
	"fmt"

	"github.com/statusnode/statusd/protocol/message"
)

// sendPairingMessage is sendDirectMessage's pass-through of a pairing
// message a frontend built. status-react 1.0 (pairing/core.cljs) sent its
// p2 PairInstallation with pubKey and sig set to its own key and DH true
// ("send to any device"), and its p1 SyncInstallation to its own key
// without DH; v0.35 sent both to our own installations. So req.pubKey must
// be our own key (rule not-own-device otherwise, as a receiver would rule);
// the messenger validates the payload, sends a DH p2 DH-only (every device
// of ours reads it) and anything else through the double ratchet to our
// paired installations, and records a p2's metadata as ours
// (messenger.Pairing.SendPayload). The paired devices apply it as they
// apply the native ones. An invalid payload is -32602 naming the rule and
// is not sent.
func (a *ShhExtAPI) sendPairingMessage(ctx context.Context, to string, req SendDirectMessageRequest) (string, error) {
	if to != a.c.m.ChatKey() {
		return "", rpcError(invalid("pubKey", fmt.Errorf("rule %s: %w: pairing messages go to our own key",
			message.RuleNotOwnDevice, message.ErrNotOwnDevice)))
	}
	id, err := a.c.m.SendPairingMessage(ctx, req.Payload, req.DH)
	return id, fail("payload", err)
}
