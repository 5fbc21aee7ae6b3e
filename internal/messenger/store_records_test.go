package messenger

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// v0Fixture is a messenger table written before records had their own
// types (see storage/messengerstore/doc.go).
var v0Fixture = filepath.Join("..", "..", "storage", "messengerstore", "testdata", "v0-messenger-table.txt")

// storedDomainValues has one value of every domain type the store keeps,
// every field set.
func storedDomainValues() []any {
	return []any{
		&Chat{ID: "g", Type: ChatPrivateGroup, Name: "n", Active: true, LastClock: 9, DeletedAtClock: 3,
			Unread: 2, LastMessageAt: 7, Members: []string{"a", "b"}, Admins: []string{"a"},
			Joined: []string{"a"}, Membership: "joined"},
		&Message{ID: "0x01", ChatID: "g", From: "a", Text: "t", ContentType: "text/plain",
			MessageType: "~:user-message", Clock: 9, Timestamp: 8, ReceivedAt: 7, ResponseTo: "0x02",
			Outgoing: true, Seen: true, Delivery: DeliveryExpired, OutgoingStatus: "sent", Content: everyContentField()},
		&Delivery{MessageID: "0x01", ChatID: "g", State: DeliveryAcked, Recipients: map[string]bool{"a": true, "b": false},
			AckedBy: []string{"a/i"}, UpdatedAt: 5,
			Confirmations: []Confirmation{{Peer: "0a", Refused: true, Reason: "r", At: 3}}},
		&Contact{ID: "b", Name: "B", ProfileImage: "p", Address: "0xbb", Added: true, Blocked: true,
			LastUpdated: 4, Devices: []string{"i1"}, RequestReceived: true},
		&storedGroup{ChatID: "g", Updates: []message.MembershipUpdate{{ChatID: "g",
			Events: []message.MembershipEvent{{Type: "members-added", ClockValue: 1, Name: "n", Member: "b",
				Members: []string{"b"}, KeyOrder: []string{"type"}}},
			Signature: "ab", KeyOrder: []string{"chat-id"}}}},
		&outboxEntry{ID: "0x01", Recipients: []string{"b"}, Body: []byte{1, 2}},
	}
}

// TestRecordConversion: every field of every stored domain type survives
// domain → record → bytes → record → domain. A domain field added without
// its record field fails here (it is zero after the trip).
func TestRecordConversion(t *testing.T) {
	for _, v := range storedDomainValues() {
		name := reflect.TypeOf(v).Elem().Name()
		t.Run(name, func(t *testing.T) {
			checkAllSet(t, name, reflect.ValueOf(v).Elem())
			if m, ok := v.(*Message); ok {
				// Stored apart, as a meta value: TestSetOutgoingStatus.
				c := *m
				c.OutgoingStatus = ""
				v = &c
			}
			back := reflect.New(reflect.TypeOf(v).Elem())
			if err := decodeRecord(encodeRecord(v), back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Interface(), v) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back.Interface(), v)
			}
		})
	}
	e := outboxEntry{ID: "x"}
	if !bytes.Equal(encodeRecord(e), encodeRecord(&e)) {
		t.Fatal("outboxEntry by value and by pointer encode differently")
	}
}

// TestDeliveryConfirmationsStored: a delivery record's confirmations,
// kept in the record, come back with it and go with the message.
func TestDeliveryConfirmationsStored(t *testing.T) {
	st := newStore(storage.NewTable(storage.NewMemory(), TableName))
	msg := storedDomainValues()[1].(*Message)
	d := storedDomainValues()[2].(*Delivery)
	var b storage.Batch
	putMessage(&b, msg)
	putDelivery(&b, d)
	if err := st.write(&b); err != nil {
		t.Fatal(err)
	}
	got, err := st.delivery(d.MessageID)
	if err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("stored delivery:\n got %+v, %v\nwant %+v", got, err, d)
	}
	b = storage.Batch{}
	deleteMessage(&b, msg)
	if err := st.write(&b); err != nil {
		t.Fatal(err)
	}
	if got, err := st.delivery(d.MessageID); got != nil || err != nil {
		t.Fatalf("delivery left after the message was deleted: %+v, %v", got, err)
	}
}

// everyContentField is a content map with every field set, as the
// decoder returns it (so that it reads back equal).
func everyContentField() message.Content {
	raw := `["^ ","~:chat-id","g","~:text","t","~:response-to","0x02","~:response-to-v2","0x03","~:name","n",` +
		`"~:hash","h","~:pack",1,"~:command-path",["send",["~#set",["~:personal-chats"]]],` +
		`"~:params",["^ ","~:amount","1"],"~:bot","transactor"]`
	c, err := message.DecodeContent([]byte(raw), message.ContentCommand)
	if err != nil {
		panic(err)
	}
	return c
}

func checkAllSet(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	if v.IsZero() {
		t.Errorf("%s is zero: set it so the round trip covers it", path)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Tag.Get("store") == "-" {
				continue // derived when read, not stored
			}
			checkAllSet(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Struct {
			for i := 0; i < v.Len(); i++ {
				checkAllSet(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		}
	}
}

// TestStoreReadsV0Fixture: on both backends, a messenger table written
// before records had their own types migrates, every record decodes into
// its domain type and encodes back to the bytes on disk, and the store's
// readers see its contents.
func TestStoreReadsV0Fixture(t *testing.T) {
	for _, backend := range []string{"memory", "leveldb"} {
		t.Run(backend, func(t *testing.T) {
			var db storage.KV = storage.NewMemory()
			if backend == "leveldb" {
				ldb, err := storage.OpenLevelDB(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ldb.Close() })
				db = ldb
			}
			f, err := os.Open(v0Fixture)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := storage.LoadDump(f, db); err != nil {
				t.Fatal(err)
			}
			st := newStore(storage.NewTable(db, TableName))
			if err := st.migrate(); err != nil {
				t.Fatal(err)
			}
			checkDomainRoundTrip(t, st)
			checkFixtureContents(t, st)
		})
	}
}

func checkDomainRoundTrip(t *testing.T, st *store) {
	t.Helper()
	domain := map[byte]func() any{
		pfxChat: func() any { return new(Chat) }, pfxMessage: func() any { return new(Message) },
		pfxDelivery: func() any { return new(Delivery) }, pfxContact: func() any { return new(Contact) },
		pfxGroup: func() any { return new(storedGroup) }, pfxOutbox: func() any { return new(outboxEntry) },
	}
	n := 0
	err := st.kv.Iterate(nil, nil, func(k, raw []byte) error {
		mk, ok := domain[k[0]]
		if !ok {
			return nil
		}
		v := mk()
		if err := decodeRecord(raw, v); err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		if again := encodeRecord(v); !bytes.Equal(again, raw) {
			t.Errorf("%q changes through the domain type:\n got %s\nwant %s", k, again, raw)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < len(domain) {
		t.Fatalf("only %d records", n)
	}
}

func checkFixtureContents(t *testing.T, st *store) {
	t.Helper()
	chats, err := st.chats()
	if err != nil || len(chats) != 3 {
		t.Fatalf("chats: %d, %v", len(chats), err)
	}
	texts := map[ChatType][]string{}
	for _, c := range chats {
		msgs, err := st.chatMessages(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			texts[c.Type] = append(texts[c.Type], m.Text)
			if m.Outgoing {
				if d, err := st.delivery(m.ID); err != nil || d == nil || d.State != m.Delivery {
					t.Errorf("delivery of %q: %+v, %v (message says %s)", m.Text, d, err, m.Delivery)
				}
			}
		}
	}
	want := map[ChatType][]string{ChatPublic: {"public reply", "hello public"},
		ChatOneToOne: {"stranded", "direct reply", "direct"}, ChatPrivateGroup: {"group hello"}}
	if !reflect.DeepEqual(texts, want) {
		t.Fatalf("texts %q, want %q", texts, want)
	}
	if cs, err := st.contacts(); err != nil || len(cs) != 1 || cs[0].Name != "Bobby" || !cs[0].Added {
		t.Fatalf("contacts %+v, %v", cs, err)
	}
	var groups, outbox int
	if err := iterateJSON(st, []byte{pfxGroup}, func(*storedGroup) error { groups++; return nil }); err != nil || groups != 1 {
		t.Fatalf("groups %d, %v", groups, err)
	}
	if err := iterateJSON(st, []byte{pfxOutbox}, func(*outboxEntry) error { outbox++; return nil }); err != nil || outbox != 1 {
		t.Fatalf("outbox %d, %v", outbox, err)
	}
	if id, ok, err := st.meta(metaInstallation); err != nil || !ok || string(id) != "fixture-installation" {
		t.Fatalf("installation %q %v %v", id, ok, err)
	}
	if names, err := st.negotiated(); err != nil || len(names) == 0 {
		t.Fatalf("negotiated %v %v", names, err)
	}
}

// TestStoredContentMatchesContentRecord: compose stores the content it
// encoded for its check, which must be what contentRecord writes.
func TestStoredContentMatchesContentRecord(t *testing.T) {
	prepared := message.TextContent("0x04ab", "**hi**")
	if err := prepare(&prepared); err != nil {
		t.Fatal(err)
	}
	for _, c := range []message.Content{{}, message.TextContent("status", "hi"), prepared, message.StickerContent("c", "h", int64(1))} {
		raw, err := message.EncodeContent(c)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := storedContent(c, raw), contentRecord(c); got != want {
			t.Errorf("stored %q, contentRecord %q", got, want)
		}
	}
}
