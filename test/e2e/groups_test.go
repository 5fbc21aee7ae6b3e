package e2e

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
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
// the group and does not show Alice's message, which his node holds and shows
// once he joins. Carol declines: Alice sees
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
	early := alice.sendText(g.ID, "before anyone joined")
	eventually(t, e2eWait, "bob's and carol's nodes have it (acked)", func() bool { return alice.hasDelivery(early, "acked") })
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
	eventually(t, e2eWait, "bob shows what was held while he was invited", func() bool {
		return bob.hasText(g.ID, alice.key, "before anyone joined")
	})

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

// accountKey decrypts the account key of a stopped or running daemon's
// datadir with its password, as a frontend holding the account would.
func accountKey(t *testing.T, p *chatProc) *ecdsa.PrivateKey {
	t.Helper()
	dir := filepath.Join(p.d.Datadir(), "keystore")
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != 1 {
		t.Fatalf("keystore of %s: %v %v", p.name, files, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keystore.DecryptKey(data, p.password)
	if err != nil {
		t.Fatal(err)
	}
	return k.PrivateKey
}

// g5Hex is a v1-wrapped g5 of updates signed by key, hex for shhext_.
func g5Hex(t *testing.T, key *ecdsa.PrivateKey, chatID string, updates ...message.MembershipUpdate) string {
	t.Helper()
	raw, err := message.Encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: updates})
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := message.Wrap(raw, key)
	if err != nil {
		t.Fatal(err)
	}
	return hexutil.Encode(wrapped)
}

// TestGroupUpdatesPassThroughEndToEnd: a frontend holding Alice's account
// builds and signs its group changes itself and sends the whole history
// through shhext_sendDirectMessage, once per member, as status-react did.
// Alice's node applies the creation (her chat lists the group), Bob gets
// the invitation and joins with statusd_joinGroup; a group message sent
// inside such a g5 reaches him; then a frontend-built
// removal of Bob reaches him (membership "removed") though it was sent
// with Bob's key only once; a g5 whose chat ID is not its signer's is
// refused with -32602 and changes nothing.
func TestGroupUpdatesPassThroughEndToEnd(t *testing.T) {
	dir := t.TempDir()
	alice := startChatProc(t, "alice", filepath.Join(dir, "alice"), "alice password")
	bob := startChatProc(t, "bob", filepath.Join(dir, "bob"), "bob password")
	alice.addPeer(bob)
	eventually(t, e2eWait, "connected", func() bool { return alice.whisperPeers() == 1 && bob.whisperPeers() == 1 })
	key := accountKey(t, alice)
	chatID := "5e0f3a6c-2b1d-4e8f-9a7c-3d2e1f0a9b8c" + alice.key
	clock := time.Now().UnixMilli()
	sign := func(evs ...message.MembershipEvent) message.MembershipUpdate {
		u := message.MembershipUpdate{ChatID: chatID, Events: evs}
		if err := u.Sign(key); err != nil {
			t.Fatal(err)
		}
		return u
	}
	created := sign(message.MembershipEvent{Type: message.EventChatCreated, Name: "built by a frontend", ClockValue: clock},
		message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{bob.key}, ClockValue: clock})
	send := func(payload string) (string, error) {
		var id string
		err := alice.callErr(&id, "shhext_sendDirectMessage", map[string]any{"pubKey": bob.key, "payload": payload, "sig": alice.key})
		return id, err
	}
	id, err := send(g5Hex(t, key, chatID, created))
	if err != nil || !strings.HasPrefix(id, "0x") {
		t.Fatalf("sending the creation: %q, %v", id, err)
	}
	if c := alice.chat(chatID); c.Name != "built by a frontend" || c.Membership != "joined" || len(c.Members) != 2 {
		t.Fatalf("alice's chat after the pass-through: %+v", c)
	}
	eventually(t, e2eWait, "bob invited", func() bool {
		var c messenger.Chat
		return bob.callErr(&c, "statusd_chat", chatID) == nil && c.Membership == "invited"
	})
	bob.call(nil, "statusd_joinGroup", chatID)
	eventually(t, e2eWait, "alice sees bob join", func() bool { return alice.hasGroupEvent("joined", chatID, bob.key) })

	// A group message as the frontend sent it: the message element of a
	// g5 carrying the history. Bob shows it.
	now := time.Now()
	embedded := &message.ChatMessage{ContentType: message.ContentText, MessageType: message.TypePrivateGrp,
		Clock: now.UnixMilli() * message.ClockScale, Timestamp: now.UnixMilli(),
		Content: message.Content{ChatID: chatID, Text: "hello from a frontend"}}
	raw, err := message.Encode(&message.MembershipUpdateMessage{ChatID: chatID, Updates: []message.MembershipUpdate{created}, Message: embedded})
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := message.Wrap(raw, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := send(hexutil.Encode(wrapped)); err != nil {
		t.Fatal(err)
	}
	eventually(t, e2eWait, "bob gets the group message", func() bool { return bob.hasText(chatID, alice.key, "hello from a frontend") })

	// A frontend takes the next clock from the chat's last one
	// (status-react get-last-clock-value), after Bob's join.
	last := alice.chat(chatID).LastClock
	removed := sign(message.MembershipEvent{Type: message.EventMemberRemoved, Member: bob.key, ClockValue: last + 1})
	if _, err := send(g5Hex(t, key, chatID, created, removed)); err != nil {
		t.Fatal(err)
	}
	eventually(t, e2eWait, "bob learns he was removed", func() bool {
		c := bob.chat(chatID)
		return c.Membership == "removed" && !c.Active
	})

	other, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	forged := message.MembershipUpdate{ChatID: chatID, Events: []message.MembershipEvent{
		{Type: message.EventNameChanged, Name: "forged", ClockValue: last + 2}}}
	if err := forged.Sign(other); err != nil {
		t.Fatal(err)
	}
	_, err = send(g5Hex(t, key, chatID, created, forged))
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32602 {
		t.Fatalf("a name change by a non-member: %v, want -32602", err)
	}
	if c := alice.chat(chatID); c.Name != "built by a frontend" {
		t.Fatalf("alice's chat after a refused update: %+v", c)
	}
}
