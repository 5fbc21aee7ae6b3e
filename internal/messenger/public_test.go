package messenger_test

import (
	"github.com/statusnode/statusd/internal/messenger"
	"slices"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// Three messengers in one public chat: each message reaches the two
// others once, attributed to its author, and everyone sees the same
// clock order.
func TestPublicChatRoundTrip(t *testing.T) {
	h := newHarness(t)
	a, b, c := h.newNode(), h.newNode(), h.newNode()
	mustJoin(t, "status", a, b, c)
	ctx := ctxT(t)
	for i, n := range []*node{a, b, c} {
		if _, err := n.SendText(ctx, "status", "hello from "+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
		// wait for the others to have it, so the next sender's clock follows
		for _, o := range []*node{a, b, c} {
			waitTexts(t, o, "status", i+1)
		}
	}
	want := []string{"hello from a", "hello from b", "hello from c"}
	for _, n := range []*node{a, b, c} {
		if got := texts(t, n, "status"); !slices.Equal(got, want) {
			t.Fatalf("%s sees %q, want %q", n.PublicKey()[:10], got, want)
		}
	}
	p, _ := b.Messages("status", "", 10)
	if p.Messages[2].From != a.PublicKey() || p.Messages[2].Outgoing || !p.Messages[1].Outgoing {
		t.Fatalf("authors wrong: %+v", p.Messages)
	}
	d, err := a.DeliveryState(p.Messages[2].ID)
	if err != nil || d.State != messenger.DeliverySent {
		t.Fatalf("a's public message delivery = %+v, %v; want sent", d, err)
	}
}

// A duplicate envelope (same payload, new envelope) is dropped and counted;
// messages are ordered by Lamport clock, not arrival; bare, v1-wrapped and
// ProtocolMessage-wrapped public messages are all accepted.
func TestPublicDedupeOrderAndWrappers(t *testing.T) {
	h := newHarness(t)
	a, b := h.newNode(), h.newNode()
	mustJoin(t, "testing", b)
	author := newKey(t)
	base := t0.UnixMilli() * message.ClockScale

	// arrival order: clock 3 (wrapped in ProtocolMessage), 1 (bare), 2 (v1 wrapper)
	pm, err := encryption.EncodeProtocolMessage(&encryption.ProtocolMessage{InstallationID: "other",
		Public: publicC4(t, "testing", "third", base+3)})
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := message.Wrap(publicC4(t, "testing", "second", base+2), author)
	if err != nil {
		t.Fatal(err)
	}
	bare := publicC4(t, "testing", "first", base+1)
	for _, p := range [][]byte{pm, bare, wrapped} {
		h.net.Inject(&author.PublicKey, publicEnvelope(t, "testing", p))
	}
	got := waitTexts(t, b, "testing", 3)
	if want := []string{"first", "second", "third"}; !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
	// the same bare payload again, in a new envelope
	h.net.Inject(&author.PublicKey, publicEnvelope(t, "testing", bare))
	waitDropped(t, b, message.RuleDuplicate.String(), 1)
	if got := texts(t, b, "testing"); len(got) != 3 {
		t.Fatalf("duplicate shown: %q", got)
	}
	// our own chat's clock moved past the received ones
	id, err := mustSend(t, b, "testing", "reply")
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := b.Message(id)
	if msg.Clock <= base+3 {
		t.Fatalf("reply clock %d not after %d", msg.Clock, base+3)
	}
	_ = a
	if got := waitTexts(t, b, "testing", 4); got[3] != "reply" {
		t.Fatalf("reply not last: %q", got)
	}
}

func mustSend(t *testing.T, n *node, chat, text string) (string, error) {
	t.Helper()
	return n.SendText(ctxT(t), chat, text)
}
