package groups

import (
	"crypto/ecdsa"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/message"
)

func key(t *testing.T) (*ecdsa.PrivateKey, string) {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k, message.PubKeyHex(&k.PublicKey)
}

func signed(t *testing.T, k *ecdsa.PrivateKey, chatID string, evs ...message.MembershipEvent) message.MembershipUpdate {
	t.Helper()
	u := message.MembershipUpdate{ChatID: chatID, Events: evs}
	if err := u.Sign(k); err != nil {
		t.Fatal(err)
	}
	return u
}

// A creator's history replays to its members; a member who is not an
// admin may not rename (Apply refuses, the history is untouched); the
// creator may; Merge takes new valid updates once and refuses the rest.
func TestRules(t *testing.T) {
	admin, adminHex := key(t)
	bob, bobHex := key(t)
	_, carolHex := key(t)
	chatID := "6ab1c3a1-5f5e-4c42-9c5c-000000000000" + adminHex
	const c0 = 1570000000000
	created := signed(t, admin, chatID,
		message.MembershipEvent{Type: message.EventChatCreated, Name: "g", ClockValue: c0},
		message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{bobHex}, ClockValue: c0 + 1})
	hist := []message.MembershipUpdate{created}
	g, refused := Replay(chatID, hist)
	if refused != 0 || !slices.Contains(g.Members, bobHex) || !slices.Contains(g.Members, adminHex) || g.Name != "g" {
		t.Fatalf("replay: %+v, %d refused", g, refused)
	}

	rename := signed(t, bob, chatID, message.MembershipEvent{Type: message.EventNameChanged, Name: "mine", ClockValue: c0 + 2})
	if _, _, ok := Apply(chatID, hist, rename); ok {
		t.Fatal("a non-admin rename was allowed")
	}
	if len(hist) != 1 {
		t.Fatal("Apply modified the history")
	}
	add := signed(t, admin, chatID, message.MembershipEvent{Type: message.EventMembersAdded, Members: []string{carolHex}, ClockValue: c0 + 3})
	next, g, ok := Apply(chatID, hist, add)
	if !ok || len(next) != 2 || !slices.Contains(g.Members, carolHex) {
		t.Fatalf("admin add: ok %v, %+v", ok, g)
	}
	if got := Recipients([]string{adminHex, bobHex}, g.Members, adminHex); !slices.Equal(got, []string{bobHex, carolHex}) {
		t.Fatalf("recipients %v", got)
	}

	merged, bad := Merge(chatID, hist, []message.MembershipUpdate{created, add, rename, add})
	if len(merged) != 2 || len(bad) != 1 || bad[0].Signature != rename.Signature {
		t.Fatalf("merge: %d merged, %d refused", len(merged), len(bad))
	}
	if MaxClock(merged, c0+2) != c0+2 || MaxClock(merged, c0+10) != c0+3 || MaxClock(nil, 5) != 0 {
		t.Fatal("MaxClock")
	}
}
