package groups

import (
	"slices"
	"sort"

	"github.com/statusnode/statusd/protocol/message"
)

// Standing is where one identity stands in a group, as its members' 2019
// clients would derive it from the history (status-react group-chats
// core.cljs: contacts and members-joined). The zero value means the
// identity was never a member.
type Standing string

// Standings, in the order an identity can reach them.
const (
	// Invited: added by an admin (members-added), no member-joined of its
	// own since. A 2019 client lists it as a member that has not joined.
	Invited Standing = "invited"
	// Joined: the creator, or a member that signed member-joined.
	Joined Standing = "joined"
	// Declined: removed itself (member-removed signed by itself) while
	// invited: status-react's "decline invitation" was this removal.
	Declined Standing = "declined"
	// Left: removed itself after joining.
	Left Standing = "left"
	// Removed: removed by an admin.
	Removed Standing = "removed"
)

// Member reports whether the standing is one of a current member.
func (s Standing) Member() bool { return s == Invited || s == Joined }

// Standings replays updates as Replay does and returns the standing of
// every identity that was ever a member. Refused events change nothing.
// The result is a new map owned by the caller.
func Standings(chatID string, updates []message.MembershipUpdate) map[string]Standing {
	events := authored(updates)
	sort.SliceStable(events, func(i, j int) bool { return events[i].ClockValue < events[j].ClockValue })
	g := &message.Group{ChatID: chatID}
	out := make(map[string]Standing)
	for _, ev := range events {
		before := slices.Clone(g.Members)
		wasJoined := slices.Contains(g.Joined, ev.Member)
		if g.Apply(ev) != nil {
			continue
		}
		switch ev.Type {
		case message.EventChatCreated:
			out[ev.Author] = Joined
		case message.EventMembersAdded:
			for _, m := range ev.Members {
				if !slices.Contains(before, m) {
					out[m] = Invited
				}
			}
		case message.EventMemberJoined:
			out[ev.Member] = Joined
		case message.EventMemberRemoved:
			switch {
			case ev.Author != ev.Member:
				out[ev.Member] = Removed
			case wasJoined:
				out[ev.Member] = Left
			default:
				out[ev.Member] = Declined
			}
		}
	}
	return out
}

// Changes lists the identities whose standing differs between before and
// after (a standing that disappeared is not reported), sorted by key.
func Changes(before, after map[string]Standing) []string {
	var out []string
	for k, s := range after {
		if before[k] != s {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
