package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/lib/testutil"
)

// TestContactCommands: two daemons; Alice sets her profile (with a photo
// file) and sends Bob a contact request; Bob lists it pending under her
// name, accepts it by name; both then list each other as added, and Bob
// writes to Alice by her name.
func TestContactCommands(t *testing.T) {
	a, dirA := startNode(t)
	b, dirB := startNode(t)
	if code, _, errs := ctl(t, "--datadir", dirA, "peer", "add", b.P2P().Self().URLv4()); code != 0 {
		t.Fatalf("peer add: %s", errs)
	}
	waitPeers(t, a, b)
	// A 1×1 PNG.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
		"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	photo := filepath.Join(t.TempDir(), "me.png")
	if err := os.WriteFile(photo, png, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := ctl(t, "--datadir", dirA, "profile", "set", "Alice", "--photo", photo); code != 0 ||
		!strings.Contains(out, "name:  Alice\nphoto: image/png") {
		t.Fatalf("profile set: %d %q %s", code, out, errs)
	}
	if code, out, _ := ctl(t, "--datadir", dirA, "profile", "show"); code != 0 || !strings.HasPrefix(out, "name:  Alice\n") {
		t.Fatalf("profile show: %d %q", code, out)
	}
	big := filepath.Join(t.TempDir(), "big.png")
	if err := os.WriteFile(big, append(png, make([]byte, 64<<10)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := ctl(t, "--datadir", dirA, "profile", "set", "--photo", big); code != 1 || !strings.Contains(errs, "profile-image") {
		t.Fatalf("oversized photo: %d %s", code, errs)
	}
	var keyA, keyB string
	for _, k := range []struct {
		dir string
		out *string
	}{{dirA, &keyA}, {dirB, &keyB}} {
		if code, out, _ := ctl(t, "--datadir", k.dir, "call", "statusd_chatKey"); code != 0 || json.Unmarshal([]byte(out), k.out) != nil {
			t.Fatalf("chat key: %q", out)
		}
	}
	if code, out, errs := ctl(t, "--datadir", dirA, "contact", "request", keyB); code != 0 || !strings.HasSuffix(out, "request-sent\n") {
		t.Fatalf("contact request: %d %q %s", code, out, errs)
	}
	testutil.WaitFor(t, 20*time.Second, "bob to see alice's request", func() bool {
		_, out, _ := ctl(t, "--datadir", dirB, "contact", "list")
		return strings.Contains(out, keyA+"  Alice (") && strings.HasSuffix(out, "request-received\n")
	})
	if code, out, errs := ctl(t, "--datadir", dirB, "contact", "accept", "alice"); code != 0 || !strings.HasSuffix(out, "  added\n") {
		t.Fatalf("contact accept: %d %q %s", code, out, errs)
	}
	testutil.WaitFor(t, 20*time.Second, "alice to see bob added", func() bool {
		_, out, _ := ctl(t, "--datadir", dirA, "contacts")
		return strings.HasPrefix(out, keyB) && strings.HasSuffix(out, "  added\n")
	})
	// Bob writes to Alice by her name; "alice" could also be a public chat
	// he has not joined, so it is refused with both ways out.
	if code, out, errs := ctl(t, "--datadir", dirB, "send", "Alice", "hi", "alice"); code != 0 || !strings.HasPrefix(out, "0x") {
		t.Fatalf("send to a contact by name: %d %q %s", code, out, errs)
	}
	if code, _, errs := ctl(t, "--datadir", dirB, "send", "alice", "hi"); code != 1 ||
		!strings.Contains(errs, `"alice" could be your contact Alice or the public chat #alice`) {
		t.Fatalf("send to a name that could be a public chat: %d %s", code, errs)
	}
	// Chats and messages name the contact, and "me".
	if code, out, errs := ctl(t, "--datadir", dirB, "messages", "Alice"); code != 0 || !strings.Contains(out, "  me  hi alice") {
		t.Fatalf("messages of a contact by name: %d %q %s", code, out, errs)
	}
	if code, out, errs := ctl(t, "--datadir", dirB, "chats"); code != 0 || !strings.Contains(out, "  Alice ("+keyA[:16]+"…") {
		t.Fatalf("chats with a contact: %d %q %s", code, out, errs)
	}
	testutil.WaitFor(t, 20*time.Second, "alice to get bob's text", func() bool {
		_, out, _ := ctl(t, "--datadir", dirA, "messages", keyB)
		return strings.Contains(out, "hi alice")
	})
	if code, _, errs := ctl(t, "--datadir", dirB, "contact", "accept", "nobody"); code == 0 || errs == "" {
		t.Fatalf("accept an unknown contact: %d", code)
	}
	if code, _, errs := ctl(t, "--datadir", dirB, "contact", "frob", keyA); code != 2 || !strings.Contains(errs, "unknown subcommand") {
		t.Fatalf("unknown subcommand: %d %s", code, errs)
	}
}

// countingContacts is a statusd API stub that counts statusd_contacts.
type countingContacts struct{ calls int }

func (c *countingContacts) Contacts() []contactRow {
	c.calls++
	return []contactRow{{ID: "0x04" + strings.Repeat("a", 128), Name: "Alice"}}
}

func (c *countingContacts) Chats() []chatRow { return []chatRow{{ID: "status", Type: chatPublic}} }

// TestContactListOnce: resolving a name that matches no contact looks
// through the contacts twice (as a contact, then as a chat's contact) and
// asks the node for them once.
func TestContactListOnce(t *testing.T) {
	stub := &countingContacts{}
	srv := rpc.NewServer()
	if err := srv.RegisterName("statusd", stub); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	client := rpc.DialInProc(srv)
	s := &session{ctx: context.Background(), client: client, out: io.Discard, errw: io.Discard}
	defer s.close()

	if _, err := s.contactKey("nobody"); err == nil {
		t.Fatal("contactKey(nobody): no error")
	}
	if key, err := s.contactKey("alice"); err != nil || key != "0x04"+strings.Repeat("a", 128) {
		t.Fatalf("contactKey(alice) = %q, %v", key, err)
	}
	if stub.calls != 1 {
		t.Fatalf("statusd_contacts asked %d times in one command, want 1", stub.calls)
	}
}
