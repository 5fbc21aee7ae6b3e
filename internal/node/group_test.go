package node

import (
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
)

// TestGroupOverRPC: three nodes in a line, driven through JSON-RPC. Alice
// creates a group with Bob and Carol, who join; a message reaches both and is acked
// by both; after Alice removes Carol, Carol's chat shows she is out and a
// new message reaches Bob only.
func TestGroupOverRPC(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	alice, bob, carol := newChatter(t), newChatter(t), newChatter(t)
	connect(t, alice, bob)
	connect(t, bob, carol)

	var g messenger.Chat
	alice.call(&g, "statusd_createGroup", "trio", []string{bob.key, carol.key})
	for _, c := range []*chatter{bob, carol} {
		c.waitEvent("chat.changed", func(raw json.RawMessage) bool {
			var e struct{ Chat messenger.Chat }
			json.Unmarshal(raw, &e)
			return e.Chat.ID == g.ID && len(e.Chat.Members) == 3 && e.Chat.Membership == "invited"
		})
		var joined messenger.Chat
		c.call(&joined, "statusd_joinGroup", g.ID)
	}
	testutil.WaitFor(t, 30*time.Second, "alice sees both joined", func() bool {
		var c messenger.Chat
		alice.call(&c, "statusd_chat", g.ID)
		return len(c.Joined) == 3
	})
	var id string
	alice.call(&id, "statusd_sendText", g.ID, "hello group")
	bob.waitText(g.ID, "hello group")
	carol.waitText(g.ID, "hello group")
	alice.waitDelivery(id, "acked")

	alice.call(&g, "statusd_removeGroupMember", g.ID, carol.key)
	carol.waitEvent("chat.changed", func(raw json.RawMessage) bool {
		var e struct{ Chat messenger.Chat }
		json.Unmarshal(raw, &e)
		return e.Chat.ID == g.ID && !e.Chat.Active
	})
	testutil.WaitFor(t, 30*time.Second, "bob sees carol removed", func() bool {
		var c messenger.Chat
		bob.call(&c, "statusd_chat", g.ID)
		return len(c.Members) == 2
	})
	alice.call(&id, "statusd_sendText", g.ID, "without carol")
	bob.waitText(g.ID, "without carol")
	alice.waitDelivery(id, "acked")
	var d messenger.Delivery
	alice.call(&d, "statusd_deliveryState", id)
	if _, ok := d.Recipients[carol.key]; ok || len(d.Recipients) != 1 {
		t.Fatalf("recipients after removal: %+v", d.Recipients)
	}
	var page messenger.Page
	carol.call(&page, "statusd_messages", g.ID, "", 10)
	for _, m := range page.Messages {
		if m.Text == "without carol" {
			t.Fatal("carol received a message sent after her removal")
		}
	}
	for _, c := range []*chatter{alice, bob, carol} {
		if err := c.n.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}
