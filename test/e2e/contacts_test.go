package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// e2eContact is the part of a statusd_contacts entry the test reads.
type e2eContact struct {
	ID, Alias, Identicon, Name, State string
	ProfileImage                      string `json:"profile_image"`
}

func contactOf(p *peer, id string) *e2eContact {
	var cs []e2eContact
	if err := p.call(&cs, "statusd_contacts"); err != nil {
		return nil
	}
	for i := range cs {
		if cs[i].ID == id {
			return &cs[i]
		}
	}
	return nil
}

// TestContactRequestEndToEnd: two daemons over JSON-RPC only. Alice sets
// her profile and sends Bob a contact request; Bob sees it pending with
// her name, photo, alias and identicon (also in shhext_contacts' v0.35
// shape), accepts; both then see each other as added contacts with names,
// and Bob still does after a restart.
func TestContactRequestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts statusd processes")
	}
	alice, bob := newPeer(t, "alice"), newPeer(t, "bob")
	alice.mustStart()
	bob.mustStart(alice.daemon().Enode)
	waitPeered(t, 30*time.Second, alice, bob)

	const photo = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
	var prof struct{ Name, Image string }
	alice.mustCall(&prof, "statusd_setProfile", "Alice", photo)
	bob.mustCall(&prof, "statusd_setProfile", "Bob", "")
	var big struct{}
	if err := alice.call(&big, "statusd_setProfile", "Alice", "data:image/png;base64,"+strings.Repeat("A", 64<<10)); err == nil ||
		!strings.Contains(err.Error(), "profile-image") {
		t.Fatalf("oversized photo: %v", err)
	}

	var sent e2eContact
	alice.mustCall(&sent, "statusd_requestContact", bob.key)
	if sent.State != "request-sent" {
		t.Fatalf("alice after the request: %+v", sent)
	}
	testutil.WaitFor(t, 30*time.Second, "bob sees alice's request", func() bool {
		c := contactOf(bob, alice.key)
		return c != nil && c.State == "request-received"
	})
	got := contactOf(bob, alice.key)
	if got.Name != "Alice" || got.ProfileImage != photo || got.Alias == "" || got.Alias == got.Name ||
		!strings.HasPrefix(got.Identicon, "data:image/png;base64,") {
		t.Fatalf("bob sees %+v", got)
	}
	var v035 []struct {
		ID, Name, Alias, Identicon string
		SystemTags                 []string `json:"systemTags"`
	}
	bob.mustCall(&v035, "shhext_contacts")
	if len(v035) != 1 || v035[0].Name != "Alice" || v035[0].Alias != got.Alias || v035[0].Identicon != got.Identicon ||
		len(v035[0].SystemTags) != 1 || v035[0].SystemTags[0] != ":contact/request-received" {
		t.Fatalf("bob's shhext_contacts: %+v", v035)
	}

	var accepted e2eContact
	bob.mustCall(&accepted, "statusd_acceptContact", alice.key)
	if accepted.State != "added" {
		t.Fatalf("bob after accepting: %+v", accepted)
	}
	testutil.WaitFor(t, 30*time.Second, "alice sees bob added, with his name", func() bool {
		c := contactOf(alice, bob.key)
		return c != nil && c.State == "added" && c.Name == "Bob"
	})

	if err := bob.daemon().Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	bob.mustStart(alice.daemon().Enode)
	if c := contactOf(bob, alice.key); c == nil || c.State != "added" || c.Name != "Alice" {
		t.Fatalf("bob after a restart: %+v", c)
	}
}
