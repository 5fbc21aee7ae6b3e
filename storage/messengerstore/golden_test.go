package messengerstore

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/statusnode/statusd/storage"
)

var update = flag.Bool("update", false, "write testdata/golden/v<Version>.txt if it does not exist yet")

// fixed is one instance of every record kind, every field set. Its
// encoding at Version is testdata/golden/v<Version>.txt; every older
// golden file must migrate and decode to exactly these values (but for
// the delivery's confirmations, which no file before version 5 holds). When a
// record changes (doc.go, "Changing a record"), change these to the
// new-version values the migration is to produce.
type fixed struct {
	chat       *Chat
	message    *Message // with its index entry
	delivery   *Delivery
	contact    *Contact
	group      *Group
	outbox     *Outbox
	mvdsID     [32]byte
	statusID   string
	processed  string
	negotiated string
	metaName   string
	metaValue  []byte
}

const (
	fixedPeer  = "0x04aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11"
	fixedOther = "0x04bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22"
	fixedMsgID = "0x1111111111111111111111111111111111111111111111111111111111111111"
	fixedGroup = "7d1c3f0e-0a5b-4c6e-9f00-aaaaaaaaaaaa" + fixedPeer
)

func fixedRecords() *fixed {
	f := &fixed{
		chat: &Chat{ID: fixedGroup, Type: 3, Name: "golden \"group\" ✓", Active: true,
			LastClock: 157000000000042, DeletedAtClock: 157000000000007, Unread: 3,
			LastMessageAt: 1570000000123, Members: []string{fixedPeer, fixedOther}, Admins: []string{fixedPeer},
			Joined: []string{fixedPeer, fixedOther}, Membership: "joined"},
		message: &Message{ID: fixedMsgID, ChatID: fixedGroup, From: fixedPeer, Text: "hello <golden> & \"json\"\nline 2",
			ContentType: "text/plain", MessageType: "~:user-message", Clock: 157000000000042,
			Timestamp: 1570000000100, ReceivedAt: 1570000000123, ResponseTo: "0x2222", Outgoing: true,
			Seen: true, Delivery: DeliveryAcked,
			Content: `["^ ","~:text","hello <golden> & \"json\"\nline 2","~:response-to","0x2222"]`},
		delivery: &Delivery{MessageID: fixedMsgID, ChatID: fixedGroup, State: DeliveryExpired,
			Recipients: map[string]bool{fixedPeer: true, fixedOther: false},
			AckedBy:    []string{fixedPeer + "/installation-1"}, UpdatedAt: 1570000000456,
			Confirmations: []Confirmation{{Peer: "f9e53e32a5da1f30de928b54574172fd2757d46acd8500d238d3be4ccc2f76c5",
				Refused: true, Reason: "too old", At: 1570000000400}}},
		contact: &Contact{ID: fixedOther, Name: "Bobby", ProfileImage: "data:image/png;base64,AAAA",
			Address: "0x00000000000000000000000000000000000000bb", Added: true, Blocked: true,
			LastUpdated: 1570000000789, Devices: []string{"installation-2", "installation-3"}, RequestReceived: true},
		group: &Group{ChatID: fixedGroup, Updates: []MembershipUpdate{{
			ChatID: fixedGroup,
			Events: []MembershipEvent{{Type: "members-added", ClockValue: 157000000000001, Name: "trio",
				Member: fixedOther, Members: []string{fixedOther}, KeyOrder: []string{"type", "members", "clock-value"}}},
			Signature: "ab01", KeyOrder: []string{"chat-id", "events", "signature"}}}},
		outbox:     &Outbox{ID: fixedMsgID, Recipients: []string{fixedOther}, Body: []byte{0, 1, 2, 0xfe, 0xff}},
		statusID:   fixedMsgID,
		processed:  "0x3333333333333333333333333333333333333333333333333333333333333333",
		negotiated: "5f1d0e7c9a",
		metaName:   MetaInstallation,
		metaValue:  []byte("c1e7d8a2-6c66-42ac-aa6b-ee0e3c505592"),
	}
	for i := range f.mvdsID {
		f.mvdsID[i] = byte(0xf0 - i)
	}
	return f
}

// write adds every fixed record to b.
func (f *fixed) write(b *storage.Batch) {
	PutChat(b, f.chat)
	PutMessage(b, f.message)
	PutDelivery(b, f.delivery)
	PutContact(b, f.contact)
	PutGroup(b, f.group)
	PutOutbox(b, f.outbox)
	b.Put(MVDSKey(f.mvdsID), []byte(f.statusID))
	PutProcessed(b, f.processed)
	PutNegotiated(b, f.negotiated)
	PutMeta(b, f.metaName, f.metaValue)
}

// check reads every kind back from s and compares it with f.
func (f *fixed) check(t *testing.T, s *Store) {
	t.Helper()
	eq := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
		}
	}
	chat, err := s.Chat(f.chat.ID)
	must(t, err)
	eq("chat", chat, f.chat)
	msg, err := s.Message(f.message.ID)
	must(t, err)
	eq("message", msg, f.message)
	var index []string
	must(t, s.ChatIndex(f.message.ChatID, nil, func(pos []byte, id string) error {
		index = append(index, fmt.Sprintf("%x", pos))
		return nil
	}))
	eq("index", index, []string{fmt.Sprintf("%x", IndexPosition(f.message.Clock, f.message.ID))})
	d, err := s.Delivery(f.delivery.MessageID)
	must(t, err)
	eq("delivery", d, f.delivery)
	eq("contacts", collect(t, s.Contacts), []*Contact{f.contact})
	eq("groups", collect(t, s.Groups), []*Group{f.group})
	eq("outbox", collect(t, s.Outbox), []*Outbox{f.outbox})
	id, ok, err := s.StatusID(f.mvdsID)
	must(t, err)
	eq("mvds", []any{id, ok}, []any{f.statusID, true})
	processed, err := s.Has(KindProcessed, f.processed)
	must(t, err)
	eq("processed", processed, true)
	neg, err := s.Negotiated()
	must(t, err)
	eq("negotiated", neg, []string{f.negotiated})
	meta, ok, err := s.Meta(f.metaName)
	must(t, err)
	eq("meta", []any{meta, ok}, []any{f.metaValue, true})
}

func collect[T any](t *testing.T, iter func(func(*T) error) error) []*T {
	t.Helper()
	var out []*T
	must(t, iter(func(v *T) error { out = append(out, v); return nil }))
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func goldenPath(v uint32) string {
	return filepath.Join("testdata", "golden", fmt.Sprintf("v%d.txt", v))
}

// encodeFixed returns the dump of a new table holding the fixed records.
func encodeFixed(t *testing.T) []byte {
	kv := storage.NewMemory()
	s := New(kv)
	if _, err := s.Migrate(); err != nil {
		t.Fatal(err)
	}
	var b storage.Batch
	fixedRecords().write(&b)
	must(t, s.Write(&b))
	var out bytes.Buffer
	must(t, storage.WriteDump(&out, kv, nil,
		fmt.Sprintf("messengerstore format %d: one record of every kind (golden_test.go).", Version),
		"Never edit or regenerate: a new format gets a new file (doc.go)."))
	return out.Bytes()
}

// TestGolden fails when a record's encoding changes without a new format
// version: the fixed records must encode to the current version's golden
// file byte for byte, and every golden file, older ones included, must
// migrate and decode to the fixed records, on both backends.
func TestGolden(t *testing.T) {
	got := encodeFixed(t)
	path := goldenPath(Version)
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && *update {
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, got, 0o644))
		t.Logf("wrote %s", path)
		want = got
	} else if err != nil {
		t.Fatalf("%v (a new format version writes its golden file with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the fixed records no longer encode to %s: a record's format changed without a new "+
			"version and migration (see doc.go, \"Changing a record\").\ngot:\n%s", path, got)
	}

	versions := goldenVersions(t)
	if want := versionsUpTo(Version); !slices.Equal(versions, want) {
		t.Fatalf("golden files for versions %v, want one for each of %v", versions, want)
	}
	for _, v := range versions {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			backends(t, func(t *testing.T, db storage.KV, _ func() storage.KV) {
				f, err := os.Open(goldenPath(v))
				must(t, err)
				defer f.Close()
				tbl := table(db)
				must(t, storage.LoadDump(f, tbl))
				s := New(tbl)
				before, err := s.Migrate()
				must(t, err)
				if before != v {
					t.Fatalf("golden v%d migrated from version %d", v, before)
				}
				if now, _ := s.Version(); now != Version {
					t.Fatalf("version after migration %d, want %d", now, Version)
				}
				want := fixedRecords()
				if v < 5 {
					// Before version 5 the confirmations were the messenger's
					// own meta value, which no older golden file holds.
					want.delivery.Confirmations = nil
				}
				want.check(t, s)
			})
		})
	}
}

func goldenVersions(t *testing.T) []uint32 {
	names, err := filepath.Glob(filepath.Join("testdata", "golden", "v*.txt"))
	must(t, err)
	re := regexp.MustCompile(`v(\d+)\.txt$`)
	var out []uint32
	for _, n := range names {
		m := re.FindStringSubmatch(n)
		if m == nil {
			t.Fatalf("unexpected golden file %s", n)
		}
		v, err := strconv.ParseUint(m[1], 10, 32)
		must(t, err)
		out = append(out, uint32(v))
	}
	slices.Sort(out)
	return out
}

func versionsUpTo(v uint32) []uint32 {
	var out []uint32
	for i := uint32(0); i <= v; i++ {
		out = append(out, i)
	}
	return out
}

// TestFixedRecordsSetEveryField: a field left zero in the fixed records
// would be invisible to TestGolden (omitempty, or a rename of a field
// that is never written), so every field of every record is set.
func TestFixedRecordsSetEveryField(t *testing.T) {
	f := fixedRecords()
	for _, r := range []any{f.chat, f.message, f.delivery, f.contact, f.group, f.outbox} {
		checkNonZero(t, reflect.TypeOf(r).Elem().Name(), reflect.ValueOf(r).Elem())
	}
}

func checkNonZero(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	if v.IsZero() {
		t.Errorf("%s is zero in the fixed records", path)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			checkNonZero(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Struct {
			for i := 0; i < v.Len(); i++ {
				checkNonZero(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		}
	}
}
