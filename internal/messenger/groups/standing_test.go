package groups

import (
	"maps"
	"slices"
	"testing"

	"github.com/statusnode/statusd/protocol/message"
)

// Each standing as status-react derived it: the creator has joined; an
// added member is invited until its own member-joined; removing itself
// while invited is a decline, after joining a leave; an admin's removal is
// a removal; a member-joined signed by someone else, or by a non-member,
// changes nothing; re-adding a member who left invites it again.
func TestStandings(t *testing.T) {
	admin, adminHex := key(t)
	bob, bobHex := key(t)
	carol, carolHex := key(t)
	dave, daveHex := key(t)
	erin, erinHex := key(t)
	chatID := "6ab1c3a1-5f5e-4c42-9c5c-000000000000" + adminHex
	const c0 = 1570000000000
	hist := []message.MembershipUpdate{signed(t, admin, chatID,
		message.MembershipEvent{Type: message.EventChatCreated, Name: "g", ClockValue: c0},
		message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{bobHex, carolHex, daveHex}, ClockValue: c0})}
	want := map[string]Standing{adminHex: Joined, bobHex: Invited, carolHex: Invited, daveHex: Invited}
	check := func(step string) {
		t.Helper()
		if got := Standings(chatID, hist); !maps.Equal(got, want) {
			t.Fatalf("%s: %v, want %v", step, got, want)
		}
	}
	check("created")

	add := func(u message.MembershipUpdate) { hist = append(hist, u) }

	add(signed(t, bob, chatID, message.MembershipEvent{Type: message.EventMemberJoined, Member: bobHex, ClockValue: c0 + 1}))
	want[bobHex] = Joined
	check("bob joins")

	add(signed(t, carol, chatID, message.MembershipEvent{Type: message.EventMemberRemoved, Member: carolHex, ClockValue: c0 + 2}))
	want[carolHex] = Declined
	check("carol declines")

	add(signed(t, bob, chatID, message.MembershipEvent{Type: message.EventMemberRemoved, Member: bobHex, ClockValue: c0 + 3}))
	want[bobHex] = Left
	check("bob leaves")

	add(signed(t, admin, chatID, message.MembershipEvent{Type: message.EventMemberRemoved, Member: daveHex, ClockValue: c0 + 4}))
	want[daveHex] = Removed
	check("dave removed")

	// Not allowed: Dave (no longer a member) joins; Erin (never one) joins;
	// Dave signs a join for Erin. None changes anything.
	add(signed(t, dave, chatID, message.MembershipEvent{Type: message.EventMemberJoined, Member: daveHex, ClockValue: c0 + 5}))
	add(signed(t, erin, chatID, message.MembershipEvent{Type: message.EventMemberJoined, Member: erinHex, ClockValue: c0 + 5}))
	add(signed(t, dave, chatID, message.MembershipEvent{Type: message.EventMemberJoined, Member: erinHex, ClockValue: c0 + 5}))
	check("refused joins")

	add(signed(t, admin, chatID, message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{bobHex}, ClockValue: c0 + 6}))
	want[bobHex] = Invited
	check("bob re-added")

	g, _ := Replay(chatID, hist)
	if len(g.Joined) != 1 || g.Joined[0] != adminHex {
		t.Fatalf("joined %v, want only the admin", g.Joined)
	}
	// Against an older view (admin joined, bob left): bob, carol and dave
	// changed; the admin did not.
	if ch := Changes(map[string]Standing{adminHex: Joined, bobHex: Left}, want); len(ch) != 3 || slices.Contains(ch, adminHex) {
		t.Fatalf("changes %v, want bob, carol and dave", ch)
	}
}
