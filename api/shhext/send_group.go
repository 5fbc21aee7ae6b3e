package shhext

import (
	"context"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
)

// sendMembershipUpdate is the pass-through of a frontend's g5. A 2019
// frontend signed its membership changes itself and sent the group's whole
// history as a g5 through shhext_sendDirectMessage, once per member
// (status-react send-membership-update); it sent its group chat messages
// the same way, as the message element of such a g5 (wrap-group-message).
// The messenger applies the updates as one of our own changes and sends
// them to the group's members (messenger.Groups.SendUpdates): the
// request's recipient (or public chat) is not used, and the repeated calls
// for the other members change and send nothing more. An embedded chat
// message is then sent to the group as statusd sends group messages (a c4
// to each member, messenger.Send with the message as the frontend built
// it), once however many times the g5 comes. A g5 that does not validate
// (signatures, events, chat ID, its message) is -32602 naming the rule;
// one the merge refuses is -32602 "not allowed". The ID is that of the
// embedded message when there is one, else of the g5 as sent.
func (a *ShhExtAPI) sendMembershipUpdate(ctx context.Context, p *message.MembershipUpdateMessage) (string, error) {
	_, id, err := a.c.m.SendGroupUpdates(ctx, p)
	if err != nil || p.Message == nil {
		return id, fail("payload", err)
	}
	raw, err := message.Encode(p.Message)
	if err != nil {
		return "", rpcError(invalid("payload", err))
	}
	id, err = a.c.m.Send(ctx, p.ChatID, messenger.Draft{Payload: raw})
	return id, fail("payload", err)
}
