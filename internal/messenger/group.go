package messenger

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// storedGroup is the value of a "g" record: every signed membership update
// of the group we accepted, in arrival order. The membership is what
// replaying them gives (§1.9.3); nothing else is trusted.
type storedGroup struct {
	ChatID  string                     `json:"chat_id"`
	Updates []message.MembershipUpdate `json:"updates"`
}

// replayGroup replays the events of updates sorted by clock. It returns the
// group and the number of refused events; updates whose signature does not
// recover contribute nothing.
func replayGroup(chatID string, updates []message.MembershipUpdate) (*message.Group, int) {
	var all []message.AuthoredEvent
	for i := range updates {
		pub, err := updates[i].RecoverAuthor()
		if err != nil {
			continue
		}
		author := message.PubKeyHex(pub)
		for _, ev := range updates[i].Events {
			all = append(all, message.AuthoredEvent{MembershipEvent: ev, Author: author})
		}
	}
	g := &message.Group{ChatID: chatID}
	return g, len(g.Replay(all))
}

// CreateGroup creates a private group chat named name with us as creator
// and admin and members (0x04… keys) added, and sends the signed g5 to each
// member pairwise over the 1:1 path. The chat ID is a random UUID followed
// by our key (status-react form, §1.7).
func (m *Messenger) CreateGroup(ctx context.Context, name string, members []string) (*Chat, error) {
	for _, k := range members {
		if _, err := parsePubKey(k); err != nil {
			return nil, err
		}
	}
	id, err := uuid.NewRandomFromReader(m.rand)
	if err != nil {
		return nil, fmt.Errorf("%w: group id: %w", ErrInvalidConfig, err)
	}
	chatID := id.String() + m.selfHex
	members = slices.DeleteFunc(slices.Clone(members), func(k string) bool { return k == m.selfHex })
	return m.changeGroup(ctx, chatID, true, func(next func() int64) []message.MembershipEvent {
		// member names the creator: status-protocol-go takes the admin from
		// it; status-react ignores it (docs/PROTOCOL.md §1.9.3).
		evs := []message.MembershipEvent{{Type: message.EventChatCreated, Name: name, Member: m.selfHex, ClockValue: next()}}
		if len(members) > 0 {
			evs = append(evs, message.MembershipEvent{Type: message.EventMembersAdded, Members: members, ClockValue: next()})
		}
		return evs
	})
}

// AddMembers adds members to a group we administer.
func (m *Messenger) AddMembers(ctx context.Context, chatID string, members ...string) (*Chat, error) {
	return m.groupEvent(ctx, chatID, message.MembershipEvent{Type: message.EventMembersAdded, Members: members})
}

// RemoveMember removes a (non-admin) member from a group we administer.
func (m *Messenger) RemoveMember(ctx context.Context, chatID, member string) (*Chat, error) {
	return m.groupEvent(ctx, chatID, message.MembershipEvent{Type: message.EventMemberRemoved, Member: member})
}

// MakeAdmin makes a member an admin.
func (m *Messenger) MakeAdmin(ctx context.Context, chatID, member string) (*Chat, error) {
	return m.groupEvent(ctx, chatID, message.MembershipEvent{Type: message.EventAdminsAdded, Members: []string{member}})
}

// Rename changes the group name.
func (m *Messenger) Rename(ctx context.Context, chatID, name string) (*Chat, error) {
	return m.groupEvent(ctx, chatID, message.MembershipEvent{Type: message.EventNameChanged, Name: name})
}

// LeaveGroup removes us from the group (the others are told); the chat
// stays, inactive.
func (m *Messenger) LeaveGroup(ctx context.Context, chatID string) (*Chat, error) {
	return m.groupEvent(ctx, chatID, message.MembershipEvent{Type: message.EventMemberRemoved, Member: m.selfHex})
}

func (m *Messenger) groupEvent(ctx context.Context, chatID string, ev message.MembershipEvent) (*Chat, error) {
	keys := ev.Members
	if ev.Member != "" {
		keys = append(keys, ev.Member)
	}
	for _, k := range keys {
		if _, err := parsePubKey(k); err != nil {
			return nil, err
		}
	}
	return m.changeGroup(ctx, chatID, false, func(next func() int64) []message.MembershipEvent {
		ev.ClockValue = next()
		return []message.MembershipEvent{ev}
	})
}

// changeGroup signs one update of the events build returns, checks that
// replaying it is allowed (ErrNotAllowed otherwise), persists the group and
// chat, and sends the whole history (so new members can replay it) to
// every member before and after the change except us, through MVDS.
func (m *Messenger) changeGroup(ctx context.Context, chatID string, create bool, build func(next func() int64) []message.MembershipEvent) (*Chat, error) {
	m.mu.Lock()
	c, recipients, body, err := m.changeGroupLocked(chatID, create, build)
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return c, m.appendDirect(ctx, recipients, body)
}

func (m *Messenger) changeGroupLocked(chatID string, create bool, build func(next func() int64) []message.MembershipEvent) (*Chat, []*ecdsa.PublicKey, []byte, error) {
	if err := m.runningLocked(); err != nil {
		return nil, nil, nil, err
	}
	c := m.chats[chatID]
	switch {
	case create:
		c = &Chat{ID: chatID, Type: ChatPrivateGroup}
	case c == nil || c.Type != ChatPrivateGroup:
		return nil, nil, nil, fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
	case !c.Active:
		return nil, nil, nil, fmt.Errorf("%w: %q", ErrNotMember, chatID)
	}
	now := m.cfg.Now()
	clock := message.NewClock(c.LastClock)
	u := message.MembershipUpdate{ChatID: chatID, Events: build(func() int64 { return clock.Next(now) })}
	if err := u.Sign(m.cfg.Identity); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	old := m.groups[chatID]
	_, before := replayGroup(chatID, old)
	updates := append(slices.Clone(old), u)
	g, after := replayGroup(chatID, updates)
	if after > before {
		return nil, nil, nil, fmt.Errorf("%w: %s", ErrNotAllowed, u.Events[0].Type)
	}
	recipients := slices.Clone(c.Members)
	for _, k := range g.Members {
		if !slices.Contains(recipients, k) {
			recipients = append(recipients, k)
		}
	}
	c.LastClock = clock.Last()
	body, id, err := m.encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: updates})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := m.saveGroupLocked(c, g, updates, id); err != nil {
		return nil, nil, nil, err
	}
	var pubs []*ecdsa.PublicKey
	for _, k := range recipients {
		if k == m.selfHex {
			continue
		}
		pub, err := parsePubKey(k)
		if err != nil {
			return nil, nil, nil, err
		}
		if err := m.ensurePeerLocked(pub); err != nil {
			return nil, nil, nil, err
		}
		pubs = append(pubs, pub)
	}
	return copyChat(c), pubs, body, nil
}

// saveGroupLocked applies the replayed state g to chat c and persists the
// updates, the chat and the processed mark of the g5 id in one batch.
func (m *Messenger) saveGroupLocked(c *Chat, g *message.Group, updates []message.MembershipUpdate, g5ID string) error {
	c.Name, c.Members, c.Admins = g.Name, g.Members, g.Admins
	c.Active = slices.Contains(g.Members, m.selfHex)
	var b storage.Batch
	putJSON(&b, key(pfxGroup, []byte(c.ID)), &storedGroup{ChatID: c.ID, Updates: updates})
	putChat(&b, c)
	markProcessed(&b, g5ID)
	if err := m.st.write(&b); err != nil {
		return err
	}
	m.groups[c.ID] = updates
	m.chats[c.ID] = c
	m.bus.Publish(ChatEvent{Chat: *copyChat(c)})
	return nil
}

// handleMembershipLocked merges a received g5 (already validated: shapes,
// clocks, signatures, creator rule, §1.9.3) into the stored history. Each
// update not yet known is kept only if replaying it refuses no event;
// refused ones are counted. A group we are not in (and were never in) is
// ignored. Members become MVDS peers.
func (m *Messenger) handleMembershipLocked(ctx recvContext, p *message.MembershipUpdateMessage) {
	if ctx.src.kind != srcDirect {
		m.drop(ReasonWrongChat, ctx.author, nil)
		return
	}
	merged := m.groups[p.ChatID]
	_, refused := replayGroup(p.ChatID, merged)
	added := 0
	for _, u := range p.Updates {
		if slices.ContainsFunc(merged, func(x message.MembershipUpdate) bool { return x.Signature == u.Signature }) {
			continue
		}
		try := append(slices.Clone(merged), u)
		if _, n := replayGroup(p.ChatID, try); n > refused {
			m.drop(message.RuleEventNotAllowed.String(), ctx.author, nil)
			continue
		}
		merged, added = try, added+1
	}
	if added == 0 {
		m.markProcessedLocked(ctx.r.ID)
		return
	}
	g, _ := replayGroup(p.ChatID, merged)
	c := m.chats[p.ChatID]
	if c == nil {
		if !slices.Contains(g.Members, m.selfHex) {
			m.drop(ReasonNotMember, ctx.author, nil)
			return
		}
		c = &Chat{ID: p.ChatID, Type: ChatPrivateGroup}
	}
	for _, u := range merged {
		for _, ev := range u.Events {
			c.LastClock = max(c.LastClock, min(ev.ClockValue, message.MaxClock(m.cfg.Now())))
		}
	}
	if err := m.saveGroupLocked(c, g, merged, ctx.r.ID); err != nil {
		m.log.Error("store group", zap.Error(err))
		return
	}
	if !c.Active {
		return
	}
	for _, k := range g.Members {
		if pub, err := parsePubKey(k); err == nil {
			if err := m.ensurePeerLocked(pub); err != nil {
				m.log.Warn("add group peer", zap.Error(err))
			}
		}
	}
}
