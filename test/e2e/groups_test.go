package e2e

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
)

// hasGroupEvent reports whether p saw a group.<standing> event for member
// in chatID.
func (p *chatProc) hasGroupEvent(standing, chatID, member string) bool {
	return p.hasEvent("group."+standing, func(raw json.RawMessage) bool {
		var e struct {
			ChatID string `json:"chat_id"`
			Member string `json:"member"`
		}
		return json.Unmarshal(raw, &e) == nil && e.ChatID == chatID && e.Member == member
	})
}

// TestGroupInvitationEndToEnd: three statusd processes driven only
// through JSON-RPC. Alice creates a group with Bob and Carol; both see an
// invitation (membership "invited", a group.invited event of their own)
// and Alice lists them as not joined. While invited, Bob cannot send to
// the group and does not show Alice's message. Carol declines: Alice sees
// group.declined for her and she is no longer a member. Bob joins: Alice
// sees group.joined for him (the member-joined he signed) and lists him as
// joined; Carol, gone, sees nothing of it. Alice's next message reaches
// Bob only, and both ways work. The standings survive Bob's restart.
func TestGroupInvitationEndToEnd(t *testing.T) {
	begin := time.Now()
	dir := t.TempDir()
	alice := startChatProc(t, "alice", filepath.Join(dir, "alice"), "alice password")
	bob := startChatProc(t, "bob", filepath.Join(dir, "bob"), "bob password")
	carol := startChatProc(t, "carol", filepath.Join(dir, "carol"), "carol password")
	all := []*chatProc{alice, bob, carol}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range all {
				t.Logf("--- %s log tail ---\n%s", p.name, p.logTail())
			}
		}
	})
	alice.addPeer(bob)
	alice.addPeer(carol)
	bob.addPeer(carol)
	eventually(t, e2eWait, "a full Whisper mesh", func() bool {
		for _, p := range all {
			if p.whisperPeers() < 2 {
				return false
			}
		}
		return true
	})

	var g messenger.Chat
	alice.call(&g, "statusd_createGroup", "invitations", []string{bob.key, carol.key})
	if g.Membership != "joined" || !slices.Equal(g.Joined, []string{alice.key}) {
		t.Fatalf("alice's new group: membership %q, joined %v", g.Membership, g.Joined)
	}
	for _, p := range []*chatProc{bob, carol} {
		eventually(t, e2eWait, p.name+" sees the invitation", func() bool {
			var c messenger.Chat
			return p.callErr(&c, "statusd_chat", g.ID) == nil && c.Active && c.Membership == "invited" &&
				len(c.Members) == 3 && slices.Equal(c.Joined, []string{alice.key})
		})
		eventually(t, e2eWait, p.name+"'s group.invited event", func() bool {
			return p.hasEvent("group.invited", func(raw json.RawMessage) bool {
				var e struct {
					ChatID string `json:"chat_id"`
					Member string `json:"member"`
					Self   bool   `json:"self"`
				}
				return json.Unmarshal(raw, &e) == nil && e.ChatID == g.ID && e.Member == p.key && e.Self
			})
		})
	}
	t.Logf("invitations seen at %v", time.Since(begin).Round(time.Millisecond))

	// Invited: Bob may not write, and does not show the group's messages.
	var rerr rpc.Error
	if err := bob.callErr(nil, "statusd_sendText", g.ID, "too early"); !errors.As(err, &rerr) || rerr.ErrorCode() != -32602 {
		t.Fatalf("bob sending while invited: %v", err)
	}
	alice.sendText(g.ID, "before anyone joined")
	eventually(t, e2eWait, "bob drops the message of a group he has not joined", func() bool {
		return bob.hasDropped(alice.key, messenger.ReasonNotJoined)
	})
	if ms := bob.messages(g.ID); len(ms) != 0 {
		t.Fatalf("bob shows %d messages while invited", len(ms))
	}

	// Carol declines.
	var c messenger.Chat
	carol.call(&c, "statusd_declineGroup", g.ID)
	if c.Membership != "declined" || c.Active {
		t.Fatalf("carol after declining: %+v", c)
	}
	eventually(t, e2eWait, "alice sees carol decline", func() bool {
		return alice.hasGroupEvent("declined", g.ID, carol.key) && !slices.Contains(alice.chat(g.ID).Members, carol.key)
	})

	// Bob joins.
	bob.call(&c, "statusd_joinGroup", g.ID)
	if c.Membership != "joined" || !slices.Contains(c.Joined, bob.key) {
		t.Fatalf("bob after joining: %+v", c)
	}
	eventually(t, e2eWait, "alice sees bob join", func() bool {
		return alice.hasGroupEvent("joined", g.ID, bob.key) && slices.Contains(alice.chat(g.ID).Joined, bob.key)
	})
	t.Logf("decline and join seen at %v", time.Since(begin).Round(time.Millisecond))

	welcome := alice.sendText(g.ID, "welcome bob")
	eventually(t, e2eWait, "bob gets alice's message", func() bool { return bob.hasText(g.ID, alice.key, "welcome bob") })
	eventually(t, e2eWait, "bob acks it", func() bool { return alice.hasDelivery(welcome, "acked") })
	if d := alice.delivery(welcome); len(d.Recipients) != 1 || !d.Recipients[bob.key] {
		t.Fatalf("recipients of alice's message: %+v", d.Recipients)
	}
	bob.sendText(g.ID, "thanks alice")
	eventually(t, e2eWait, "alice gets bob's reply", func() bool { return alice.hasText(g.ID, bob.key, "thanks alice") })
	if ms := carol.messages(g.ID); len(ms) != 0 || carol.hasGroupEvent("joined", g.ID, bob.key) {
		t.Fatalf("carol, who declined, shows %d messages or bob's join", len(ms))
	}

	bob.stop()
	bob.restart()
	if c := bob.chat(g.ID); c.Membership != "joined" || !c.Active {
		t.Fatalf("bob's group after restart: %+v", c)
	}
	if c := carol.chat(g.ID); c.Membership != "declined" {
		t.Fatalf("carol's group: %+v", c)
	}
	t.Logf("total %v", time.Since(begin).Round(time.Millisecond))
}
