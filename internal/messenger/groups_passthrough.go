package messenger

import (
	"context"
	"fmt"
	"slices"

	"github.com/statusnode/statusd/internal/messenger/groups"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// SendUpdates takes a g5 built outside the messenger (a 2019 frontend
// signs its membership changes itself and sends the group's whole history
// through shhext_sendDirectMessage, once per member) and handles it as
// one of our own changes: the message must pass the §1.8 validator
// (shapes, clocks, signatures, the creator rule) with us as its author,
// every update not yet held must merge without a refused event
// (ErrNotAllowed otherwise, nothing applied), and we must be a member
// before or after it (ErrNotMember). The merged history is stored, the
// chat and member events are published, and the history is sent to every
// member before and after the change except us, through MVDS, as change
// does. A g5 that brings nothing new (the same payload for the next
// member) changes and sends nothing. It returns the chat and the message
// ID of the g5 we sent (or would send). Validation errors wrap
// ErrInvalidMessage and carry the rule (message.RuleOf).
func (g *Groups) SendUpdates(ctx context.Context, p *message.MembershipUpdateMessage) (*Chat, string, error) {
	if err := g.running(); err != nil {
		return nil, "", err
	}
	vctx := message.Context{Now: g.c.cfg.Now(), Author: g.c.self, Self: g.c.self}
	if _, err := message.Validate(p, vctx); err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	ch, recipients, body, id, evs, err := g.commitUpdates(p)
	if err != nil || body == nil {
		return ch, id, err
	}
	g.c.publish(append([]Event{ChatEvent{Chat: *ch}}, evs...)...)
	pubs, err := g.direct.ensurePeers(recipients)
	if err != nil {
		return nil, "", err
	}
	return ch, id, g.c.appendDirect(ctx, pubs, body)
}

// commitUpdates is the locked half of SendUpdates. body is nil when p
// brings nothing new.
func (g *Groups) commitUpdates(p *message.MembershipUpdateMessage) (ch *Chat, recipients []string, body []byte, id string, evs []Event, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	old, had := g.updates[p.ChatID]
	merged, refused := groups.Merge(p.ChatID, old, p.Updates)
	if len(refused) > 0 {
		return nil, nil, nil, "", nil, fmt.Errorf("%w: %d of the updates would refuse an event", ErrNotAllowed, len(refused))
	}
	full := &message.MembershipUpdateMessage{ChatID: p.ChatID, Updates: merged}
	if len(merged) == len(old) {
		_, id, err := g.c.encode(full)
		if c := g.chats.get(p.ChatID); c != nil && err == nil {
			return c, nil, nil, id, nil, nil
		}
		return nil, nil, nil, "", nil, fmt.Errorf("%w: %q", ErrChatNotFound, p.ChatID)
	}
	grp, _ := groups.Replay(p.ChatID, merged)
	ch, err = g.chats.update(p.ChatID, func(c *Chat, batch *storage.Batch) (*Chat, error) {
		var before []string
		switch {
		case c == nil:
			c = &Chat{ID: p.ChatID, Type: ChatPrivateGroup}
		case c.Type != ChatPrivateGroup:
			return nil, fmt.Errorf("%w: %q", ErrChatNotFound, p.ChatID)
		default:
			before = c.Members
		}
		if !slices.Contains(before, g.c.selfHex) && !slices.Contains(grp.Members, g.c.selfHex) {
			return nil, fmt.Errorf("%w: %q", ErrNotMember, p.ChatID)
		}
		recipients = groups.Recipients(before, grp.Members, g.c.selfHex)
		c.LastClock = max(c.LastClock, groups.MaxClock(merged, message.MaxClock(g.c.cfg.Now())))
		var err error
		if body, id, err = g.c.encode(full); err != nil {
			return nil, err
		}
		evs = g.stage(c, grp, old, merged, id, batch)
		return c, nil
	})
	if err != nil {
		if had {
			g.updates[p.ChatID] = old
		} else {
			delete(g.updates, p.ChatID)
		}
		return nil, nil, nil, "", nil, err
	}
	return ch, recipients, body, id, evs, nil
}
