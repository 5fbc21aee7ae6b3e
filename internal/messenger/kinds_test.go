package messenger_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
)

const stickerHash = "e30101701220e2a68be8c7b0c8e4fdb21c8f2ea5b0c4f62bd7b5d1e9d5ad7e0d1c8b2f6a3a6e"

func withENSName(n string) nodeOpt { return func(c *messenger.Config) { c.ENSName = n } }

// waitMessage waits until n stores message id and returns it.
func waitMessage(t *testing.T, n *node, id string) *messenger.Message {
	t.Helper()
	var got *messenger.Message
	waitFor(t, "message "+id[:10], func() bool {
		m, err := n.Message(id)
		got = m
		return err == nil
	})
	return got
}

// sameContent: the receiver stored the content the sender stored, every
// key in order (compared by its Transit encoding).
func sameContent(t *testing.T, got, want *messenger.Message) {
	t.Helper()
	g, err := message.EncodeContent(got.Content)
	if err != nil {
		t.Fatal(err)
	}
	w, err := message.EncodeContent(want.Content)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Fatalf("content\n got %s\nwant %s", g, w)
	}
	if got.ContentType != want.ContentType || got.Text != want.Text || got.ResponseTo != want.ResponseTo ||
		got.Clock != want.Clock || got.Timestamp != want.Timestamp {
		t.Fatalf("received %+v\nsent %+v", got, want)
	}
}

// Every kind sent natively arrives on the other side with every field,
// the reply's quoted message resolved, and survives a restart of the
// store read path (Message reads the stored record).
func TestSendEveryKind(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(withENSName("alice.stateofus.eth")), h.newNode()
	mustJoin(t, "kinds", alice, bob)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	events := bob.Subscribe(1 << 10)
	defer events.Unsubscribe()
	first, err := bob.SendText(ctx, "kinds", "question?")
	if err != nil {
		t.Fatal(err)
	}
	waitMessage(t, alice, first)
	cases := []struct {
		name  string
		chat  string
		draft messenger.Draft
		check func(t *testing.T, m *messenger.Message)
	}{
		{"text with ENS name", "kinds", messenger.Draft{Text: "hello"}, func(t *testing.T, m *messenger.Message) {
			if m.Content.Name != "alice.stateofus.eth" {
				t.Fatalf("name %q", m.Content.Name)
			}
		}},
		{"emoji", "kinds", messenger.Draft{ContentType: message.ContentEmoji, Text: "👍"}, nil},
		{"reply", "kinds", messenger.Draft{Text: "answer", ReplyTo: first}, func(t *testing.T, m *messenger.Message) {
			if m.ResponseTo != first || m.Content.ResponseTo != first {
				t.Fatalf("reply to %q", m.ResponseTo)
			}
			if m.Quoted == nil || m.Quoted.Text != "question?" || m.Quoted.From != bob.PublicKey() {
				t.Fatalf("quoted %+v", m.Quoted)
			}
		}},
		{"sticker", "kinds", messenger.Draft{ContentType: message.ContentSticker, StickerHash: stickerHash, StickerPack: 3},
			func(t *testing.T, m *messenger.Message) {
				if m.Content.Hash != stickerHash || !reflect.DeepEqual(m.Content.Pack, int64(3)) || m.Text != message.StickerFallbackText {
					t.Fatalf("sticker %+v", m.Content)
				}
			}},
		{"command request", bob.PublicKey(), messenger.Draft{ContentType: message.ContentCommandRequest,
			Params: message.CommandParams{Asset: "SNT", Amount: "12,5", Network: "mainnet"}},
			func(t *testing.T, m *messenger.Message) {
				if m.Content.CommandName() != "request" || m.ContentType != "command-request" {
					t.Fatalf("command %q %q", m.Content.CommandName(), m.ContentType)
				}
				if a, _ := m.Content.Params.Keyword("amount"); a != "12,5" {
					t.Fatalf("amount %v", a)
				}
			}},
		{"command send", bob.PublicKey(), messenger.Draft{ContentType: message.ContentCommand,
			Params: message.CommandParams{Asset: "ETH", Amount: "0.1", Network: "mainnet",
				Address: "0x2a433e343f7a6597568dd0d1e978311c15626a6c", TxHash: "0x" + strings.Repeat("ab", 32)}},
			func(t *testing.T, m *messenger.Message) {
				if h, _ := m.Content.Params.Keyword("tx-hash"); h != "0x"+strings.Repeat("ab", 32) {
					t.Fatalf("tx-hash %v", h)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := alice.Send(ctx, c.chat, c.draft)
			if err != nil {
				t.Fatal(err)
			}
			sent, err := alice.Message(id)
			if err != nil {
				t.Fatal(err)
			}
			got := waitMessage(t, bob, id)
			sameContent(t, got, sent)
			var published *messenger.Message // the messages.new event
			deadline := time.After(wait)
			for published == nil {
				select {
				case ev := <-events.C():
					if e, ok := ev.(messenger.MessageEvent); ok && e.Message.ID == id {
						published = e.Message
					}
				case <-deadline:
					t.Fatal("no messages.new event")
				}
			}
			sameContent(t, published, sent)
			if c.check != nil {
				c.check(t, got)
				c.check(t, sent)
				c.check(t, published)
			}
		})
	}
}

// Invalid drafts are refused, naming the rule, and nothing is stored.
func TestSendInvalidKinds(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	mustJoin(t, "kinds", alice)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for _, c := range []struct {
		name  string
		chat  string
		draft messenger.Draft
		rule  message.Rule
	}{
		{"sticker without hash", "kinds", messenger.Draft{ContentType: message.ContentSticker, StickerPack: 1}, message.RuleSticker},
		{"reply to a short ID", "kinds", messenger.Draft{Text: "x", ReplyTo: "0x1234"}, message.RuleResponseTo},
		{"blank emoji", "kinds", messenger.Draft{ContentType: message.ContentEmoji, Text: " "}, message.RuleText},
		{"command amount not a number", bob.PublicKey(), messenger.Draft{ContentType: message.ContentCommandRequest,
			Params: message.CommandParams{Asset: "ETH", Amount: "lots"}}, message.RuleCommand},
		{"command without amount", bob.PublicKey(), messenger.Draft{ContentType: message.ContentCommand,
			Params: message.CommandParams{Asset: "ETH"}}, message.RuleCommand},
		{"command to a public chat", "kinds", messenger.Draft{ContentType: message.ContentCommand,
			Params: message.CommandParams{Asset: "ETH", Amount: "1"}}, message.RuleCommand},
		{"status content type", "kinds", messenger.Draft{ContentType: message.ContentStatus, Text: "x"}, message.RuleContentType},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := alice.Send(ctx, c.chat, c.draft)
			if !errors.Is(err, messenger.ErrInvalidMessage) || !strings.Contains(err.Error(), "rule "+c.rule.String()+":") {
				t.Fatalf("err = %v, want ErrInvalidMessage naming %s", err, c.rule)
			}
		})
	}
	for _, chat := range []string{"kinds", bob.PublicKey()} {
		if got := texts(t, alice, chat); len(got) != 0 {
			t.Fatalf("%.10s stored %q", chat, got)
		}
	}
}

// passThrough sends a frontend-built payload as the shhext namespace does
// (Send with Draft.Payload).
func passThrough(t *testing.T, n *node, to, payload string) (string, error) {
	t.Helper()
	return n.Send(ctxT(t), to, messenger.Draft{Payload: []byte(payload)})
}

// Payloads a 2019 frontend built (every kind, with its own clock and
// timestamp) go out as given: the receiver stores every field, the
// sender's chat clock moves past the payload's, a group message goes to
// the group's members (once, however often the frontend sends it), and an
// invalid clock is refused naming the rule.
func TestSendPayloadEveryKind(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol := h.newNode(), h.newNode(), h.newNode()
	mustJoin(t, "kinds", alice, bob)
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	g, err := alice.CreateGroup(ctx, "trio", []string{bob.PublicKey(), carol.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{bob, carol} {
		waitChat(t, n, g.ID, "group invitation", func(c *messenger.Chat) bool { return c.Active && len(c.Members) == 3 })
		if _, err := n.JoinGroup(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	ts := h.net.Now().UnixMilli()
	clock := func(i int64) string { return fmt.Sprint(ts*message.ClockScale + 1000 + i) }
	bobKey := fmt.Sprintf("%q", bob.PublicKey())
	prepared := `"~:parsed-text",[],"~:line-count",0,"~:should-collapse?",false,"~:rtl?",false`
	cases := []struct {
		name, to, payload, chat string
		receivers               []*node
	}{
		{"public text with name", "kinds", `["~#c4",["hi","text/plain","~:public-group-user-message",` + clock(1) + `,` + fmt.Sprint(ts) +
			`,["^ ","~:chat-id","kinds","~:text","hi","~:name","alice.eth",` + prepared + `,"~:unknown-key",[1,2]]]]`, "kinds", []*node{bob}},
		{"public sticker", "kinds", `["~#c4",[["^ ","~:chat-id","kinds","~:hash","` + stickerHash + `","~:pack",1,"~:text","s"],"sticker","~:public-group-user-message",` +
			clock(2) + `,` + fmt.Sprint(ts) + `]]`, "kinds", []*node{bob}},
		{"public emoji", "kinds", `["~#c4",[["^ ","~:chat-id","kinds","~:text","🎉"],"emoji","~:public-group-user-message",` +
			clock(3) + `,` + fmt.Sprint(ts) + `]]`, "kinds", []*node{bob}},
		{"1:1 reply v2", bob.PublicKey(), `["~#c4",["ok","text/plain","~:user-message",` + clock(4) + `,` + fmt.Sprint(ts) +
			`,["^ ","~:chat-id",` + bobKey + `,"~:text","ok","~:response-to-v2","0x` + strings.Repeat("12", 32) + `"]]]`, bob.PublicKey(), []*node{bob}},
		{"1:1 command request", bob.PublicKey(), `["~#c4",[["^ ","~:chat-id",` + bobKey +
			`,"~:command-path",["request",["~#set",["~:personal-chats"]]],"~:params",["^ ","~:asset","ETH","~:amount","0.1"]],"command-request","~:user-message",` +
			clock(5) + `,` + fmt.Sprint(ts) + `]]`, bob.PublicKey(), []*node{bob}},
		{"public reply", "kinds", `["~#c4",["re","text/plain","~:public-group-user-message",` + clock(7) + `,` + fmt.Sprint(ts) +
			`,["^ ","~:chat-id","kinds","~:text","re","~:response-to","0x` + strings.Repeat("34", 32) + `"]]]`, "kinds", []*node{bob}},
		{"1:1 text", bob.PublicKey(), `["~#c4",["hey","text/plain","~:user-message",` + clock(8) + `,` + fmt.Sprint(ts) +
			`,["^ ","~:chat-id",` + bobKey + `,"~:text","hey"]]]`, bob.PublicKey(), []*node{bob}},
		{"1:1 sticker", bob.PublicKey(), `["~#c4",[["^ ","~:chat-id",` + bobKey + `,"~:hash","` + stickerHash +
			`","~:pack",2,"~:text","s"],"sticker","~:user-message",` + clock(9) + `,` + fmt.Sprint(ts) + `]]`, bob.PublicKey(), []*node{bob}},
		{"1:1 command send (transaction)", bob.PublicKey(), `["~#c4",[["^ ","~:chat-id",` + bobKey +
			`,"~:command-path",["send",["~#set",["~:personal-chats"]]],"~:params",["^ ","~:address","0x2a433e343f7a6597568dd0d1e978311c15626a6c",` +
			`"~:asset","ETH","~:amount","0.1","~:tx-hash","0x` + strings.Repeat("ab", 32) + `","~:network","mainnet"],"~:command-ref",["transactor","~:command",83,"send"],` +
			`"~:command","send","~:bot","transactor","~:command-scope-bitmask",83],"command","~:user-message",` + clock(10) + `,` + fmt.Sprint(ts) + `]]`,
			bob.PublicKey(), []*node{bob}},
		{"group text", carol.PublicKey(), `["~#c4",["to all","text/plain","~:group-user-message",` + clock(6) + `,` + fmt.Sprint(ts) +
			`,["^ ","~:chat-id",` + fmt.Sprintf("%q", g.ID) + `,"~:text","to all"]]]`, g.ID, []*node{bob, carol}},
		{"group sticker (c7)", carol.PublicKey(), `["~#c7",[["^ ","~:chat-id",` + fmt.Sprintf("%q", g.ID) + `,"~:hash","` + stickerHash +
			`","~:pack",3,"~:text","s"],"sticker","~:group-user-message",` + clock(11) + `,` + fmt.Sprint(ts) + `]]`, g.ID, []*node{bob, carol}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := passThrough(t, alice, c.to, c.payload)
			if err != nil {
				t.Fatal(err)
			}
			sent, err := alice.Message(id)
			if err != nil {
				t.Fatal(err)
			}
			if p, _ := message.Decode([]byte(c.payload)); sent.ChatID != c.chat || sent.Clock != p.(*message.ChatMessage).Clock ||
				sent.Timestamp != ts {
				t.Fatalf("stored in %q with clock %d, timestamp %d", sent.ChatID, sent.Clock, sent.Timestamp)
			}
			if ch, _ := alice.Chat(c.chat); ch.LastClock < sent.Clock {
				t.Fatalf("chat clock %d behind the payload's %d", ch.LastClock, sent.Clock)
			}
			for _, r := range c.receivers {
				sameContent(t, waitMessage(t, r, id), sent)
			}
			if c.chat == g.ID { // the frontend sends it again for the next member
				again, err := passThrough(t, alice, bob.PublicKey(), c.payload)
				if err != nil || again != id {
					t.Fatalf("second send = %q, %v; want %q", again, err, id)
				}
			}
		})
	}
	// a native send after them continues the chat's clock
	next, err := alice.SendText(ctx, "kinds", "after")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := alice.Message(next); m.Clock <= ts*message.ClockScale+1007 {
		t.Fatalf("native clock %d not past the pass-through's", m.Clock)
	}

	for _, c := range []struct {
		name, to, payload string
		rule              message.Rule
	}{
		{"clock beyond the drift bound", "kinds", `["~#c4",["x","text/plain","~:public-group-user-message",` +
			fmt.Sprint(message.MaxClock(h.net.Now())+1) + `,1,["^ ","~:chat-id","kinds","~:text","x"]]]`, message.RuleClockDrift},
		{"negative timestamp", "kinds", `["~#c4",["x","text/plain","~:public-group-user-message",` + clock(9) +
			`,-1,["^ ","~:chat-id","kinds","~:text","x"]]]`, message.RuleTimestamp},
		{"public chat-id of another chat", "kinds", `["~#c4",["x","text/plain","~:public-group-user-message",` + clock(9) +
			`,1,["^ ","~:chat-id","other","~:text","x"]]]`, message.RuleChatIDMismatch},
		{"1:1 message to a public chat", "kinds", `["~#c4",["x","text/plain","~:user-message",` + clock(9) +
			`,1,["^ ","~:chat-id",` + bobKey + `,"~:text","x"]]]`, message.RuleChatIDMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := passThrough(t, alice, c.to, c.payload)
			if !errors.Is(err, messenger.ErrInvalidMessage) || !strings.Contains(err.Error(), "rule "+c.rule.String()+":") {
				t.Fatalf("err = %v, want ErrInvalidMessage naming %s", err, c.rule)
			}
		})
	}
	// a group message for a group alice is not in
	other := "5d0ea3e0-aaaa-bbbb-cccc-000000000000" + bob.PublicKey()
	_, err = passThrough(t, alice, bob.PublicKey(), `["~#c4",["x","text/plain","~:group-user-message",`+clock(9)+
		`,1,["^ ","~:chat-id",`+fmt.Sprintf("%q", other)+`,"~:text","x"]]]`)
	if !errors.Is(err, messenger.ErrNotMember) {
		t.Fatalf("foreign group: %v", err)
	}
}
