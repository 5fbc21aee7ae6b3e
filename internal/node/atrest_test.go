package node

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/golang/snappy"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/messenger"
)

// TestHistoryUnreadableAtRest: after a conversation (public, 1:1, group,
// a named contact) no message text, chat name or contact name is in any
// file of the data directory, as written or snappy-compressed; the node
// restarts and shows its history with the password, and refuses to start
// with another one.
func TestHistoryUnreadableAtRest(t *testing.T) {
	alice, bob := newChatter(t), newChatter(t)
	connect(t, alice, bob)
	const (
		public    = "atrest-public-name"
		pubText   = "public words nobody may read on disk"
		dmText    = "direct words nobody may read on disk"
		groupName = "atrest-group-name"
		groupText = "group words nobody may read on disk"
		contact   = "Bobby-Contact-Name"
	)
	var chat messenger.Chat
	alice.call(&chat, "statusd_joinPublicChat", public)
	bob.call(&chat, "statusd_joinPublicChat", public)
	var id string
	alice.call(&id, "statusd_sendText", public, pubText)
	bob.waitText(public, pubText)
	alice.call(&chat, "statusd_startOneToOne", bob.key)
	alice.call(&id, "statusd_sendText", bob.key, dmText)
	bob.waitText(alice.key, dmText)
	var c messenger.Contact
	alice.call(&c, "statusd_addContact", bob.key, contact)
	var g messenger.Chat
	alice.call(&g, "statusd_createGroup", groupName, []string{bob.key})
	bob.waitEvent("group.invited", func(json.RawMessage) bool { return true })
	bob.call(&chat, "statusd_joinGroup", g.ID)
	alice.waitEvent("group.joined", func(json.RawMessage) bool { return true })
	alice.call(&id, "statusd_sendText", g.ID, groupText)
	bob.waitText(g.ID, groupText)
	alice.waitDelivery(id, "acked")

	cfg := alice.n.cfg
	if err := alice.n.Stop(); err != nil {
		t.Fatal(err)
	}
	secrets := []string{public, pubText, dmText, groupName, groupText, contact}
	files := 0
	err := filepath.WalkDir(cfg.DataDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) || bytes.Contains(data, snappy.Encode(nil, []byte(s))) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return nil
	})
	if err != nil || files < 5 {
		t.Fatalf("searched %d files: %v", files, err)
	}

	if _, err := startNodeErr(t, cfg, "another password"); err == nil {
		t.Fatal("started with a wrong password")
	}
	n := startNode(t, cfg)
	c2 := dialHTTP(t, n)
	for chatID, text := range map[string]string{public: pubText, bob.key: dmText, g.ID: groupText} {
		var page messenger.Page
		call(t, c2, &page, "statusd_messages", chatID, "", 10)
		found := false
		for _, m := range page.Messages {
			found = found || m.Text == text
		}
		if !found {
			t.Errorf("after restart %s lacks %q: %+v", chatID, text, page.Messages)
		}
	}
	var contacts []messenger.Contact
	call(t, c2, &contacts, "statusd_contacts")
	if len(contacts) == 0 || contacts[0].Name != contact {
		t.Errorf("contacts after restart: %+v", contacts)
	}
}

// TestDataDirTightened: an existing data directory open to other users
// (0755, files 0644) is restricted to its owner at start, with a warning.
func TestDataDirTightened(t *testing.T) {
	cfg := testConfig(t)
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(cfg.DataDir, 0o755)
	stray := filepath.Join(cfg.DataDir, "notes.txt")
	if err := os.WriteFile(stray, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.WarnLevel)
	n, err := New(Options{Config: cfg, Password: "test password", Log: zap.New(core), P2PListenHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	for p, want := range map[string]os.FileMode{cfg.DataDir: 0o700, filepath.Join(cfg.DataDir, "db"): 0o700, stray: 0o600} {
		info, err := os.Stat(p)
		if err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", p, info.Mode().Perm(), err, want)
		}
	}
	if logs.FilterMessageSnippet("restricted it to its owner").Len() != 1 {
		t.Errorf("no warning: %v", logs.All())
	}
}

func startNodeErr(t *testing.T, c config.Config, password string) (*Node, error) {
	t.Helper()
	n, err := New(Options{Config: c, Password: password, Log: zap.NewNop(), P2PListenHost: "127.0.0.1"})
	if err != nil {
		return nil, err
	}
	if err := n.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { n.Stop() })
	return n, nil
}
