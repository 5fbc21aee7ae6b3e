package messenger

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/messenger/groups"
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

// Groups is the private group part: it owns each group's accepted
// membership history, signs and sends our changes, and merges the ones we
// receive. The membership rules themselves (replay, merge, who may do
// what) are in internal/messenger/groups. Its mutex guards the histories
// and is held while a change is checked and stored (the chat book's lock
// nests inside it); MVDS peers are added and messages appended after it
// is released. Get it with Messenger.Groups; its methods are safe for
// concurrent use and need a started messenger.
type Groups struct {
	c       *core
	chats   *chatBook
	direct  *directChats
	running func() error
	// standingChanged is told the chat ID after we joined, declined or
	// left a group: the messages held while we were invited are retried
	// (parking.go). Set once at construction.
	standingChanged func(chatID string)

	mu      sync.Mutex
	updates map[string][]message.MembershipUpdate // by chat ID; guarded by mu
}

// load reads every group's history and brings each group chat's derived
// fields (members, joined, our standing) in line with it: a chat written
// by an older build (messengerstore format 1, which had no standing) is
// rewritten with the standing its history gives, so a group we never
// announced joining is shown as an invitation, as its members see us. It
// runs after the chat book's load, before Start returns.
func (g *Groups) load() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	err := iterateJSON(g.c.st, []byte{pfxGroup}, func(sg *storedGroup) error {
		g.updates[sg.ChatID] = sg.Updates
		return nil
	})
	if err != nil {
		return err
	}
	for id, updates := range g.updates {
		grp, _ := groups.Replay(id, updates)
		standings := groups.Standings(id, updates)
		_, err := g.chats.update(id, func(c *Chat, _ *storage.Batch) (*Chat, error) {
			if c == nil || c.Type != ChatPrivateGroup {
				return nil, nil
			}
			was := copyChat(c)
			g.apply(c, grp, standings)
			if reflect.DeepEqual(was, c) {
				return nil, nil
			}
			return c, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CreateGroup creates a private group chat named name with us as creator
// and admin and members (0x04… keys) added, and sends the signed g5 to each
// member pairwise over the 1:1 path. The chat ID is a random UUID followed
// by our key (status-react form, §1.7).
func (g *Groups) CreateGroup(ctx context.Context, name string, members []string) (*Chat, error) {
	for _, k := range members {
		if _, err := parsePubKey(k); err != nil {
			return nil, err
		}
	}
	id, err := uuid.NewRandomFromReader(g.c.rand)
	if err != nil {
		return nil, fmt.Errorf("%w: group id: %w", ErrInvalidConfig, err)
	}
	chatID := id.String() + g.c.selfHex
	members = slices.DeleteFunc(slices.Clone(members), func(k string) bool { return k == g.c.selfHex })
	return g.change(ctx, chatID, true, func(next func() int64) []message.MembershipEvent {
		// member names the creator: status-protocol-go takes the admin from
		// it; status-react ignores it (docs/PROTOCOL.md §1.9.3).
		evs := []message.MembershipEvent{{Type: message.EventChatCreated, Name: name, Member: g.c.selfHex, ClockValue: next()}}
		if len(members) > 0 {
			evs = append(evs, message.MembershipEvent{Type: message.EventMembersAdded, Members: members, ClockValue: next()})
		}
		return evs
	})
}

// AddMembers adds members to a group we administer.
func (g *Groups) AddMembers(ctx context.Context, chatID string, members ...string) (*Chat, error) {
	return g.event(ctx, chatID, message.MembershipEvent{Type: message.EventMembersAdded, Members: members})
}

// RemoveMember removes a (non-admin) member from a group we administer.
func (g *Groups) RemoveMember(ctx context.Context, chatID, member string) (*Chat, error) {
	return g.event(ctx, chatID, message.MembershipEvent{Type: message.EventMemberRemoved, Member: member})
}

// MakeAdmin makes a member an admin.
func (g *Groups) MakeAdmin(ctx context.Context, chatID, member string) (*Chat, error) {
	return g.event(ctx, chatID, message.MembershipEvent{Type: message.EventAdminsAdded, Members: []string{member}})
}

// Rename changes the group name.
func (g *Groups) Rename(ctx context.Context, chatID, name string) (*Chat, error) {
	return g.event(ctx, chatID, message.MembershipEvent{Type: message.EventNameChanged, Name: name})
}

// LeaveGroup removes us from the group (the others are told); the chat
// stays, inactive. Leaving a group we were only invited to is declining
// it (Membership "declined").
func (g *Groups) LeaveGroup(ctx context.Context, chatID string) (*Chat, error) {
	return g.ownStanding(ctx, chatID, message.EventMemberRemoved)
}

// ownStanding signs and sends an event about ourselves (joined, removed)
// and then has the messages held for the group retried. The retry runs
// even when sending failed: the change is committed before sending.
func (g *Groups) ownStanding(ctx context.Context, chatID, typ string) (*Chat, error) {
	ch, err := g.event(ctx, chatID, message.MembershipEvent{Type: typ, Member: g.c.selfHex})
	if g.standingChanged != nil {
		g.standingChanged(chatID)
	}
	return ch, err
}

// JoinGroup accepts the invitation to a group we were added to: it signs
// a member-joined event naming us and sends it, with the whole history,
// to every member (status-react join-chat). From then on the group's
// messages are shown and we may send to it; the members' 2019 clients
// list us as joined. Joining a group we already joined changes nothing
// and sends nothing. ErrNotMember if we are not (or no longer) a member.
func (g *Groups) JoinGroup(ctx context.Context, chatID string) (*Chat, error) {
	if ch := g.chats.get(chatID); ch != nil && ch.Type == ChatPrivateGroup && ch.Membership == string(groups.Joined) {
		return ch, nil
	}
	return g.ownStanding(ctx, chatID, message.EventMemberJoined)
}

// DeclineGroup refuses the invitation to a group we were added to and
// have not joined: as status-react's "decline invitation" did, it removes
// us from the group with a member-removed event signed by us and sent to
// every member (so they see we left without joining), and the chat stays,
// inactive, with Membership "declined"; nothing of the group is shown.
// ErrNotAllowed once joined (use LeaveGroup); ErrNotMember if we are not a
// member.
func (g *Groups) DeclineGroup(ctx context.Context, chatID string) (*Chat, error) {
	if ch := g.chats.get(chatID); ch != nil && ch.Type == ChatPrivateGroup && ch.Membership == string(groups.Joined) {
		return nil, fmt.Errorf("%w: %q: already joined (leave the group instead)", ErrNotAllowed, chatID)
	}
	return g.LeaveGroup(ctx, chatID)
}

func (g *Groups) event(ctx context.Context, chatID string, ev message.MembershipEvent) (*Chat, error) {
	keys := ev.Members
	if ev.Member != "" {
		keys = append(keys, ev.Member)
	}
	for _, k := range keys {
		if _, err := parsePubKey(k); err != nil {
			return nil, err
		}
	}
	return g.change(ctx, chatID, false, func(next func() int64) []message.MembershipEvent {
		ev.ClockValue = next()
		return []message.MembershipEvent{ev}
	})
}

// change signs one update of the events build returns, checks that
// replaying it is allowed (ErrNotAllowed otherwise), persists the group
// and chat, and sends the whole history (so new members can replay it) to
// every member before and after the change except us, through MVDS.
func (g *Groups) change(ctx context.Context, chatID string, create bool, build func(next func() int64) []message.MembershipEvent) (*Chat, error) {
	if err := g.running(); err != nil {
		return nil, err
	}
	ch, recipients, body, evs, err := g.commitChange(chatID, create, build)
	if err != nil {
		return nil, err
	}
	g.c.publish(append([]Event{ChatEvent{Chat: *ch}}, evs...)...)
	pubs, err := g.direct.ensurePeers(recipients)
	if err != nil {
		return nil, err
	}
	return ch, g.c.appendDirect(ctx, pubs, body)
}

// commitChange is the locked half of change: it returns the stored chat,
// the recipients (0x04…, without us), the g5 body to send and the
// GroupMemberEvents of the change.
func (g *Groups) commitChange(chatID string, create bool, build func(next func() int64) []message.MembershipEvent) (*Chat, []string, []byte, []Event, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	old, had := g.updates[chatID]
	var recipients []string
	var body []byte
	var evs []Event
	ch, err := g.chats.update(chatID, func(c *Chat, batch *storage.Batch) (*Chat, error) {
		switch {
		case create:
			c = &Chat{ID: chatID, Type: ChatPrivateGroup}
		case c == nil || c.Type != ChatPrivateGroup:
			return nil, fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
		case !c.Active:
			return nil, fmt.Errorf("%w: %q", ErrNotMember, chatID)
		}
		now := g.c.cfg.Now()
		clock := message.NewClock(c.LastClock)
		u := message.MembershipUpdate{ChatID: chatID, Events: build(func() int64 { return clock.Next(now) })}
		if err := u.Sign(g.c.cfg.Identity); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEncryption, err)
		}
		updates, grp, ok := groups.Apply(chatID, g.updates[chatID], u)
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrNotAllowed, u.Events[0].Type)
		}
		recipients = groups.Recipients(c.Members, grp.Members, g.c.selfHex)
		c.LastClock = clock.Last()
		var id string
		var err error
		if body, id, err = g.c.encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: updates}); err != nil {
			return nil, err
		}
		evs = g.stage(c, grp, old, updates, id, batch)
		return c, nil
	})
	if err != nil {
		if had {
			g.updates[chatID] = old
		} else {
			delete(g.updates, chatID)
		}
		return nil, nil, nil, nil, err
	}
	return ch, recipients, body, evs, nil
}

// stage applies the replayed state grp of updates (which replace the
// history old) to chat c, adds the updates and the processed mark of the
// g5 id (none for "") to batch, and caches the history (g.mu held; the
// caller puts the old one back if the batch is not written). It returns a
// GroupMemberEvent for each member whose standing changed.
func (g *Groups) stage(c *Chat, grp *message.Group, old, updates []message.MembershipUpdate, g5ID string, batch *storage.Batch) []Event {
	before, after := groups.Standings(c.ID, old), groups.Standings(c.ID, updates)
	g.apply(c, grp, after)
	putJSON(batch, key(pfxGroup, []byte(c.ID)), &storedGroup{ChatID: c.ID, Updates: updates})
	if g5ID != "" {
		markProcessed(batch, g5ID)
	}
	g.updates[c.ID] = updates // g.mu is held; the caller restores the old history if the write fails
	var evs []Event
	for _, k := range groups.Changes(before, after) {
		evs = append(evs, GroupMemberEvent{ChatID: c.ID, Member: k, Standing: string(after[k]), Self: k == g.c.selfHex})
	}
	return evs
}

// apply sets the fields of chat c that follow from its group's replayed
// state grp and standings.
func (g *Groups) apply(c *Chat, grp *message.Group, standings map[string]groups.Standing) {
	c.Name, c.Members, c.Admins, c.Joined = grp.Name, grp.Members, grp.Admins, grp.Joined
	c.Membership = string(standings[g.c.selfHex])
	c.Active = slices.Contains(grp.Members, g.c.selfHex)
}

// handle merges a received g5 (already validated: shapes, clocks,
// signatures, creator rule, §1.9.3) into the stored history (groups.Merge):
// updates that would make replay refuse an event are dropped and counted.
// A group we are not in (and were never in) is ignored. One we declined,
// left or were removed from stays out of sight: a member who had not yet
// seen us go still sends us its changes, which are merged into the stored
// history (a later re-admission replays it whole) but publish nothing.
// Members become MVDS peers. It runs on the receive goroutine. A store failure is
// returned with nothing changed, counted or published: the caller holds
// the g5 for a retry (storefail.go).
//
// A g5 is marked processed (dedupe) with its history, except one that
// carries a group message: its message ID is the g5's, and the message
// may still be parked (parking.go) or held after a store failure
// (storefail.go), so only the message's own handling may make the ID seen
// (stored). Until then a copy received again, or the parked one retried,
// merges its history again, which changes nothing.
func (g *Groups) handle(rc recvContext, p *message.MembershipUpdateMessage) error {
	if rc.src.kind != srcDirect {
		g.c.drop(ReasonWrongChat, rc.author, nil)
		return nil
	}
	ch, members, evs, drops, err := g.merge(rc, p)
	if err != nil {
		return err
	}
	for _, reason := range drops {
		g.c.drop(reason, rc.author, nil)
	}
	if ch == nil {
		return nil
	}
	if evs != nil || ch.Active {
		g.c.publish(append([]Event{ChatEvent{Chat: *ch}}, evs...)...)
	}
	if !ch.Active {
		return nil
	}
	if _, err := g.direct.ensurePeers(members); err != nil {
		g.c.log.Warn("add group peer", zap.Error(err))
	}
	return nil
}

// merge is the locked half of handle: it returns the stored chat (nil
// when nothing was stored), the other members, the GroupMemberEvents of
// the change (nil while we are out of the group before and after it), and
// the drop reasons to count once the lock is released;
// or the store failure that left the history as it was.
func (g *Groups) merge(rc recvContext, p *message.MembershipUpdateMessage) (*Chat, []string, []Event, []string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.updates[p.ChatID]
	merged, refused := groups.Merge(p.ChatID, old, p.Updates)
	var drops []string
	for range refused {
		drops = append(drops, message.RuleEventNotAllowed.String())
	}
	processed := rc.r.ID // the mark to write with the history
	if p.Message != nil {
		processed = ""
	}
	if len(merged) == len(old) {
		if processed != "" {
			g.c.markProcessed(processed)
		}
		return nil, nil, nil, drops, nil
	}
	grp, _ := groups.Replay(p.ChatID, merged)
	var members []string
	var evs []Event
	ch, err := g.chats.update(p.ChatID, func(c *Chat, batch *storage.Batch) (*Chat, error) {
		if c == nil {
			if !slices.Contains(grp.Members, g.c.selfHex) {
				return nil, errNotMember
			}
			c = &Chat{ID: p.ChatID, Type: ChatPrivateGroup}
		}
		wasIn := c.Active
		c.LastClock = max(c.LastClock, groups.MaxClock(merged, message.MaxClock(g.c.cfg.Now())))
		evs = g.stage(c, grp, old, merged, processed, batch)
		if !wasIn && !c.Active {
			evs = nil // out of the group, before and after: nothing shown
		}
		members = slices.DeleteFunc(slices.Clone(grp.Members), func(k string) bool { return k == g.c.selfHex })
		return c, nil
	})
	switch {
	case errors.Is(err, errNotMember):
		return nil, nil, nil, append(drops, ReasonNotMember), nil
	case err != nil:
		g.updates[p.ChatID] = old
		return nil, nil, nil, nil, err
	}
	return ch, members, evs, drops, nil
}

// errNotMember: a g5 of a group we are not in (never stored).
var errNotMember = fmt.Errorf("%w: not in the group", ErrNotMember)

// chatFor returns the group chat of a received c4 if we are in it and the
// author is a member; otherwise the reason to drop. While our invitation
// is not accepted the group's messages are not shown ("not-joined"), as a
// 2019 client did not show them (status-react kept a group message only
// once we were in members-joined): the invitation is shown, its messages
// are held (parking.go) and shown if we join.
func (g *Groups) chatFor(rc recvContext) (*Chat, string) {
	if rc.src.kind != srcDirect {
		return nil, ReasonWrongChat
	}
	ch := g.chats.get(rc.r.ChatID)
	if ch == nil || ch.Type != ChatPrivateGroup || !ch.Active || !slices.Contains(ch.Members, rc.author) {
		return nil, ReasonNotMember
	}
	if ch.Membership == string(groups.Invited) {
		return nil, ReasonNotJoined
	}
	return ch, ""
}

// mayAdmit reports whether a membership update we have not received yet
// could make a message to chatID acceptable: we know nothing of the group
// (the g5 that adds us is still on its way, typically in the same MVDS
// payload). Messages to a group we know are judged by its history as it
// is.
func (g *Groups) mayAdmit(chatID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, known := g.updates[chatID]
	return !known
}

// GroupEvent is one accepted membership event of a private group with
// the signed update that carried it: Signature is that update's (hex, as
// on the wire) and From its signer (0x04…, "" if it does not recover).
type GroupEvent struct {
	Type       string
	ClockValue int64
	Name       string
	Member     string
	Members    []string
	Signature  string
	From       string
}

// Events returns the accepted membership events of group chatID in
// arrival order, nil for a chat that is not a group. The slice is the
// caller's.
func (g *Groups) Events(chatID string) []GroupEvent {
	g.mu.Lock()
	updates := slices.Clone(g.updates[chatID])
	g.mu.Unlock()
	var out []GroupEvent
	for i := range updates {
		u := &updates[i]
		from := ""
		if pub, err := u.RecoverAuthor(); err == nil {
			from = message.PubKeyHex(pub)
		}
		for _, e := range u.Events {
			out = append(out, GroupEvent{Type: e.Type, ClockValue: e.ClockValue, Name: e.Name, Member: e.Member,
				Members: slices.Clone(e.Members), Signature: u.Signature, From: from})
		}
	}
	return out
}
