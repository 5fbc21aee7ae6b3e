package messenger_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// The message store on both backends: cursor pagination by clock (newest
// first), unread counts and seen markers, deletion that survives a
// retransmitted copy, and DeleteChat's deleted-at clock.
func TestMessageStore(t *testing.T) {
	for _, backend := range []string{"memory", "leveldb"} {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t)
			var db storage.KV = storage.NewMemory()
			if backend == "leveldb" {
				ldb := openLevelDB(t, t.TempDir())
				t.Cleanup(func() { ldb.Close() })
				db = ldb
			}
			bob := h.start(newKey(t), db)
			mustJoin(t, "store", bob)
			author := newKey(t)
			base := t0.UnixMilli() * message.ClockScale
			payloads := map[int][]byte{}
			for _, i := range []int{4, 1, 6, 0, 3, 5, 2} { // arrival order is not clock order
				payloads[i] = publicC4(t, "store", fmt.Sprintf("m%d", i), base+int64(i)+1)
				h.net.Inject(&author.PublicKey, publicEnvelope(t, "store", payloads[i]))
			}
			waitTexts(t, bob, "store", 7)
			var pages [][]string
			cursor := ""
			for {
				p, err := bob.Messages("store", cursor, 3)
				if err != nil {
					t.Fatal(err)
				}
				var page []string
				for _, m := range p.Messages {
					page = append(page, m.Text)
				}
				pages = append(pages, page)
				if cursor = p.Cursor; cursor == "" {
					break
				}
			}
			if fmt.Sprint(pages) != "[[m6 m5 m4] [m3 m2 m1] [m0]]" {
				t.Fatalf("pages %v", pages)
			}
			if _, err := bob.Messages("store", "zz", 3); !errors.Is(err, messenger.ErrInvalidCursor) {
				t.Fatalf("bad cursor: %v", err)
			}
			c, _ := bob.Chat("store")
			if c.Unread != 7 {
				t.Fatalf("unread %d", c.Unread)
			}
			p, _ := bob.Messages("store", "", 2)
			if err := bob.MarkSeen(p.Messages[0].ID, p.Messages[1].ID); err != nil {
				t.Fatal(err)
			}
			if c, _ := bob.Chat("store"); c.Unread != 5 {
				t.Fatalf("unread after seen %d", c.Unread)
			}
			if m, _ := bob.Message(p.Messages[0].ID); !m.Seen {
				t.Fatal("not marked seen")
			}
			// deleted, then retransmitted: not shown again
			if err := bob.DeleteMessage(p.Messages[0].ID); err != nil {
				t.Fatal(err)
			}
			h.net.Inject(&author.PublicKey, publicEnvelope(t, "store", payloads[6]))
			waitDropped(t, bob, message.RuleDuplicate.String(), 1)
			if got := texts(t, bob, "store"); slices.Contains(got, "m6") || len(got) != 6 {
				t.Fatalf("after delete: %q", got)
			}
			// DeleteChat: a message at an old clock is not shown after rejoining
			if err := bob.DeleteChat("store"); err != nil {
				t.Fatal(err)
			}
			mustJoin(t, "store", bob)
			h.net.Inject(&author.PublicKey, publicEnvelope(t, "store", publicC4(t, "store", "old", base+3)))
			waitDropped(t, bob, message.RuleChatCleared.String(), 1)
			h.net.Inject(&author.PublicKey, publicEnvelope(t, "store", publicC4(t, "store", "new", base+100)))
			if got := waitTexts(t, bob, "store", 1); !slices.Equal(got, []string{"new"}) {
				t.Fatalf("after DeleteChat: %q", got)
			}
		})
	}
}

// Contacts: SaveContact sends our c6, the peer stores our profile name; a blocked
// contact's 1:1 messages are dropped and its chat cleared.
func TestContacts(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.newNode(withName("alice")), h.newNode(withName("bob"))
	ctx := ctxT(t)
	if _, err := alice.SetProfile(ctx, "alice", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SaveContact(ctx, bob.PublicKey(), "Bobby"); err != nil {
		t.Fatal(err)
	}
	waitContact(t, bob, alice.PublicKey(), func(c *messenger.Contact) bool { return c.Name == "alice" })
	if cs := alice.Contacts(); len(cs) != 1 || cs[0].Name != "Bobby" || !cs[0].Added {
		t.Fatalf("alice contacts %+v", cs)
	}
	if _, err := alice.SendText(ctx, bob.PublicKey(), "first"); err == nil {
		t.Fatal("send to a chat never opened succeeded")
	}
	alice.StartOneToOne(bob.PublicKey())
	if _, err := alice.SendText(ctx, bob.PublicKey(), "first"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, alice.PublicKey(), 1)
	if _, err := bob.BlockContact(alice.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if got := texts(t, bob, alice.PublicKey()); len(got) != 0 {
		t.Fatalf("blocked chat still shows %q", got)
	}
	if _, err := alice.SendText(ctx, bob.PublicKey(), "second"); err != nil {
		t.Fatal(err)
	}
	waitDropped(t, bob, messenger.ReasonBlocked, 1)
	if got := texts(t, bob, alice.PublicKey()); len(got) != 0 {
		t.Fatalf("blocked contact's message shown: %q", got)
	}
}

func waitContact(t *testing.T, n *node, id string, cond func(c *messenger.Contact) bool) {
	t.Helper()
	waitFor(t, "contact "+id[:10], func() bool {
		for _, c := range n.Contacts() {
			if c.ID == id && cond(c) {
				return true
			}
		}
		return false
	})
}

// A page holds at most MaxPageMessages, whatever the limit asked; its
// cursor continues with the rest.
func TestMessagesPageBounded(t *testing.T) {
	h := newHarness(t)
	bob := h.start(newKey(t), storage.NewMemory())
	mustJoin(t, "big", bob)
	author := newKey(t)
	base := t0.UnixMilli() * message.ClockScale
	n := messenger.MaxPageMessages + 1
	env := publicEnvelope(t, "big", nil) // its key derivation is slow: once
	for i := range n {
		env.Payload = publicC4(t, "big", fmt.Sprint("m", i), base+int64(i)+1)
		h.net.Inject(&author.PublicKey, env)
	}
	testutil.WaitFor(t, wait, "every message stored", func() bool {
		c, err := bob.Chat("big")
		return err == nil && c.Unread == n
	})
	p, err := bob.Messages("big", "", 10*n)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Messages) != messenger.MaxPageMessages || p.Cursor == "" || p.Messages[0].Text != fmt.Sprint("m", n-1) {
		t.Fatalf("first page: %d messages (newest %q), cursor %q; want %d from the newest and a cursor",
			len(p.Messages), p.Messages[0].Text, p.Cursor, messenger.MaxPageMessages)
	}
	p, err = bob.Messages("big", p.Cursor, 10*n)
	if err != nil || len(p.Messages) != 1 || p.Messages[0].Text != "m0" || p.Cursor != "" {
		t.Fatalf("second page: %+v, %v; want m0 alone and the end", p, err)
	}
}
