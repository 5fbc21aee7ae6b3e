package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// kindMessage is what the test reads of statusd_message.
type kindMessage struct {
	Text        string `json:"text"`
	ContentType string `json:"content_type"`
	ResponseTo  string `json:"response_to"`
	Quoted      *struct {
		Text string `json:"text"`
	} `json:"quoted"`
	Sticker *struct {
		Hash string `json:"hash"`
		Pack int64  `json:"pack"`
	} `json:"sticker"`
	Command *struct {
		Name   string            `json:"name"`
		Params map[string]string `json:"params"`
	} `json:"command"`
}

// TestKindCommands: over two daemons and JSON-RPC only, statusctl sends a
// reply quoting the other node's message, a sticker, an emoji and a
// command request; the other node stores each with every field.
func TestKindCommands(t *testing.T) {
	a, dirA := startNode(t)
	b, dirB := startNode(t)
	for _, dir := range []string{dirA, dirB} {
		if code, _, errs := ctl(t, "--datadir", dir, "join", "kinds-room"); code != 0 {
			t.Fatalf("join: %s", errs)
		}
	}
	if code, _, errs := ctl(t, "--datadir", dirA, "peer", "add", b.P2P().Self().URLv4()); code != 0 {
		t.Fatalf("peer add: %s", errs)
	}
	waitPeers(t, a, b)
	sendID := func(dir string, args ...string) string {
		t.Helper()
		code, out, errs := ctl(t, append([]string{"--datadir", dir, "--json"}, args...)...)
		var sent struct{ ID string }
		if code != 0 || json.Unmarshal([]byte(out), &sent) != nil || len(sent.ID) != 66 {
			t.Fatalf("%v: %d %q %s", args, code, out, errs)
		}
		return sent.ID
	}
	message := func(dir, id string) *kindMessage {
		t.Helper()
		var m *kindMessage
		testutil.WaitFor(t, 30*time.Second, "message "+id[:10], func() bool {
			code, out, _ := ctl(t, "--datadir", dir, "call", "statusd_message", id)
			m = nil
			return code == 0 && json.Unmarshal([]byte(out), &m) == nil && m != nil
		})
		return m
	}
	question := sendID(dirB, "send", "kinds-room", "question?")
	message(dirA, question)
	var keyB string
	if code, out, _ := ctl(t, "--datadir", dirB, "call", "statusd_chatKey"); code != 0 || json.Unmarshal([]byte(out), &keyB) != nil {
		t.Fatalf("chat key: %q", out)
	}

	hash := "e30101701220e2a68be8c7b0c8e4fdb21c8f2ea5b0c4f62bd7b5d1e9d5ad7e0d1c8b2f6a3a6e"
	reply := sendID(dirA, "reply", "kinds-room", question, "answer")
	stick := sendID(dirA, "sticker", "kinds-room", hash, "7")
	emo := sendID(dirA, "emoji", "kinds-room", "👍")
	req := sendID(dirA, "command", "request", keyB, "SNT", "12,5")

	if m := message(dirB, reply); m.Text != "answer" || m.ResponseTo != question || m.Quoted == nil || m.Quoted.Text != "question?" {
		t.Fatalf("reply: %+v", m)
	}
	if m := message(dirB, stick); m.ContentType != "sticker" || m.Sticker == nil || m.Sticker.Hash != hash || m.Sticker.Pack != 7 {
		t.Fatalf("sticker: %+v", m)
	}
	if m := message(dirB, emo); m.ContentType != "emoji" || m.Text != "👍" {
		t.Fatalf("emoji: %+v", m)
	}
	m := message(dirB, req)
	if m.ContentType != "command-request" || m.Command == nil || m.Command.Name != "request" ||
		m.Command.Params["asset"] != "SNT" || m.Command.Params["amount"] != "12,5" || m.Command.Params["network"] != "mainnet" {
		t.Fatalf("command: %+v", m)
	}
	code, out, _ := ctl(t, "--datadir", dirB, "messages", "--unread", "kinds-room")
	for _, want := range []string{`(re "question?") answer`, "[sticker e30101701220e2a6…3a6e]", "👍"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("messages: %d, %q lacks %q", code, out, want)
		}
	}
	keyA := ""
	if code, out, _ := ctl(t, "--datadir", dirA, "call", "statusd_chatKey"); code != 0 || json.Unmarshal([]byte(out), &keyA) != nil {
		t.Fatalf("chat key: %q", out)
	}
	if code, out, _ := ctl(t, "--datadir", dirB, "messages", keyA); code != 0 || !strings.Contains(out, "[requests 12,5 SNT]") {
		t.Fatalf("1:1 messages: %d %q", code, out)
	}
	if code, _, errs := ctl(t, "--datadir", dirA, "command", "request", keyB, "SNT", "lots"); code != 1 || !strings.Contains(errs, "rule command") {
		t.Fatalf("bad amount: %d %s", code, errs)
	}
}
