package shhext_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api/internal/jsonschema"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/lib/testutil/daemon"
)

// TestMain removes the statusd binary the end-to-end test builds.
func TestMain(m *testing.M) {
	code := m.Run()
	daemon.Cleanup()
	os.Exit(code)
}

// e2eWait bounds each wait on the real nodes.
const e2eWait = 30 * time.Second

// signalLog keeps every signal of one subscription in arrival order.
type signalLog struct {
	mu  sync.Mutex
	all []json.RawMessage
}

func (l *signalLog) of(typ string) []json.RawMessage {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []json.RawMessage
	for _, raw := range l.all {
		var s struct{ Type string }
		if json.Unmarshal(raw, &s) == nil && s.Type == typ {
			out = append(out, raw)
		}
	}
	return out
}

// node is one statusd process driven over WebSocket.
type node struct {
	t   *testing.T
	d   *daemon.Daemon
	c   *rpc.Client
	key string
}

func startNode(t *testing.T, dir, password string) *node {
	t.Helper()
	return startNodeArgs(t, dir, password)
}

// startNodeArgs is startNode with extra statusd flags.
func startNodeArgs(t *testing.T, dir, password string, args ...string) *node {
	t.Helper()
	d, err := daemon.Start(t, daemon.Options{Datadir: dir, Password: password, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := d.DialWS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			t.Logf("--- %s log ---\n%s", dir, d.Logs())
		}
	})
	n := &node{t: t, d: d, c: c}
	n.call(&n.key, "statusd_chatKey")
	return n
}

func (n *node) call(result any, method string, args ...any) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.c.CallContext(ctx, result, method, args...); err != nil {
		n.t.Fatalf("%s: %v", method, err)
	}
}

// signals subscribes to shhext_subscribe("signals") over c as a
// frontend does.
func (n *node) signals(c *rpc.Client) *signalLog {
	n.t.Helper()
	ch := make(chan json.RawMessage, 256)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := c.Subscribe(ctx, "shhext", ch, "signals")
	if err != nil {
		n.t.Fatal(err)
	}
	l := &signalLog{}
	go func() {
		for {
			select {
			case raw := <-ch:
				l.mu.Lock()
				l.all = append(l.all, raw)
				l.mu.Unlock()
			case <-sub.Err():
				return
			}
		}
	}()
	return l
}

func schema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "schemas", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, name string, raw []byte) {
	t.Helper()
	if errs := schema(t, name).Validate(raw); len(errs) > 0 {
		t.Errorf("%s:\n  %s\n%s", name, strings.Join(errs, "\n  "), raw)
	}
}

// TestSignalsBetweenNodes: two statusd processes on loopback. Bob, as a
// frontend, opens the chats with shhext_saveChat and subscribes to
// shhext signals over WebSocket, Alice over IPC; Alice writes to the
// public chat and to Bob. Bob receives messages.new for both (each naming its chat and
// carrying Alice's text), bundles.added for Alice's installation and,
// when he writes, envelope.sent for his message — each matching its
// schema written from status-go v0.35.1 —, Alice gets messages.new for
// Bob's answer over IPC, and shhext_chatMessages answers Alice's message
// in v0.35's shape.
func TestSignalsBetweenNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two statusd processes")
	}
	dir := t.TempDir()
	alice := startNode(t, filepath.Join(dir, "alice"), "alice password")
	bob := startNode(t, filepath.Join(dir, "bob"), "bob password")
	sig := bob.signals(bob.c) // WebSocket
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ipc, err := alice.d.DialIPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ipc.Close()
	aliceSig := alice.signals(ipc) // IPC
	const pub = "e2e-signals"
	for _, n := range []*node{alice, bob} {
		n.call(nil, "shhext_saveChat", map[string]any{"id": pub, "chatType": 2, "active": true})
	}
	alice.call(nil, "shhext_saveChat", map[string]any{"id": bob.key, "chatType": 1, "active": true})
	bob.call(nil, "shhext_saveChat", map[string]any{"id": alice.key, "chatType": 1, "active": true})
	var ok bool
	alice.call(&ok, "admin_addPeer", bob.d.Enode)
	testutil.WaitFor(t, e2eWait, "alice and bob peered", func() bool {
		var info struct{ Peers int }
		alice.call(&info, "statusd_info")
		return info.Peers > 0
	})

	var pubID, directID string
	alice.call(&pubID, "statusd_sendText", pub, "hello **public**")
	alice.call(&directID, "statusd_sendText", bob.key, "hello bob")
	testutil.WaitFor(t, e2eWait, "bob's messages.new for both", func() bool {
		return len(sig.of("messages.new")) >= 2 && len(sig.of("bundles.added")) >= 1
	})
	var mine string
	bob.call(&mine, "statusd_sendText", pub, "hello alice")
	testutil.WaitFor(t, e2eWait, "bob's envelope.sent", func() bool {
		for _, raw := range sig.of("envelope.sent") {
			if strings.Contains(string(raw), mine) {
				return true
			}
		}
		return false
	})

	testutil.WaitFor(t, e2eWait, "alice's messages.new over IPC", func() bool {
		return strings.Contains(string(mustJSON(t, aliceSig.of("messages.new"))), mine)
	})
	for _, raw := range aliceSig.of("messages.new") {
		validate(t, "signals/messages.new.json", raw)
	}
	for _, typ := range []string{"messages.new", "bundles.added", "envelope.sent"} {
		for _, raw := range sig.of(typ) {
			validate(t, "signals/"+typ+".json", raw)
		}
	}
	seen := map[string]string{} // message ID → filter chat ID
	for _, raw := range sig.of("messages.new") {
		var s struct {
			Event struct {
				Messages []struct {
					Chat     struct{ ChatID string }
					Messages []struct {
						Metadata struct {
							MessageID string
							Author    struct{ PublicKey string }
						}
						ParsedMessage struct{ Text string }
					}
				}
			}
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		for _, b := range s.Event.Messages {
			for _, m := range b.Messages {
				if m.Metadata.Author.PublicKey != alice.key {
					t.Errorf("messages.new from %s, want alice", m.Metadata.Author.PublicKey)
				}
				seen[m.Metadata.MessageID] = b.Chat.ChatID + "|" + m.ParsedMessage.Text
			}
		}
	}
	if seen[pubID] != pub+"|hello **public**" || seen[directID] != alice.key+"|hello bob" {
		t.Errorf("messages.new: %v", seen)
	}
	if strings.Contains(string(mustJSON(t, sig.of("messages.new"))), mine) {
		t.Errorf("messages.new for bob's own message")
	}
	added := false
	for _, raw := range sig.of("bundles.added") {
		added = added || strings.Contains(string(raw), alice.key)
	}
	if !added {
		t.Errorf("no bundles.added for alice: %s", mustJSON(t, sig.of("bundles.added")))
	}

	var page json.RawMessage
	bob.call(&page, "shhext_chatMessages", pub, "", 10)
	validate(t, "chatMessages.json", page)
	if !strings.Contains(string(page), `\"text\":\"hello **public**\"`) {
		t.Errorf("chatMessages: no content text: %s", page)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
