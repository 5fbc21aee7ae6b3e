package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil/daemon"
)

// e2eEvent is one statusd_subscribe("events") notification.
type e2eEvent struct {
	Type  string          `json:"type"`
	Event json.RawMessage `json:"event"`
}

// eventLog keeps every event of one subscription, in arrival order, so
// conditions can be checked on the whole history without consuming it.
type eventLog struct {
	mu  sync.Mutex
	evs []e2eEvent
}

func (l *eventLog) snapshot() []e2eEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs)
}

// chatProc is one statusd process driven only through JSON-RPC over
// WebSocket, with an events subscription open.
type chatProc struct {
	t        *testing.T
	name     string
	password string
	d        *daemon.Daemon
	c        *rpc.Client
	events   *eventLog
	key      string // chat key, 0x04…
}

// startChatProc starts statusd on datadir, dials its WebSocket endpoint
// with the bearer token and subscribes to every event before anything else
// happens.
func startChatProc(t *testing.T, name, datadir, password string) *chatProc {
	t.Helper()
	d, err := startDaemon(t, datadir, password)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p := &chatProc{t: t, name: name, password: password, d: d, events: &eventLog{}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.c, err = d.DialWS(ctx)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", name, d.WS, err)
	}
	t.Cleanup(p.c.Close)
	ch := make(chan e2eEvent, 256)
	sub, err := p.c.Subscribe(ctx, "statusd", ch, "events")
	if err != nil {
		t.Fatalf("%s: subscribe: %v", name, err)
	}
	// The goroutine keeps its own log: restart overwrites *p while an
	// old process's goroutine may still be running.
	events := p.events
	go func() {
		for {
			select {
			case ev := <-ch:
				events.mu.Lock()
				events.evs = append(events.evs, ev)
				events.mu.Unlock()
			case <-sub.Err():
				return
			}
		}
	}()
	p.call(&p.key, "statusd_chatKey")
	return p
}

// restart starts a stopped process again on the same datadir; the events
// of the old process are discarded.
func (p *chatProc) restart() {
	p.t.Helper()
	*p = *startChatProc(p.t, p.name, p.d.Datadir(), p.password)
}

// stop sends SIGTERM and waits for a clean exit.
func (p *chatProc) stop() {
	p.t.Helper()
	p.c.Close()
	if err := p.d.Stop(10 * time.Second); err != nil {
		p.t.Fatalf("%s: exit after SIGTERM: %v", p.name, err)
	}
}

func (p *chatProc) callErr(result any, method string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return p.c.CallContext(ctx, result, method, args...)
}

func (p *chatProc) call(result any, method string, args ...any) {
	p.t.Helper()
	if err := p.callErr(result, method, args...); err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, method, err)
	}
}

// addPeer asks p to keep a connection to q.
func (p *chatProc) addPeer(q *chatProc) {
	p.t.Helper()
	var ok bool
	p.call(&ok, "admin_addPeer", q.d.Enode)
}

func (p *chatProc) whisperPeers() int {
	p.t.Helper()
	var info struct{ Peers int }
	p.call(&info, "statusd_info")
	return info.Peers
}

// received lists, in arrival order, the messages.new events of chatID
// authored by from ("" for anyone).
func (p *chatProc) received(chatID, from string) []messenger.Message {
	p.t.Helper()
	var out []messenger.Message
	for _, ev := range p.events.snapshot() {
		if ev.Type != "messages.new" {
			continue
		}
		var e struct{ Message messenger.Message }
		if err := json.Unmarshal(ev.Event, &e); err != nil {
			p.t.Fatalf("%s: messages.new %s: %v", p.name, ev.Event, err)
		}
		if e.Message.ChatID == chatID && (from == "" || e.Message.From == from) {
			out = append(out, e.Message)
		}
	}
	return out
}

// hasText reports whether a messages.new event put text in chatID from
// author from.
func (p *chatProc) hasText(chatID, from, text string) bool {
	return slices.ContainsFunc(p.received(chatID, from), func(m messenger.Message) bool { return m.Text == text })
}

// hasDelivery reports whether a message.delivery event put id in state.
func (p *chatProc) hasDelivery(id, state string) bool {
	return p.hasEvent("message.delivery", func(raw json.RawMessage) bool {
		var e struct {
			MessageID string `json:"message_id"`
			State     string `json:"state"`
		}
		return json.Unmarshal(raw, &e) == nil && e.MessageID == id && e.State == state
	})
}

// hasDropped reports whether a message.dropped event from sender has reason.
func (p *chatProc) hasDropped(sender, reason string) bool {
	return p.hasEvent("message.dropped", func(raw json.RawMessage) bool {
		var e struct{ Reason, Sender string }
		return json.Unmarshal(raw, &e) == nil && e.Sender == sender && e.Reason == reason
	})
}

func (p *chatProc) hasEvent(typ string, match func(json.RawMessage) bool) bool {
	for _, ev := range p.events.snapshot() {
		if ev.Type == typ && match(ev.Event) {
			return true
		}
	}
	return false
}

// messages returns the stored messages of chatID, oldest first.
func (p *chatProc) messages(chatID string) []*messenger.Message {
	p.t.Helper()
	var page messenger.Page
	p.call(&page, "statusd_messages", chatID, "", 200)
	slices.Reverse(page.Messages)
	return page.Messages
}

func (p *chatProc) chat(chatID string) messenger.Chat {
	p.t.Helper()
	var c messenger.Chat
	p.call(&c, "statusd_chat", chatID)
	return c
}

func (p *chatProc) delivery(id string) messenger.Delivery {
	p.t.Helper()
	var d messenger.Delivery
	p.call(&d, "statusd_deliveryState", id)
	return d
}

func (p *chatProc) sendText(chatID, text string) string {
	p.t.Helper()
	var id string
	p.call(&id, "statusd_sendText", chatID, text)
	return id
}

// logTail is the end of the process's log, for failure reports.
func (p *chatProc) logTail() string {
	s := p.d.Logs()
	if len(s) > 6000 {
		s = s[len(s)-6000:]
	}
	return s
}

// eventually polls cond every 25 ms until it holds, failing the test with
// what when timeout passes first.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		case <-tick.C:
		}
	}
}

const e2eWait = 30 * time.Second

// copyKeystore copies the keystore of datadir from into datadir to, so
// that a node started on to unlocks the same account (a second
// installation of the same identity).
func copyKeystore(t *testing.T, from, to string) {
	t.Helper()
	src := filepath.Join(from, "keystore")
	files, err := os.ReadDir(src)
	if err != nil || len(files) != 1 {
		t.Fatalf("keystore of %s: %v %v", from, files, err)
	}
	dst := filepath.Join(to, "keystore")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(src, files[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, files[0].Name()), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// messengerNet is the four processes of the messenger end-to-end test.
type messengerNet struct {
	alice, alice2, bob, carol *chatProc
}

// startMessengerNet starts Alice (two installations of one account), Bob
// and Carol, meshes them, and pairs Alice's installations.
func startMessengerNet(t *testing.T) *messengerNet {
	t.Helper()
	dir := t.TempDir()
	n := &messengerNet{}
	n.alice = startChatProc(t, "alice", filepath.Join(dir, "alice"), "alice password")
	copyKeystore(t, filepath.Join(dir, "alice"), filepath.Join(dir, "alice2"))
	n.alice2 = startChatProc(t, "alice2", filepath.Join(dir, "alice2"), "alice password")
	n.bob = startChatProc(t, "bob", filepath.Join(dir, "bob"), "bob password")
	n.carol = startChatProc(t, "carol", filepath.Join(dir, "carol"), "carol password")
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range n.all() {
				t.Logf("--- %s log tail ---\n%s", p.name, p.logTail())
			}
		}
	})
	if n.alice2.key != n.alice.key || n.alice.key == n.bob.key || n.bob.key == n.carol.key {
		t.Fatalf("chat keys: alice %s alice2 %s bob %s carol %s", n.alice.key, n.alice2.key, n.bob.key, n.carol.key)
	}
	all := n.all()
	for i, p := range all {
		for _, q := range all[i+1:] {
			p.addPeer(q)
		}
	}
	eventually(t, e2eWait, "a full Whisper mesh", func() bool {
		for _, p := range all {
			if p.whisperPeers() < len(all)-1 {
				return false
			}
		}
		return true
	})
	n.pairAlice()
	return n
}

func (n *messengerNet) all() []*chatProc {
	return slices.DeleteFunc([]*chatProc{n.alice, n.alice2, n.bob, n.carol}, func(p *chatProc) bool { return p == nil })
}

// pairAlice: each of Alice's installations learns the other from its
// bundle, and both enable (pair) the other.
func (n *messengerNet) pairAlice() {
	t := n.alice.t
	t.Helper()
	var info1, info2 struct {
		InstallationID string `json:"installation_id"`
	}
	n.alice.call(&info1, "statusd_info")
	n.alice2.call(&info2, "statusd_info")
	if info1.InstallationID == "" || info1.InstallationID == info2.InstallationID {
		t.Fatalf("installation IDs %q and %q", info1.InstallationID, info2.InstallationID)
	}
	knows := func(p *chatProc, id string) bool {
		var insts []messenger.Installation
		p.call(&insts, "statusd_installations")
		return slices.ContainsFunc(insts, func(i messenger.Installation) bool { return i.ID == id })
	}
	n.alice.call(nil, "statusd_announceInstallation")
	n.alice2.call(nil, "statusd_announceInstallation")
	eventually(t, e2eWait, "alice's installations see each other", func() bool {
		return knows(n.alice, info2.InstallationID) && knows(n.alice2, info1.InstallationID)
	})
	n.alice.call(nil, "statusd_pairInstallation", info2.InstallationID)
	n.alice2.call(nil, "statusd_pairInstallation", info1.InstallationID)
}

// TestMessengerEndToEnd: three real statusd processes on loopback (Alice
// with two installations, so four processes), driven only through
// JSON-RPC over WebSocket: a public chat round trip; 1:1 both ways; Bob
// offline while Alice sends 20 messages, then back: all 20 arrive once and
// in order, and Alice sees each acked; a group of three created, messaged,
// a member removed, whose later messages nobody shows; and Alice's second
// device shows what she sent from the first.
func TestMessengerEndToEnd(t *testing.T) {
	// Most of its time is a wait for a Whisper TTL; it runs beside the
	// other test that waits for one (TestOfflinePublicSend), on daemons of
	// its own.
	t.Parallel()
	begin := time.Now()
	n := startMessengerNet(t)
	t.Logf("started and paired in %v", time.Since(begin).Round(time.Millisecond))
	alice, alice2, bob, carol := n.alice, n.alice2, n.bob, n.carol

	// Public chat round trip. Alice's second device joins it too and shows
	// what Alice sends from the first.
	const pub = "e2e-public"
	for _, p := range []*chatProc{alice, alice2, bob, carol} {
		p.call(nil, "statusd_joinPublicChat", pub)
	}
	pubID := alice.sendText(pub, "hello public")
	eventually(t, e2eWait, "bob and carol get alice's public message", func() bool {
		return bob.hasText(pub, alice.key, "hello public") && carol.hasText(pub, alice.key, "hello public")
	})
	if got := bob.received(pub, alice.key); len(got) != 1 || got[0].ID != pubID || got[0].Outgoing {
		t.Fatalf("bob's public messages from alice: %+v", got)
	}
	bob.sendText(pub, "hi alice")
	eventually(t, e2eWait, "alice and carol get bob's public reply", func() bool {
		return alice.hasText(pub, bob.key, "hi alice") && carol.hasText(pub, bob.key, "hi alice")
	})
	eventually(t, e2eWait, "alice's public message shown on her second device", func() bool {
		return alice2.hasText(pub, alice.key, "hello public")
	})
	t.Logf("public chat done at %v", time.Since(begin).Round(time.Millisecond))

	// 1:1 both ways, each acked.
	alice.call(nil, "statusd_startOneToOne", bob.key)
	oneID := alice.sendText(bob.key, "hello bob")
	eventually(t, e2eWait, "bob gets alice's 1:1 message", func() bool { return bob.hasText(alice.key, alice.key, "hello bob") })
	eventually(t, e2eWait, "alice's 1:1 message acked", func() bool { return alice.hasDelivery(oneID, "acked") })
	backID := bob.sendText(alice.key, "hello alice")
	eventually(t, e2eWait, "alice gets bob's 1:1 reply", func() bool { return alice.hasText(bob.key, bob.key, "hello alice") })
	eventually(t, e2eWait, "bob's 1:1 reply acked", func() bool {
		d := bob.delivery(backID)
		return d.State == messenger.DeliveryAcked && d.Recipients[alice.key]
	})
	t.Logf("1:1 done at %v", time.Since(begin).Round(time.Millisecond))

	// Bob offline while Alice sends 20 messages; they reach him once, in
	// order, after he is back, and Alice sees each acked. (Alice's node
	// keeps running; Bob comes back on his datadir with a new port and
	// dials Alice and Carol.)
	bob.stop()
	var offline, offlineIDs []string
	for i := 1; i <= 20; i++ {
		text := fmt.Sprintf("while you were away %02d", i)
		offline = append(offline, text)
		offlineIDs = append(offlineIDs, alice.sendText(bob.key, text))
	}
	eventually(t, e2eWait, "alice's 20 messages leave to her other peers", func() bool {
		for _, id := range offlineIDs {
			if !alice.hasDelivery(id, "sent") {
				return false
			}
		}
		return true
	})
	// Bob stays away until the first envelope of each message has expired
	// (Whisper TTL, 15 s): what reaches him then was retransmitted by MVDS.
	eventually(t, e2eWait, "the first envelopes of alice's 20 messages expire", func() bool {
		for _, id := range offlineIDs {
			if !alice.hasDelivery(id, "expired") {
				return false
			}
		}
		return true
	})
	for _, id := range offlineIDs {
		if d := alice.delivery(id); d.State == messenger.DeliveryAcked {
			t.Fatalf("%s acked while bob was offline: %+v", id, d)
		}
	}
	t.Logf("bob back at %v", time.Since(begin).Round(time.Millisecond))
	// Bob would redial the peers he remembers (peers.json) as soon as he
	// starts, before the test subscribes to his events, and messages could
	// arrive unseen by it: he comes back knowing no peer, and dials them
	// once subscribed.
	if err := os.Remove(filepath.Join(bob.d.Datadir(), "peers.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	bob.restart()
	bob.addPeer(alice)
	bob.addPeer(carol)
	// What reaches Bob now is either still in a relay's pool or the next
	// MVDS retransmission, which may be up to the driver's longest back-off
	// (MaxBackoff, 60 s) away on a loaded machine: wait for that plus the
	// usual margin.
	eventually(t, 60*time.Second+e2eWait, "alice sees all 20 acked", func() bool {
		for _, id := range offlineIDs {
			if !alice.hasDelivery(id, "acked") {
				return false
			}
		}
		return true
	})
	for _, id := range offlineIDs {
		if d := alice.delivery(id); d.State != messenger.DeliveryAcked || !d.Recipients[bob.key] {
			t.Fatalf("delivery of %s: %+v", id, d)
		}
	}
	// Once: one messages.new event each. MVDS and Whisper do not keep the
	// order of arrival (a reconnecting peer gets the pool in any order, and
	// MVDS retransmits by message ID); the order is the Lamport clock's, and
	// the chat shows them in the order Alice wrote them.
	// An ACK leaves once Bob's MVDS driver persisted a message, before his
	// messenger stored it and emitted messages.new: wait for the events.
	eventually(t, e2eWait, "bob's messages.new events for the 20", func() bool {
		return len(bob.received(alice.key, alice.key)) >= len(offline)
	})
	var arrived []string
	for _, m := range bob.received(alice.key, alice.key) {
		arrived = append(arrived, m.Text)
	}
	if slices.Sort(arrived); !slices.Equal(arrived, offline) {
		t.Fatalf("bob's messages.new events after restart (sorted):\n got %q\nwant %q", arrived, offline)
	}
	var shown []string
	var lastClock int64
	for _, m := range bob.messages(alice.key) {
		if strings.HasPrefix(m.Text, "while you were away") {
			if m.Clock <= lastClock || m.From != alice.key || m.Outgoing {
				t.Fatalf("bob's stored message %+v after clock %d", m, lastClock)
			}
			lastClock = m.Clock
			shown = append(shown, m.Text)
		}
	}
	if !slices.Equal(shown, offline) {
		t.Fatalf("bob's stored chat:\n got %q\nwant %q", shown, offline)
	}
	t.Logf("offline delivery done at %v", time.Since(begin).Round(time.Millisecond))

	// Alice's second device shows the 1:1 messages she sent from the first.
	wantOutgoing := append([]string{"hello bob"}, offline...)
	eventually(t, e2eWait, "alice's 1:1 messages on her second device", func() bool {
		var got []string
		for _, m := range alice2.messages(bob.key) {
			if m.Outgoing && m.From == alice.key {
				got = append(got, m.Text)
			}
		}
		return slices.Equal(got, wantOutgoing)
	})

	// A group of three: created, joined, messaged by each member.
	var g messenger.Chat
	alice.call(&g, "statusd_createGroup", "trio", []string{bob.key, carol.key})
	eventually(t, e2eWait, "bob and carol see the group of three", func() bool {
		for _, p := range []*chatProc{bob, carol} {
			var c messenger.Chat
			if p.callErr(&c, "statusd_chat", g.ID) != nil || len(c.Members) != 3 || !c.Active {
				return false
			}
		}
		return true
	})
	bob.call(nil, "statusd_joinGroup", g.ID)
	carol.call(nil, "statusd_joinGroup", g.ID)
	eventually(t, e2eWait, "alice sees bob and carol joined", func() bool { return len(alice.chat(g.ID).Joined) == 3 })
	hello := alice.sendText(g.ID, "hello group")
	eventually(t, e2eWait, "bob and carol get alice's group message", func() bool {
		return bob.hasText(g.ID, alice.key, "hello group") && carol.hasText(g.ID, alice.key, "hello group")
	})
	eventually(t, e2eWait, "alice's group message acked", func() bool { return alice.hasDelivery(hello, "acked") })
	bob.sendText(g.ID, "bob to group")
	carol.sendText(g.ID, "carol to group")
	eventually(t, e2eWait, "members get each other's group messages", func() bool {
		return alice.hasText(g.ID, bob.key, "bob to group") && carol.hasText(g.ID, bob.key, "bob to group") &&
			alice.hasText(g.ID, carol.key, "carol to group") && bob.hasText(g.ID, carol.key, "carol to group")
	})
	t.Logf("group messaging done at %v", time.Since(begin).Round(time.Millisecond))

	// Carol is removed while offline. Not knowing it yet, she writes to the
	// group when she is back: Alice and Bob receive it (and acknowledge it)
	// but do not show it. Then Carol learns she is out and cannot send.
	carol.stop()
	alice.call(&g, "statusd_removeGroupMember", g.ID, carol.key)
	if slices.Contains(g.Members, carol.key) {
		t.Fatalf("members after removal: %v", g.Members)
	}
	eventually(t, e2eWait, "bob sees carol removed", func() bool { return len(bob.chat(g.ID).Members) == 2 })
	carol.restart()
	if c := carol.chat(g.ID); !c.Active || len(c.Members) != 3 {
		t.Fatalf("carol's group before she heard of her removal: %+v", c)
	}
	late := carol.sendText(g.ID, "carol after removal")
	carol.addPeer(alice)
	carol.addPeer(bob)
	eventually(t, e2eWait, "carol learns she was removed", func() bool { return !carol.chat(g.ID).Active })
	eventually(t, e2eWait, "carol's late message reaches alice and bob", func() bool {
		d := carol.delivery(late)
		return d.State == messenger.DeliveryAcked && d.Recipients[alice.key] && d.Recipients[bob.key]
	})
	eventually(t, e2eWait, "alice and bob drop carol's late message", func() bool {
		return alice.hasDropped(carol.key, messenger.ReasonNotMember) && bob.hasDropped(carol.key, messenger.ReasonNotMember)
	})
	for _, p := range []*chatProc{alice, alice2, bob} {
		if p.hasText(g.ID, carol.key, "carol after removal") {
			t.Fatalf("%s showed a message carol sent after her removal", p.name)
		}
		for _, m := range p.messages(g.ID) {
			if m.Text == "carol after removal" {
				t.Fatalf("%s stored a message carol sent after her removal", p.name)
			}
		}
	}
	err := carol.callErr(nil, "statusd_sendText", g.ID, "carol again")
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32602 {
		t.Fatalf("carol sending to a group she was removed from: %v", err)
	}
	after := alice.sendText(g.ID, "without carol")
	eventually(t, e2eWait, "bob gets the group message sent after the removal", func() bool {
		return bob.hasText(g.ID, alice.key, "without carol")
	})
	eventually(t, e2eWait, "it is acked", func() bool { return alice.hasDelivery(after, "acked") })
	if d := alice.delivery(after); len(d.Recipients) != 1 || !d.Recipients[bob.key] {
		t.Fatalf("recipients after removal: %+v", d.Recipients)
	}
	for _, m := range carol.messages(g.ID) {
		if m.Text == "without carol" {
			t.Fatal("carol shows a group message sent after her removal")
		}
	}
	t.Logf("group removal done at %v", time.Since(begin).Round(time.Millisecond))

	// Alice's second device shows the group and what she sent to it.
	eventually(t, e2eWait, "alice's group messages on her second device", func() bool {
		var got []string
		var c messenger.Chat
		if alice2.callErr(&c, "statusd_chat", g.ID) != nil {
			return false
		}
		for _, m := range alice2.messages(g.ID) {
			if m.Outgoing && m.From == alice.key {
				got = append(got, m.Text)
			}
		}
		return slices.Equal(got, []string{"hello group", "without carol"})
	})

	for _, p := range n.all() {
		p.stop()
		if log := p.d.Logs(); strings.Contains(log, "panic") {
			t.Fatalf("%s logged a panic:\n%s", p.name, log)
		}
	}
	t.Logf("total %v", time.Since(begin).Round(time.Millisecond))
}
