package messenger_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// pairedDevices starts two installations of one identity, a1 and a2, that
// know and enable each other.
func pairedDevices(t *testing.T, h *harness) (a1, a2 *node) {
	key := newKey(t)
	a1 = h.start(key, storage.NewMemory(), withInstallation("a1"), withName("laptop"))
	a2 = h.start(key, storage.NewMemory(), withInstallation("a2"), withName("phone"))
	if err := a1.PublishBundle(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "devices see each other", func() bool {
		return hasInstallation(t, a1, "a2", false) && hasInstallation(t, a2, "a1", false)
	})
	for _, p := range []struct {
		n  *node
		id string
	}{{a1, "a2"}, {a2, "a1"}} {
		if err := p.n.EnableInstallation(p.id); err != nil {
			t.Fatal(err)
		}
	}
	return a1, a2
}

// A p2 and a p1 built as status-react 1.0's pairing/core.cljs built them
// and passed through Pairing.SendPayload reach the paired device, which
// applies them as it applies the native ones: the p2's name becomes a1's
// metadata there (and here), the p1's public chat is joined and its
// contact added.
func TestPairingPassThrough(t *testing.T) {
	h := newHarness(t)
	a1, a2 := pairedDevices(t, h)
	ctx := ctxT(t)
	carol := newKey(t)
	carolHex := message.PubKeyHex(&carol.PublicKey)

	p2 := []byte(`["~#p2",["a1","desktop","frontend laptop",null]]`)
	id, err := a1.Pairing().SendPayload(ctx, p2, true)
	if err != nil || len(id) != 66 {
		t.Fatalf("p2: id %q, %v", id, err)
	}
	hasName := func(n *node) bool {
		insts, _ := n.Installations()
		return slices.ContainsFunc(insts, func(i messenger.Installation) bool {
			return i.ID == "a1" && i.Metadata.Name == "frontend laptop" && i.Metadata.DeviceType == "desktop"
		})
	}
	if !hasName(a1) {
		t.Fatal("a1 did not record its own p2 metadata")
	}
	testutil.WaitFor(t, wait, "p2 applied on a2", func() bool { return hasName(a2) })

	p1 := fmt.Appendf(nil, `["~#p1",[["^ ",%q,["^ ","~:name","carol","~:photo-path","","~:last-updated",1570000000000,"~:system-tags",["~#set",["~:contact/added"]]]],["^ "],["^ ","~:public?",true,"~:chat-id","frontend-sync"]]]`, carolHex)
	if _, err := a1.Pairing().SendPayload(ctx, p1, false); err != nil {
		t.Fatalf("p1: %v", err)
	}
	testutil.WaitFor(t, wait, "p1 applied on a2", func() bool {
		if _, err := a2.Chat("frontend-sync"); err != nil {
			return false
		}
		return slices.ContainsFunc(a2.Contacts(), func(c *messenger.Contact) bool {
			return c.ID == carolHex && c.Added && c.Name == "carol"
		})
	})
}

// Invalid frontend pairing payloads are refused naming their rule, and
// nothing is sent.
func TestPairingPassThroughInvalid(t *testing.T) {
	h := newHarness(t)
	a1 := h.newNode(withInstallation("a1"))
	ctx := ctxT(t)
	before := h.net.Stats().Posted
	for _, c := range []struct {
		name, payload string
		dh            bool
		rule          message.Rule
	}{
		{"p2 without installation id", `["~#p2",[null,"desktop","laptop",null]]`, true, message.RuleShape},
		{"p2 of another installation", `["~#p2",["someone-else","desktop","laptop",null]]`, true, message.RuleNotOwnDevice},
		{"p2 wrong arity", `["~#p2",["a1"]]`, true, message.RuleShape},
		{"p1 wrong arity", `["~#p1",[null,null]]`, false, message.RuleShape},
		{"p1 chat not a public name", `["~#p1",[null,null,["^ ","~:public?",true,"~:chat-id","Not A Chat!"]]]`, false, message.RuleChatID},
		{"chat message", `["~#c4",["hi","text/plain","~:public-group-user-message",1,1,["^ ","~:chat-id","status","~:text","hi"]]]`, false, message.RuleUnsupported},
	} {
		_, err := a1.Pairing().SendPayload(ctx, []byte(c.payload), c.dh)
		if !errors.Is(err, messenger.ErrInvalidMessage) || !errors.Is(err, c.rule.Err()) {
			t.Errorf("%s: %v, want rule %s", c.name, err, c.rule)
		}
	}
	if n := h.net.Stats().Posted - before; n != 0 {
		t.Fatalf("%d envelopes posted for invalid payloads", n)
	}
}
