// Package groups holds the membership rules of Status private group chats
// (docs/PROTOCOL.md §1.9.3) as the messenger applies them: a group is what
// replaying every accepted signed update gives, a change of ours is allowed
// only if replaying it refuses nothing new, a received history is merged
// update by update under the same test, and a change is sent to the members
// before and after it. The functions are pure: no I/O, no clock, no state;
// the messenger's Groups part stores the histories and sends the updates.
package groups

import (
	"slices"

	"github.com/statusnode/statusd/protocol/message"
)

// Replay replays the events of updates (sorted by clock inside
// message.Group.Replay) and returns the group and the number of refused
// events. Updates whose signature does not recover contribute nothing.
func Replay(chatID string, updates []message.MembershipUpdate) (*message.Group, int) {
	g := &message.Group{ChatID: chatID}
	return g, len(g.Replay(authored(updates)))
}

// authored flattens updates into their events, each with the key that
// signed its update; updates whose signature does not recover are left out.
func authored(updates []message.MembershipUpdate) []message.AuthoredEvent {
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
	return all
}

// Apply appends our signed update u to history if replaying the result
// refuses no more events than history alone; ok is false otherwise (the
// change is not allowed to us). It returns the new history (history itself
// is not modified) and the group it replays to.
func Apply(chatID string, history []message.MembershipUpdate, u message.MembershipUpdate) ([]message.MembershipUpdate, *message.Group, bool) {
	_, before := Replay(chatID, history)
	next := append(slices.Clone(history), u)
	g, after := Replay(chatID, next)
	if after > before {
		return nil, nil, false
	}
	return next, g, true
}

// Merge adds each received update not yet in history (by signature) whose
// addition does not make replay refuse more events than history alone
// did; the others are returned as refused. history is not modified.
func Merge(chatID string, history, received []message.MembershipUpdate) (merged, refused []message.MembershipUpdate) {
	merged = history
	_, base := Replay(chatID, history)
	for _, u := range received {
		if slices.ContainsFunc(merged, func(x message.MembershipUpdate) bool { return x.Signature == u.Signature }) {
			continue
		}
		try := append(slices.Clone(merged), u)
		if _, n := Replay(chatID, try); n > base {
			refused = append(refused, u)
			continue
		}
		merged = try
	}
	return merged, refused
}

// Recipients is who must hear of a change: every member before it and
// after it, once each, except self.
func Recipients(before, after []string, self string) []string {
	var out []string
	for _, k := range append(slices.Clone(before), after...) {
		if k != self && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// MaxClock is the highest event clock of updates, each capped at limit
// (a clock from the far future does not drag the chat's clock along), or
// 0 without events.
func MaxClock(updates []message.MembershipUpdate, limit int64) int64 {
	var m int64
	for _, u := range updates {
		for _, ev := range u.Events {
			m = max(m, min(ev.ClockValue, limit))
		}
	}
	return m
}
