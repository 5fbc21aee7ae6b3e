package message

import (
	"slices"
	"sort"
	"strings"
)

// Group is the membership state obtained by replaying events (§1.9.3).
type Group struct {
	ChatID  string
	Name    string
	Creator string   // 0x04… of the chat-created author
	Admins  []string // in order of addition
	Members []string
	// Joined lists the members who joined, as status-react counted them
	// (members-joined): the creator, and each member since its own
	// member-joined event; member-removed takes a member out again.
	// Members not in it are invited.
	Joined []string
}

// AuthoredEvent is an event with the recovered key of its update's signer.
type AuthoredEvent struct {
	MembershipEvent
	Author string // 0x04…
}

// Apply checks one event against the current state and applies it. Rules
// (status-protocol-go ValidateEvent, spec): chat-created only on an empty
// group, with member absent or equal to the author (author becomes admin
// and member); name-changed and members-added
// only by an admin; member-joined only by the member itself, once added;
// admins-added by an admin, for members only; member-removed by the member
// itself or by an admin for a non-admin; admin-removed by an admin for
// itself only. A refused event leaves g unchanged and is RuleEventNotAllowed.
func (g *Group) Apply(ev AuthoredEvent) error {
	isAdmin := slices.Contains(g.Admins, ev.Author)
	ok := false
	switch ev.Type {
	case EventChatCreated:
		// status-protocol-go names the creator in member and makes that key
		// admin; status-react leaves member out. A member other than the
		// author would make the two replays disagree, so it is refused.
		ok = len(g.Admins) == 0 && len(g.Members) == 0 && (ev.Member == "" || strings.EqualFold(ev.Member, ev.Author))
		if ok {
			g.Creator, g.Name = ev.Author, ev.Name
			g.Admins = []string{ev.Author}
			g.Members = []string{ev.Author}
			g.Joined = []string{ev.Author}
		}
	case EventNameChanged:
		if ok = isAdmin && ev.Name != ""; ok {
			g.Name = ev.Name
		}
	case EventMembersAdded:
		if ok = isAdmin; ok {
			g.Members = addAll(g.Members, ev.Members)
		}
	case EventMemberJoined:
		if ok = ev.Member == ev.Author && slices.Contains(g.Members, ev.Member); ok {
			g.Joined = addAll(g.Joined, []string{ev.Member})
		}
	case EventAdminsAdded:
		if ok = isAdmin && subset(ev.Members, g.Members); ok {
			g.Admins = addAll(g.Admins, ev.Members)
		}
	case EventMemberRemoved:
		if ok = ev.Member == ev.Author || (isAdmin && !slices.Contains(g.Admins, ev.Member)); ok {
			g.Members = remove(g.Members, ev.Member)
			g.Admins = remove(g.Admins, ev.Member)
			g.Joined = remove(g.Joined, ev.Member)
		}
	case EventAdminRemoved:
		if ok = isAdmin && ev.Member == ev.Author; ok {
			g.Admins = remove(g.Admins, ev.Member)
		}
	}
	if !ok {
		return reject(RuleEventNotAllowed, "%s by %.14s…", ev.Type, ev.Author)
	}
	return nil
}

// Replay applies events sorted by clock-value (stable) to g and returns
// the refused ones' errors; valid events are applied regardless.
func (g *Group) Replay(events []AuthoredEvent) []error {
	sorted := append([]AuthoredEvent(nil), events...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ClockValue < sorted[j].ClockValue })
	var errs []error
	for _, ev := range sorted {
		if err := g.Apply(ev); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func addAll(set, xs []string) []string {
	for _, x := range xs {
		if !slices.Contains(set, x) {
			set = append(set, x)
		}
	}
	return set
}

func remove(set []string, x string) []string {
	return slices.DeleteFunc(slices.Clone(set), func(s string) bool { return s == x })
}

func subset(xs, set []string) bool {
	for _, x := range xs {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return len(xs) > 0
}

// checkEventShape verifies the fields an event type requires.
func checkEventShape(ev MembershipEvent) error {
	var ok bool
	switch ev.Type {
	case EventChatCreated, EventNameChanged:
		ok = ev.Name != "" || ev.Type == EventChatCreated
	case EventMembersAdded, EventAdminsAdded:
		ok = len(ev.Members) > 0
	case EventMemberJoined, EventMemberRemoved, EventAdminRemoved:
		ok = ev.Member != ""
	default:
		return reject(RuleEvent, "unknown event type %.40q", ev.Type)
	}
	if !ok {
		return reject(RuleEvent, "%s without its required field", ev.Type)
	}
	return nil
}

// validateMembership checks a g5: chat ID format, each update's chat ID,
// event shapes and clocks, signatures (authors recovered), the creator rule
// (the chat-created author is the chat ID's key suffix) and, when the
// message carries the whole history (a chat-created event), the permission
// rules of Group.Apply. It returns the group chat ID.
func validateMembership(m *MembershipUpdateMessage, ctx Context) (string, error) {
	if !IsGroupChatID(m.ChatID) {
		return "", reject(RuleChatID, "%.80q is not a group chat ID", m.ChatID)
	}
	if len(m.Updates) == 0 {
		return "", reject(RuleEvent, "no updates")
	}
	var all []AuthoredEvent
	created := false
	for i := range m.Updates {
		evs, err := checkUpdate(&m.Updates[i], m.ChatID, ctx)
		if err != nil {
			return "", err
		}
		for _, ev := range evs {
			created = created || ev.Type == EventChatCreated
		}
		all = append(all, evs...)
	}
	if created {
		g := &Group{ChatID: m.ChatID}
		if errs := g.Replay(all); len(errs) > 0 {
			return "", errs[0]
		}
	}
	if m.Message != nil {
		if m.Message.MessageType != TypePrivateGrp || m.Message.Content.ChatID != m.ChatID {
			return "", reject(RuleChatIDMismatch, "embedded message is not for this group")
		}
		if _, err := validateChat(m.Message, ctx); err != nil {
			return "", err
		}
	}
	return m.ChatID, nil
}

func checkUpdate(u *MembershipUpdate, chatID string, ctx Context) ([]AuthoredEvent, error) {
	if u.ChatID != chatID {
		return nil, reject(RuleChatIDMismatch, "update for %.80q in message for %.80q", u.ChatID, chatID)
	}
	if len(u.Events) == 0 {
		return nil, reject(RuleEvent, "update without events")
	}
	for _, ev := range u.Events {
		if err := checkEventShape(ev); err != nil {
			return nil, err
		}
		if err := CheckClock(ev.ClockValue, ctx.Now); err != nil {
			return nil, err
		}
	}
	pub, err := u.RecoverAuthor()
	if err != nil {
		return nil, err
	}
	author := PubKeyHex(pub)
	out := make([]AuthoredEvent, 0, len(u.Events))
	for _, ev := range u.Events {
		if ev.Type == EventChatCreated && !strings.EqualFold(author, GroupCreator(chatID)) {
			return nil, reject(RuleGroupCreator, "creator %.14s… does not sign chat ID", author)
		}
		out = append(out, AuthoredEvent{MembershipEvent: ev, Author: author})
	}
	return out, nil
}
