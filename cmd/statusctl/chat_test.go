package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
)

// TestChatCommands: two daemons; statusctl joins a public chat on both,
// sends from one, and the other sees the message with watch (streamed
// over IPC) and messages; chats, contacts, installations and send to a
// chat key work in both output forms.
func TestChatCommands(t *testing.T) {
	a, dirA := startNode(t)
	b, dirB := startNode(t)
	for _, dir := range []string{dirA, dirB} {
		if code, out, errs := ctl(t, "--datadir", dir, "join", "ctl-room"); code != 0 || out != "joined #ctl-room\n" {
			t.Fatalf("join: %d %q %s", code, out, errs)
		}
	}
	if code, _, errs := ctl(t, "--datadir", dirA, "peer", "add", b.P2P().Self().URLv4()); code != 0 {
		t.Fatalf("peer add: %s", errs)
	}
	waitPeers(t, a, b)

	var mu sync.Mutex
	var watched string
	done := make(chan int)
	go func() {
		code, out, _ := ctl(t, "--datadir", dirB, "--json", "watch", "--count", "1", "messages.new")
		mu.Lock()
		watched = out
		mu.Unlock()
		done <- code
	}()
	// watch subscribes asynchronously: send until it has seen a message.
	var last time.Time
	testutil.WaitFor(t, 20*time.Second, "watch to see a message", func() bool {
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("watch exited %d", code)
			}
			return true
		default:
		}
		if time.Since(last) > 200*time.Millisecond {
			last = time.Now()
			if code, _, errs := ctl(t, "--datadir", dirA, "send", "ctl-room", "hello", "room"); code != 0 {
				t.Fatalf("send: %s", errs)
			}
		}
		return false
	})
	mu.Lock()
	var ev struct {
		Type  string
		Event struct{ Message struct{ Text string } }
	}
	if err := json.Unmarshal([]byte(watched), &ev); err != nil || ev.Type != "messages.new" || ev.Event.Message.Text != "hello room" {
		t.Fatalf("watch printed %q (%v)", watched, err)
	}
	mu.Unlock()

	if code, out, _ := ctl(t, "--datadir", dirB, "messages", "--limit", "1", "ctl-room"); code != 0 || !strings.Contains(out, "hello room") {
		t.Fatalf("messages: %d %q", code, out)
	}
	if code, out, _ := ctl(t, "--datadir", dirB, "chats"); code != 0 || !strings.Contains(out, "public  ctl-room") {
		t.Fatalf("chats: %d %q", code, out)
	}
	var keyB string
	if code, out, _ := ctl(t, "--datadir", dirB, "call", "statusd_chatKey"); code != 0 || json.Unmarshal([]byte(out), &keyB) != nil {
		t.Fatalf("chat key: %q", out)
	}
	code, out, errs := ctl(t, "--datadir", dirA, "--json", "send", keyB, "hi bob")
	var sent struct{ ID string }
	if code != 0 || json.Unmarshal([]byte(out), &sent) != nil || !strings.HasPrefix(sent.ID, "0x") {
		t.Fatalf("send 1:1: %d %q %s", code, out, errs)
	}
	if code, out, _ := ctl(t, "--datadir", dirA, "--json", "chats"); code != 0 || !strings.Contains(out, keyB) {
		t.Fatalf("chats --json: %d %q", code, out)
	}
	if code, out, _ := ctl(t, "--datadir", dirA, "installations"); code != 0 || !strings.Contains(out, "this device") {
		t.Fatalf("installations: %d %q", code, out)
	}
	if code, out, _ := ctl(t, "--datadir", dirA, "contacts"); code != 0 || out != "no contacts\n" {
		t.Fatalf("contacts: %d %q", code, out)
	}
	if code, _, errs := ctl(t, "--datadir", dirA, "send", "ctl-room"); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("send without text: %d %s", code, errs)
	}
	if code, _, errs := ctl(t, "--datadir", dirA, "send", "no-such-chat", "x"); code != 1 || !strings.Contains(errs, "statusctl join no-such-chat") {
		t.Fatalf("send to unknown chat: %d %s", code, errs)
	}
}

// TestMessagesOverOnePage: a --limit past one page (the API gives at most
// 1 000 messages a call) reads on with the cursor and shows the newest
// --limit, oldest first.
func TestMessagesOverOnePage(t *testing.T) {
	n, dir := startNode(t)
	if code, _, errs := ctl(t, "--datadir", dir, "join", "long"); code != 0 {
		t.Fatalf("join: %s", errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const sent = 1005
	for i := range sent {
		if _, err := n.Messenger().Send(ctx, "long", messenger.Draft{Text: fmt.Sprint("line ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := ctl(t, "--datadir", dir, "messages", "--limit", "1003", "long")
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	shows := func(row, text string) bool { return strings.HasSuffix(row, text) || strings.Contains(row, text+"  [") }
	if code != 0 || len(rows) != 1003 || !shows(rows[0], "line 2") || !shows(rows[1002], fmt.Sprint("line ", sent-1)) {
		t.Fatalf("messages --limit 1003: exit %d, %d rows (%q … %q) %s", code, len(rows), rows[0], rows[len(rows)-1], errs)
	}
}
