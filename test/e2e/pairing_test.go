package e2e

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
)

// TestPairingPassThroughEndToEnd: two statusd processes of one account,
// paired. Alice's frontend sends its p2 and p1 through
// shhext_sendDirectMessage to her own key, as status-react 1.0 did
// (pairing/core.cljs: the p2 with DH set, the p1 without). Her second
// device records the first's metadata from the p2, and joins the public
// chat and adds the contact the p1 names. A p2 sent to another key is
// refused with -32602 naming rule not-own-device.
func TestPairingPassThroughEndToEnd(t *testing.T) {
	dir := t.TempDir()
	n := &messengerNet{}
	n.alice = startChatProc(t, "alice", filepath.Join(dir, "alice"), "alice password")
	copyKeystore(t, filepath.Join(dir, "alice"), filepath.Join(dir, "alice2"))
	n.alice2 = startChatProc(t, "alice2", filepath.Join(dir, "alice2"), "alice password")
	bob := startChatProc(t, "bob", filepath.Join(dir, "bob"), "bob password")
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range []*chatProc{n.alice, n.alice2} {
				t.Logf("--- %s log tail ---\n%s", p.name, p.logTail())
			}
		}
	})
	alice, alice2 := n.alice, n.alice2
	alice.addPeer(alice2)
	eventually(t, e2eWait, "connected", func() bool { return alice.whisperPeers() == 1 && alice2.whisperPeers() == 1 })
	n.pairAlice()
	var info struct {
		InstallationID string `json:"installation_id"`
	}
	alice.call(&info, "statusd_info")

	send := func(dh bool, pubKey, transit string) (string, error) {
		var id string
		err := alice.callErr(&id, "shhext_sendDirectMessage", map[string]any{"sig": alice.key, "pubKey": pubKey,
			"DH": dh, "payload": hexutil.Encode([]byte(transit))})
		return id, err
	}
	if _, err := send(true, alice.key, fmt.Sprintf(`["~#p2",[%q,"desktop","frontend laptop",null]]`, info.InstallationID)); err != nil {
		t.Fatalf("p2: %v", err)
	}
	eventually(t, e2eWait, "alice2 records the p2", func() bool {
		var insts []messenger.Installation
		alice2.call(&insts, "statusd_installations")
		return slices.ContainsFunc(insts, func(i messenger.Installation) bool {
			return i.ID == info.InstallationID && i.Metadata.Name == "frontend laptop" && i.Metadata.DeviceType == "desktop"
		})
	})
	p1 := fmt.Sprintf(`["~#p1",[["^ ",%q,["^ ","~:name","bob","~:photo-path","","~:last-updated",1573000000000,"~:system-tags",["~#set",["~:contact/added"]]]],["^ "],["^ ","~:public?",true,"~:chat-id","pairing-e2e"]]]`, bob.key)
	if _, err := send(false, alice.key, p1); err != nil {
		t.Fatalf("p1: %v", err)
	}
	eventually(t, e2eWait, "alice2 applies the p1", func() bool {
		var contacts []messenger.Contact
		alice2.call(&contacts, "statusd_contacts")
		var c messenger.Chat
		return alice2.callErr(&c, "statusd_chat", "pairing-e2e") == nil && c.Active &&
			slices.ContainsFunc(contacts, func(c messenger.Contact) bool { return c.ID == bob.key && c.Added && c.Name == "bob" })
	})

	_, err := send(true, bob.key, fmt.Sprintf(`["~#p2",[%q,"desktop","x",null]]`, info.InstallationID))
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32602 || !strings.Contains(err.Error(), "rule not-own-device") {
		t.Fatalf("p2 to bob: %v", err)
	}
}
