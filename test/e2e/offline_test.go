package e2e

import (
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// TestOfflinePublicSend: Alice sends to a public chat while she has no
// peer. Her first envelope expires unsent (the pool's 15 s TTL; there is
// no TTL flag, so the test waits for it, about 16 s, instead of the 60 s
// of the acceptance: once that envelope is gone only a re-post can deliver
// the message, however long the gap). Then Bob connects: the message
// reaches him, with its original ID, and Alice's delivery state goes
// queued → sent. Each side's daemon runs with --fleet none
// --ntp.enabled=false (lib/testutil/daemon).
func TestOfflinePublicSend(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for an envelope TTL")
	}
	// Mostly a wait for the TTL; it runs beside TestMessengerEndToEnd,
	// which waits for one too, on daemons of its own.
	t.Parallel()
	const chat = "offline-send"
	alice, bob := newPeer(t, "alice"), newPeer(t, "bob")
	alice.mustStart()
	bob.mustStart()
	alice.mustCall(nil, "statusd_joinPublicChat", chat)
	bob.mustCall(nil, "statusd_joinPublicChat", chat)
	if n := alice.peers(); n != 0 {
		t.Fatalf("alice has %d peers before the test connects her", n)
	}

	var id string
	alice.mustCall(&id, "statusd_sendText", chat, "sent while offline")
	state := func() string {
		var d struct{ State string }
		if err := alice.call(&d, "statusd_deliveryState", id); err != nil {
			return "error: " + err.Error()
		}
		return d.State
	}
	// Every envelope Alice posted so far (the message, her bundle) leaves
	// her pool unsent.
	testutil.WaitFor(t, 30*time.Second, "alice's pool to empty", func() bool {
		var info struct{ Messages int }
		return alice.call(&info, "shh_info") == nil && info.Messages == 0
	})
	if s := state(); s != "queued" {
		t.Fatalf("state after the first envelope expired: %s, want queued", s)
	}

	var ok bool
	bob.mustCall(&ok, "admin_addPeer", alice.daemon().Enode)
	waitPeered(t, 20*time.Second, alice, bob)
	testutil.WaitFor(t, 20*time.Second, "bob to show the message", func() bool {
		msgs, err := bob.messages(chat)
		return err == nil && len(msgs) == 1 && msgs[0].ID == id && msgs[0].Text == "sent while offline"
	})
	testutil.WaitFor(t, 10*time.Second, "alice's state sent", func() bool { return state() == "sent" })
}
