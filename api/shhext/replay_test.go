package shhext_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/message"
)

// replaySession is testdata/replay/session.json: a status-react 1.0
// session as data (its $comment says how steps read).
type replaySession struct {
	Steps []replayStep `json:"steps"`
}

// replayStep is one JSON-RPC call of the session.
type replayStep struct {
	From   string            `json:"from"` // the status-react function that made the call
	Node   string            `json:"node"` // "alice" or "bob"
	Method string            `json:"method"`
	Params json.RawMessage   `json:"params"`
	Save   map[string]string `json:"save"`  // variable → dotted path in the result ("" the whole result)
	Until  string            `json:"until"` // repeat the call until the result contains this
	Expect *replayExpect     `json:"expect"`
	// Sign, before the call, signs membership updates as the node's
	// frontend did (group-chats/sign-membership, status-go's native
	// signGroupMembership) and keeps each under its name for $g5 payloads.
	Sign []replaySign `json:"sign"`
	// Signal, instead of a call, waits for a signal of this type on the
	// node's shhext_subscribe("signals") holding Until, and checks it
	// against testdata/schemas/signals/<type>.json.
	Signal string `json:"signal"`
}

// replayExpect is a message the step sent (its result is the message ID)
// as the other node must show it in shhext_chatMessages.
type replayExpect struct {
	Node        string         `json:"node"`       // the receiving node
	Chat        string         `json:"chat"`       // its chat ID for the message
	SenderChat  string         `json:"senderChat"` // the sender's chat ID for it
	ContentType string         `json:"contentType"`
	Content     map[string]any `json:"content"` // keys the content string must hold, with these values
	Fields      map[string]any `json:"fields"`  // message fields (dotted paths) and their values
}

// replaySign is one membership update to sign with Signer's account key.
type replaySign struct {
	Name   string `json:"name"`
	Signer string `json:"signer"`
	Chat   string `json:"chat"`
	Events []any  `json:"events"` // replayEvents, with variables
}

// replayEvent is one membership event as status-react built it.
type replayEvent struct {
	Type       string   `json:"type"`
	Name       string   `json:"name"`
	Member     string   `json:"member"`
	Members    []string `json:"members"`
	ClockValue int64    `json:"clockValue"`
}

// replayer runs a session: the nodes, the variables, the clocks.
type replayer struct {
	t      *testing.T // the running step's
	nodes  map[string]*node
	sigs   map[string]*signalLog // each node's signals subscription
	keys   map[string]*ecdsa.PrivateKey
	signed map[string]message.MembershipUpdate // by replaySign.Name
	vars   map[string]any
	clocks map[string]int64
	last   int64 // the last clock handed out
}

// TestFrontendReplay replays testdata/replay/session.json — the calls a
// status-react 1.0 session made, in the shapes it built them — against two
// statusd processes (fleet none, NTP off; bob also runs the mailserver):
// login-time calls, loadFilters for the contact-code topic, a public and
// a 1:1 chat, mailservers_ and requestMessages around a history fetch,
// prepareContent and sendPublicMessage/sendDirectMessage for text,
// sticker, commands and replies, saveMessages, updateMessageOutgoingStatus,
// markMessagesSeen, contacts, saveContact, blockContact, installations
// (p1/p2 through sendDirectMessage), and a private group: alice's
// frontend-signed creation and bob's join as g5s, then group messages
// each wrapped in a g5 and sent with sendDirectMessage once per member. Every answer is checked against its
// method's schema written from status-go v0.35.1's types (testdata/schemas,
// ../mailservers/testdata/schemas, testdata/schemas/other), and every
// message sent appears on the other node in shhext_chatMessages with the
// expected content, the same as the sender's copy.
func TestFrontendReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two statusd processes")
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "replay", "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s replaySession
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := &replayer{clocks: map[string]int64{}, signed: map[string]message.MembershipUpdate{}, nodes: map[string]*node{
		"alice": startNodeArgs(t, filepath.Join(dir, "alice"), "alice password"),
		"bob":   startNodeArgs(t, filepath.Join(dir, "bob"), "bob password", "--mailserver"),
	}}
	r.keys = map[string]*ecdsa.PrivateKey{
		"alice": accountKey(t, filepath.Join(dir, "alice"), "alice password"),
		"bob":   accountKey(t, filepath.Join(dir, "bob"), "bob password"),
	}
	alice, bob := r.nodes["alice"], r.nodes["bob"]
	r.sigs = map[string]*signalLog{"alice": alice.signals(alice.c), "bob": bob.signals(bob.c)}
	r.vars = map[string]any{
		"alice": alice.key, "bob": bob.key, "bobEnode": bob.d.Enode,
		"aliceIdentity": strings.TrimPrefix(alice.key, "0x"), "bobIdentity": strings.TrimPrefix(bob.key, "0x"),
	}
	for i, st := range s.Steps {
		if !t.Run(fmt.Sprintf("%02d_%s_%s", i, st.Node, st.Method), func(t *testing.T) { r.run(t, st) }) {
			t.Fatalf("step %d (%s, from %s) failed; the session cannot go on", i, st.Method, st.From)
		}
		if st.Method == "admin_addPeer" {
			testutil.WaitFor(t, e2eWait, "nodes peered", func() bool {
				var info struct{ Peers int }
				alice.call(&info, "statusd_info")
				return info.Peers > 0
			})
		}
	}
}

// run makes one call (again until its result holds st.Until), checks the
// result against the method's schema, saves variables and waits for the
// message it sent on the other node.
func (r *replayer) run(t *testing.T, st replayStep) {
	r.t = t
	n := r.nodes[st.Node]
	if n == nil {
		t.Fatalf("no node %q", st.Node)
	}
	if st.Signal != "" {
		r.signal(t, st)
		return
	}
	for _, sg := range st.Sign {
		r.sign(t, sg)
	}
	var params []any
	if err := json.Unmarshal(st.Params, &params); err != nil && len(st.Params) > 0 {
		t.Fatalf("params: %v", err)
	}
	args, _ := r.fill(params).([]any)
	var res json.RawMessage
	call := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		res = nil
		if err := n.c.CallContext(ctx, &res, st.Method, args...); err != nil {
			t.Fatalf("%s (from %s): %v", st.Method, st.From, err)
		}
	}
	call()
	if st.Until != "" {
		want := r.text(st.Until)
		testutil.WaitFor(t, e2eWait, st.Method+" answers "+want, func() bool {
			if strings.Contains(string(res), want) {
				return true
			}
			call()
			return strings.Contains(string(res), want)
		})
	}
	if len(res) == 0 {
		res = json.RawMessage("null")
	}
	validate(t, schemaFor(st.Method), res)
	for name, path := range st.Save {
		v, ok := pathValue(decode(t, res), path)
		if !ok {
			t.Fatalf("save %s: no %q in %s", name, path, res)
		}
		r.vars[name] = v
	}
	if st.Expect != nil {
		var id string
		if err := json.Unmarshal(res, &id); err != nil {
			t.Fatalf("expect: result %s is not a message ID", res)
		}
		r.expect(t, n, id, st.Expect)
	}
}

// signal waits for the signal st names (see replayStep.Signal).
func (r *replayer) signal(t *testing.T, st replayStep) {
	want := r.text(st.Until)
	var got json.RawMessage
	testutil.WaitFor(t, e2eWait, st.Node+" gets "+st.Signal+" with "+want, func() bool {
		for _, raw := range r.sigs[st.Node].of(st.Signal) {
			if strings.Contains(string(raw), want) {
				got = raw
				return true
			}
		}
		return false
	})
	validate(t, filepath.Join("signals", st.Signal+".json"), got)
}

// schemaFor names the result schema of method, relative to testdata/schemas.
func schemaFor(method string) string {
	ns, name, _ := strings.Cut(method, "_")
	switch ns {
	case "shhext":
		return name + ".json"
	case "mailservers":
		return filepath.Join("..", "..", "..", "mailservers", "testdata", "schemas", name+".json")
	}
	return filepath.Join("other", method+".json")
}

// expect waits until message id is in the receiving node's chat with the
// expected content type, content and fields, and checks that its content
// is the sender's copy's (but for chat-id, which each side writes from its
// own view of a 1:1 chat).
func (r *replayer) expect(t *testing.T, sender *node, id string, e *replayExpect) {
	recv := r.nodes[e.Node]
	chat := r.text(e.Chat)
	var got map[string]any
	testutil.WaitFor(t, e2eWait, e.Node+" shows "+id, func() bool {
		got = r.message(t, recv, chat, id)
		return got != nil
	})
	if got["contentType"] != e.ContentType || got["from"] != sender.key {
		t.Errorf("%s: contentType %v from %v, want %s from %s", id, got["contentType"], got["from"], e.ContentType, sender.key)
	}
	content := decode(t, []byte(got["content"].(string))).(map[string]any)
	for k, want := range e.Content {
		if w := normal(r.fill(want)); !reflect.DeepEqual(content[k], w) {
			t.Errorf("%s: content %q is %v, want %v", id, k, content[k], w)
		}
	}
	for path, want := range e.Fields {
		v, _ := pathValue(got, path)
		if w := normal(r.fill(want)); !reflect.DeepEqual(v, w) {
			t.Errorf("%s: %s is %v, want %v", id, path, v, w)
		}
	}
	mine := r.message(t, sender, r.text(e.SenderChat), id)
	if mine == nil {
		t.Fatalf("%s is not in the sender's chat %s", id, e.SenderChat)
	}
	ours := decode(t, []byte(mine["content"].(string))).(map[string]any)
	delete(ours, "chat-id")
	delete(content, "chat-id")
	if !reflect.DeepEqual(ours, content) {
		t.Errorf("%s: content differs\n sender   %s\n receiver %s", id, mine["content"], got["content"])
	}
}

// message returns message id from n's shhext_chatMessages(chat) (the
// page checked against its schema), or nil.
func (r *replayer) message(t *testing.T, n *node, chat, id string) map[string]any {
	var page json.RawMessage
	n.call(&page, "shhext_chatMessages", chat, "", 50)
	validate(t, "chatMessages.json", page)
	var p struct{ Messages []map[string]any }
	if err := json.Unmarshal(page, &p); err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Messages {
		if m["id"] == id {
			return m
		}
	}
	return nil
}
