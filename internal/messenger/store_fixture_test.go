package messenger_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

var storeFixture = flag.String("store-fixture", "",
	"write a dump of the messenger table after a scenario touching every record kind to this file")

// TestWriteStoreFixture writes a migration fixture for
// storage/messengerstore (its testdata/v0-messenger-table.txt was written
// this way by the build that wrote format 0): a messenger table holding chats of
// every type, received, sent, seen and deleted messages, delivery records
// in several states, MVDS ID mappings, contacts, a group, a stranded
// outbox entry and the installation ID. It runs only with -store-fixture.
func TestWriteStoreFixture(t *testing.T) {
	if *storeFixture == "" {
		t.Skip("run with -store-fixture=<file> to write the store fixture")
	}
	h := newHarness(t)
	db := storage.NewMemory()
	alice := h.start(newKey(t), db, withName("alice"), withInstallation("fixture-installation"))
	bob, carol := h.newNode(withName("bob")), h.newNode(withName("carol"))
	ctx := ctxT(t)

	mustJoin(t, "fixture", alice, bob)
	if _, err := bob.SendText(ctx, "fixture", "hello public"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendText(ctx, "fixture", "public reply"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, "fixture", 2)

	if _, err := alice.SaveContact(ctx, bob.PublicKey(), "Bobby"); err != nil {
		t.Fatal(err)
	}
	waitContact(t, bob, alice.PublicKey(), func(c *messenger.Contact) bool { return c.Name == "alice" })
	alice.StartOneToOne(bob.PublicKey())
	bob.StartOneToOne(alice.PublicKey())
	sent, err := alice.SendText(ctx, bob.PublicKey(), "direct")
	if err != nil {
		t.Fatal(err)
	}
	waitDelivery(t, alice, []string{sent}, messenger.DeliveryAcked)
	if _, err := bob.SendText(ctx, alice.PublicKey(), "direct reply"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.SendText(ctx, alice.PublicKey(), "to be deleted"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, bob.PublicKey(), 3)
	p, err := alice.Messages(bob.PublicKey(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.DeleteMessage(p.Messages[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := alice.MarkSeen(p.Messages[1].ID); err != nil {
		t.Fatal(err)
	}

	g, err := alice.CreateGroup(ctx, "trio", []string{bob.PublicKey(), carol.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	waitChat(t, carol, g.ID, "group joined", func(c *messenger.Chat) bool { return c.Active })
	if _, err := carol.SendText(ctx, g.ID, "group hello"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, g.ID, 1)
	if _, err := alice.StoreTextOnly(bob.PublicKey(), "stranded"); err != nil {
		t.Fatal(err)
	}
	if err := alice.Stop(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(*storeFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = storage.WriteDump(f, db, []byte(messenger.TableName+":"),
		"The messenger table of a database written by statusd (internal/messenger TestWriteStoreFixture).",
		"Never edit: migrations are tested against it.")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "wrote", *storeFixture)
}

// A messenger starts on a database whose messenger table was written
// before records had their own types (the v0 fixture of
// storage/messengerstore), on both backends: it keeps the stored
// installation ID and shows the stored chats, messages, deliveries and
// contacts; the table is then at the current format.
func TestStartOnV0Database(t *testing.T) {
	for _, backend := range []string{"memory", "leveldb"} {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t)
			var db storage.KV = storage.NewMemory()
			if backend == "leveldb" {
				ldb := openLevelDB(t, t.TempDir())
				t.Cleanup(func() { ldb.Close() })
				db = ldb
			}
			f, err := os.Open(filepath.Join("..", "..", "storage", "messengerstore", "testdata", "v0-messenger-table.txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := storage.LoadDump(f, db); err != nil {
				t.Fatal(err)
			}
			n := h.start(newKey(t), db)
			if id := n.InstallationID(); id != "fixture-installation" {
				t.Fatalf("installation %q", id)
			}
			if v, _, _ := storage.ReadFormat(storage.NewTable(db, messenger.TableName)); v != messengerstore.Version {
				t.Fatalf("table format %d after start", v)
			}
			got := map[messenger.ChatType][]string{}
			for _, c := range n.Chats() {
				got[c.Type] = texts(t, n, c.ID)
				if c.Type == messenger.ChatOneToOne {
					p, _ := n.Messages(c.ID, "", 10)
					for _, m := range p.Messages {
						if m.Text == "direct" && m.Delivery != messenger.DeliveryAcked {
							t.Errorf("direct message %s", m.Delivery)
						}
					}
				}
			}
			want := map[messenger.ChatType][]string{messenger.ChatPublic: {"hello public", "public reply"},
				messenger.ChatOneToOne: {"direct", "direct reply", "stranded"}, messenger.ChatPrivateGroup: {"group hello"}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("chats %q, want %q", got, want)
			}
			if cs := n.Contacts(); len(cs) != 1 || cs[0].Name != "Bobby" {
				t.Fatalf("contacts %+v", cs)
			}
		})
	}
}
