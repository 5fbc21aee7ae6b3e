package messenger_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/transporttest"
	"github.com/statusnode/statusd/protocol/identity/alias"
	"github.com/statusnode/statusd/protocol/identity/identicon"
	"github.com/statusnode/statusd/protocol/message"
)

const photo = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=="

func contactOf(n *node, id string) *messenger.Contact {
	for _, c := range n.Contacts() {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func waitState(t *testing.T, n *node, id string, want messenger.ContactState) *messenger.Contact {
	t.Helper()
	waitContact(t, n, id, func(c *messenger.Contact) bool { return c.State() == want })
	return contactOf(n, id)
}

// The 2019 flow: Alice requests (c2 with her profile), Bob sees a pending
// request with her name and photo and accepts (c3 with his), and both end
// up added with each other's names.
func TestContactRequestAccept(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	ctx := ctxT(t)
	events := bob.Subscribe(64)
	defer events.Unsubscribe()
	if _, err := alice.SetProfile(ctx, "Alice", photo); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AcceptContact(ctx, alice.PublicKey()); !errors.Is(err, messenger.ErrNoContactRequest) {
		t.Fatalf("accept without a request: %v", err)
	}
	ct, err := alice.RequestContact(ctx, bob.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if ct.State() != messenger.ContactRequestSent || !ct.Pending() {
		t.Fatalf("alice's contact after request: %+v (%s)", ct, ct.State())
	}
	got := waitState(t, bob, alice.PublicKey(), messenger.ContactRequestReceived)
	if got.Name != "Alice" || got.ProfileImage != photo || !got.Pending() {
		t.Fatalf("bob sees %+v", got)
	}
	waitFor(t, "a contact request event", func() bool {
		for {
			select {
			case ev := <-events.C():
				if ce, ok := ev.(messenger.ContactEvent); ok && ce.Request && ce.Contact.ID == alice.PublicKey() {
					return true
				}
			default:
				return false
			}
		}
	})
	if ct, err = bob.AcceptContact(ctx, alice.PublicKey()); err != nil || ct.State() != messenger.ContactAdded {
		t.Fatalf("accept: %+v %v", ct, err)
	}
	got = waitState(t, alice, bob.PublicKey(), messenger.ContactAdded)
	if want := alias.Alias(&bob.key.PublicKey); got.Name != want {
		t.Fatalf("alice sees bob named %q, want his alias %q", got.Name, want)
	}
	if want, _ := identicon.Identicon(&bob.key.PublicKey); got.ProfileImage != want {
		t.Fatalf("alice sees bob's image %.40q, want his identicon", got.ProfileImage)
	}
	// After a restart both keep the state.
	if st := contactOf(bob, alice.PublicKey()).State(); st != messenger.ContactAdded {
		t.Fatalf("bob: %s", st)
	}
}

// A blocked contact's requests are dropped; accepting it is refused.
func TestBlockedContactRequestIgnored(t *testing.T) {
	h := newHarness(t)
	bob, carol := h.newNode(), h.newNode()
	ctx := ctxT(t)
	if _, err := bob.BlockContact(carol.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.SetProfile(ctx, "Carol", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.RequestContact(ctx, bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	waitDropped(t, bob, messenger.ReasonBlocked, 1)
	ct := contactOf(bob, carol.PublicKey())
	if ct.State() != messenger.ContactBlocked || ct.Name != "" || ct.RequestReceived {
		t.Fatalf("blocked contact changed: %+v", ct)
	}
	if _, err := bob.AcceptContact(ctx, carol.PublicKey()); !errors.Is(err, messenger.ErrContactBlocked) {
		t.Fatalf("accept a blocked contact: %v", err)
	}
}

// SetProfile refuses an oversized or non-image photo by rule name and
// changes nothing; "" resets to the alias and identicon.
func TestSetProfileValidation(t *testing.T) {
	h := newHarness(t)
	alice := h.newNode()
	ctx := ctxT(t)
	def := alice.Profile()
	if def.Name != alias.Alias(&alice.key.PublicKey) || !strings.HasPrefix(def.Image, "data:image/png;base64,") || def.NameSet || def.ImageSet {
		t.Fatalf("default profile %+v", def)
	}
	if err := message.CheckProfileImage(def.Image); err != nil {
		t.Fatalf("the default image (identicon) fails its own rule: %v", err)
	}
	big := "data:image/jpeg;base64," + strings.Repeat("A", message.MaxProfileImageBytes)
	for _, img := range []string{big, "file:///me.jpg"} {
		_, err := alice.SetProfile(ctx, "Alice", img)
		if !errors.Is(err, messenger.ErrInvalidProfile) || message.RuleOf(err) != message.RuleProfileImage {
			t.Fatalf("image %.30q: %v", img, err)
		}
	}
	if _, err := alice.SetProfile(ctx, "bad\x00name", ""); !errors.Is(err, messenger.ErrInvalidProfile) {
		t.Fatalf("control character: %v", err)
	}
	if p := alice.Profile(); p != def {
		t.Fatalf("a refused profile changed it: %+v", p)
	}
	p, err := alice.SetProfile(ctx, " Alice ", photo)
	if err != nil || p.Name != "Alice" || p.Image != photo || !p.NameSet || !p.ImageSet {
		t.Fatalf("set: %+v %v", p, err)
	}
}

// A profile change goes to active contacts at once; then the update is
// re-sent only once 48 h passed since the last (status-react's publisher).
func TestContactUpdateResent(t *testing.T) {
	h := newHarness(t)
	// MVDS stamps messages with its clock's seconds: an unchanged c6 is a
	// new MVDS message only at a later time, so its clock follows Advance.
	shifted := withDataSyncClock(shiftedClock{net: h.net})
	alice, bob := h.newNode(shifted), h.newNode(shifted)
	ctx := ctxT(t)
	if _, err := alice.RequestContact(ctx, bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	waitState(t, bob, alice.PublicKey(), messenger.ContactRequestReceived)
	if _, err := alice.SetProfile(ctx, "Alice 2", ""); err != nil {
		t.Fatal(err)
	}
	waitContact(t, bob, alice.PublicKey(), func(c *messenger.Contact) bool { return c.Name == "Alice 2" })
	if alice.RepublishContactUpdate(ctx) {
		t.Fatal("re-sent right after a profile change")
	}
	h.net.Advance(48 * time.Hour)
	if alice.RepublishContactUpdate(ctx) {
		t.Fatal("re-sent at exactly 48 h")
	}
	h.net.Advance(2 * time.Minute)
	before := contactOf(bob, alice.PublicKey()).LastUpdated
	if !alice.RepublishContactUpdate(ctx) {
		t.Fatal("not re-sent after 48 h")
	}
	waitContact(t, bob, alice.PublicKey(), func(c *messenger.Contact) bool { return c.LastUpdated > before })
	if alice.RepublishContactUpdate(ctx) {
		t.Fatal("re-sent twice")
	}
	// Bob never added Alice: he sends her nothing.
	if bob.RepublishContactUpdate(ctx) {
		t.Fatal("bob re-sent to a contact he did not add")
	}
}

// A frontend-built c2 goes through SendContactMessage like the native
// path; an invalid one is refused by rule and not sent.
func TestSendContactMessagePassThrough(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(), h.newNode()
	ctx := ctxT(t)
	raw, err := message.Encode(&message.Contact{Tag: message.TagContactRequest, Name: "Alice (frontend)", ProfileImage: photo})
	if err != nil {
		t.Fatal(err)
	}
	big, _ := message.Encode(&message.Contact{Tag: message.TagContactRequest, Name: "x",
		ProfileImage: "data:image/png;base64," + strings.Repeat("A", message.MaxProfileImageBytes)})
	if _, err := alice.SendContactMessage(ctx, bob.PublicKey(), big); message.RuleOf(err) != message.RuleProfileImage {
		t.Fatalf("oversized photo: %v", err)
	}
	text := publicC4(t, "status", "hi", t0.UnixMilli()*message.ClockScale)
	if _, err := alice.SendContactMessage(ctx, bob.PublicKey(), text); !errors.Is(err, message.ErrUnsupported) {
		t.Fatalf("a c4: %v", err)
	}
	if len(alice.Contacts()) != 0 {
		t.Fatalf("refused sends changed contacts: %+v", alice.Contacts())
	}
	id, err := alice.SendContactMessage(ctx, bob.PublicKey(), raw)
	if err != nil || !strings.HasPrefix(id, "0x") {
		t.Fatalf("send: %q %v", id, err)
	}
	if st := contactOf(alice, bob.PublicKey()).State(); st != messenger.ContactRequestSent {
		t.Fatalf("alice: %s", st)
	}
	got := waitState(t, bob, alice.PublicKey(), messenger.ContactRequestReceived)
	if got.Name != "Alice (frontend)" || got.ProfileImage != photo {
		t.Fatalf("bob sees %+v", got)
	}
}

func withDataSyncClock(c datasync.Clock) nodeOpt {
	return func(cfg *messenger.Config) { cfg.DataSyncClock = c }
}

// shiftedClock is the wall clock moved forward by as much as the network
// clock was advanced.
type shiftedClock struct {
	datasync.SystemClock
	net *transporttest.Network
}

func (c shiftedClock) Now() time.Time { return time.Now().Add(c.net.Now().Sub(t0)) }

// Blocking deletes the contact's messages in every chat (status-go v0.35's
// BlockContact), not only the 1:1 chat; others' messages stay.
func TestBlockDeletesMessagesEverywhere(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol := h.newNode(), h.newNode(), h.newNode()
	ctx := ctxT(t)
	mustJoin(t, "block", alice, bob, carol)
	for _, n := range []*node{alice, carol} {
		if _, err := n.SendText(ctx, "block", "from "+n.PublicKey()[:8]); err != nil {
			t.Fatal(err)
		}
	}
	waitTexts(t, bob, "block", 2)
	if _, err := bob.BlockContact(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if got := texts(t, bob, "block"); len(got) != 1 || got[0] != "from "+carol.PublicKey()[:8] {
		t.Fatalf("after block: %q", got)
	}
	if ch, _ := bob.Chat("block"); ch.Unread != 1 {
		t.Fatalf("unread %d, want 1", ch.Unread)
	}
}

// Contact messages follow the peer's wrapper form (wrapforms.go): a client
// that writes bare Transit gets a bare c2, one that writes wrapped
// payloads a wrapped one, natively and through the pass-through path.
func TestContactMessagesFollowWrapperForm(t *testing.T) {
	h := newHarness(t)
	bob := h.newNode()
	carol, dave := newFormClient(t, h), newFormClient(t, h) // bare, wrapped
	carol.say(t, h, bob, "bare hello", 1, false)
	dave.say(t, h, bob, "wrapped hello", 1, true)
	waitTexts(t, bob, carol.hex(), 1)
	waitTexts(t, bob, dave.hex(), 1)
	ctx := ctxT(t)
	raw, err := message.Encode(&message.Contact{Tag: message.TagContactUpdate, Name: "Bob"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		to      *formClient
		wrapped bool
	}{{carol, false}, {dave, true}} {
		id, err := bob.SendContactMessage(ctx, c.to.hex(), raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.to.got(t, bob, id); got != c.wrapped {
			t.Fatalf("pass-through c6 to %.10s: wrapped %v, want %v", c.to.hex(), got, c.wrapped)
		}
		if _, err := bob.RequestContact(ctx, c.to.hex()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a c2 at the client", func() bool {
			c.to.mu.Lock()
			defer c.to.mu.Unlock()
			for _, b := range c.to.bodies {
				body := b
				w, err := message.DecodeWrapper(b)
				if (err == nil) != c.wrapped {
					continue
				}
				if err == nil {
					body = w.Payload
				}
				if p, err := message.Decode(body); err == nil && p.TransitTag() == message.TagContactRequest {
					return true
				}
			}
			return false
		})
	}
}
