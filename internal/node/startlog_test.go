package node

import (
	"net"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestStartupLog: the first start says that key derivation is coming before
// it runs, and the start-up line carries the chat key (what a user shares
// for a 1:1 chat); the second start says "unlocking".
func TestStartupLog(t *testing.T) {
	c := testConfig(t)
	for i, want := range []string{"creating the account, this takes a few seconds", "unlocking the account, this takes a few seconds"} {
		core, logs := observer.New(zapcore.InfoLevel)
		n, err := New(Options{Config: c, Password: "test password", Log: zap.New(core), P2PListenHost: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
		chatKey := n.messenger.ChatKey()
		n.Stop()
		var msgs []string
		for _, e := range logs.All() {
			msgs = append(msgs, e.Message)
		}
		before, unlocked := indexOf(msgs, want), indexOf(msgs, "account unlocked")
		if before < 0 || unlocked < 0 || before > unlocked {
			t.Fatalf("start %d: %q before key derivation missing in %q", i, want, msgs)
		}
		started := logs.FilterMessage("statusd started").All()
		if len(started) != 1 || started[0].ContextMap()["chat_key"] != chatKey || !strings.HasPrefix(chatKey, "0x04") ||
			len(strings.Fields(started[0].ContextMap()["alias"].(string))) != 3 {
			t.Fatalf("start-up line: %v (chat key %s)", started, chatKey)
		}
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestStartErrorNamesStepOnce: a busy devp2p port reads
// "node: devp2p: listen on …", not "node: devp2p: devp2p: listen on …".
func TestStartErrorNamesStepOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c := testConfig(t)
	c.P2P.Port = l.Addr().(*net.TCPAddr).Port
	n, _ := New(Options{Config: c, Password: "test password", P2PListenHost: "127.0.0.1"})
	err = n.Start()
	if err == nil || !strings.HasPrefix(err.Error(), "node: devp2p: listen on ") || strings.Contains(err.Error(), "devp2p: devp2p") {
		t.Fatalf("busy port: %v", err)
	}
}
