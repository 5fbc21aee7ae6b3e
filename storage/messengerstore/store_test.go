package messengerstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/statusnode/statusd/storage"
)

// Writes survive a reopen, batch helpers keep a message and its index
// together, DeleteMessage leaves only the processed marker, and missing
// records read as nil without an error.
func TestStoreReadWrite(t *testing.T) {
	backends(t, func(t *testing.T, db storage.KV, reopen func() storage.KV) {
		s := New(table(db))
		if before, err := s.Migrate(); err != nil || before != 0 {
			t.Fatalf("migrate new table: %d, %v", before, err)
		}
		f := fixedRecords()
		var b storage.Batch
		f.write(&b)
		must(t, s.Write(&b))
		must(t, s.Write(&storage.Batch{}))
		s = New(table(reopen()))
		if before, err := s.Migrate(); err != nil || before != Version {
			t.Fatalf("migrate current table: %d, %v", before, err)
		}
		f.check(t, s)

		if c, err := s.Chat("missing"); c != nil || err != nil {
			t.Fatalf("missing chat: %v, %v", c, err)
		}
		if m, err := s.Message("missing"); m != nil || err != nil {
			t.Fatalf("missing message: %v, %v", m, err)
		}
		if _, ok, err := s.StatusID([32]byte{1}); ok || err != nil {
			t.Fatalf("missing mvds id: %v, %v", ok, err)
		}
		must(t, s.PutMVDS([32]byte{1}, "0x01"))
		if id, ok, _ := s.StatusID([32]byte{1}); !ok || id != "0x01" {
			t.Fatalf("PutMVDS: %q %v", id, ok)
		}

		m := *f.message
		m.Seen = false
		b.Reset()
		UpdateMessage(&b, &m)
		DeleteOutbox(&b, f.outbox.ID)
		must(t, s.Write(&b))
		if got, _ := s.Message(m.ID); got.Seen {
			t.Fatal("UpdateMessage not written")
		}
		if out := collect(t, s.Outbox); len(out) != 0 {
			t.Fatalf("outbox after delete: %v", out)
		}
		b.Reset()
		DeleteMessage(&b, m.ChatID, m.Clock, m.ID)
		must(t, s.Write(&b))
		if got, _ := s.Message(m.ID); got != nil {
			t.Fatal("message still stored")
		}
		if d, _ := s.Delivery(m.ID); d != nil {
			t.Fatal("delivery still stored")
		}
		if ok, _ := s.Has(KindProcessed, m.ID); !ok {
			t.Fatal("no processed marker")
		}
		n := 0
		must(t, s.ChatIndex(m.ChatID, nil, func([]byte, string) error { n++; return nil }))
		if n != 0 {
			t.Fatalf("%d index entries left", n)
		}
	})
}

// ChatIndex lists one chat's messages newest first (equal clocks by ID),
// resumes at a position, keeps chats whose IDs are prefixes of one another
// apart, and returns fn's error unchanged.
func TestChatIndex(t *testing.T) {
	backends(t, func(t *testing.T, db storage.KV, _ func() storage.KV) {
		s := New(table(db))
		var b storage.Batch
		for i, clock := range []int64{5, 1, 9, 5, 0} {
			PutMessage(&b, &Message{ID: fmt.Sprintf("m%d", i), ChatID: "chat", Clock: clock})
		}
		PutMessage(&b, &Message{ID: "other", ChatID: "chat2", Clock: 7})
		must(t, s.Write(&b))
		var ids []string
		var positions [][]byte
		must(t, s.ChatIndex("chat", nil, func(pos []byte, id string) error {
			ids = append(ids, id)
			positions = append(positions, pos)
			return nil
		}))
		if want := []string{"m2", "m0", "m3", "m1", "m4"}; !slices.Equal(ids, want) {
			t.Fatalf("order %v, want %v", ids, want)
		}
		var rest []string
		must(t, s.ChatIndex("chat", positions[2], func(_ []byte, id string) error { rest = append(rest, id); return nil }))
		if want := []string{"m3", "m1", "m4"}; !slices.Equal(rest, want) {
			t.Fatalf("from position: %v, want %v", rest, want)
		}
		stop := errors.New("stop")
		if err := s.ChatIndex("chat", nil, func([]byte, string) error { return stop }); err != stop {
			t.Fatalf("fn error: %v", err)
		}
	})
}

// A value its decoder rejects is ErrCorrupt, for reads and iteration.
func TestCorruptRecord(t *testing.T) {
	backends(t, func(t *testing.T, db storage.KV, _ func() storage.KV) {
		tbl := table(db)
		s := New(tbl)
		must(t, tbl.Put(Key(KindChat, "bad"), []byte("{not json")))
		must(t, tbl.Put(Key(KindMessage, "bad"), []byte(`{"delivery":"delivered"}`)))
		if _, err := s.Chat("bad"); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Chat: %v", err)
		}
		if err := s.Chats(func(*Chat) error { return nil }); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Chats: %v", err)
		}
		if _, err := s.Message("bad"); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Message: %v", err)
		}
	})
}

// A table stamped by a newer build is refused, and left as it was.
func TestMigrateRefusesNewer(t *testing.T) {
	backends(t, func(t *testing.T, db storage.KV, _ func() storage.KV) {
		tbl := table(db)
		must(t, tbl.Put([]byte("\x00format"), []byte{0, 0, 0, byte(Version + 1)}))
		if _, err := New(tbl).Migrate(); !errors.Is(err, storage.ErrTooNew) {
			t.Fatalf("Migrate: %v", err)
		}
		if v, _ := New(tbl).Version(); v != Version+1 {
			t.Fatalf("version changed to %d", v)
		}
	})
}

// The table's version key is its own: the database-wide format key and
// other tables are not touched.
func TestVersionIsPerTable(t *testing.T) {
	db := storage.NewMemory()
	must(t, storage.NewTable(db, "other").Put([]byte("k"), []byte("v")))
	if _, err := New(table(db)).Migrate(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := storage.ReadFormat(db); ok {
		t.Fatal("the database-wide format key was written")
	}
	if v, ok, _ := storage.ReadFormat(table(db)); !ok || v != Version {
		t.Fatalf("table version %d %v", v, ok)
	}
}

// Unnamed delivery codes are written as numbers and read back; names and
// numbers both decode (version-4 JSON records, read by the migration).
func TestDeliveryStateJSON(t *testing.T) {
	for _, tc := range []struct {
		s    DeliveryState
		json string
	}{{DeliveryNone, `"none"`}, {DeliveryQueued, `"queued"`}, {DeliverySent, `"sent"`},
		{DeliveryAcked, `"acked"`}, {DeliveryExpired, `"expired"`}, {9, `9`}} {
		b, err := tc.s.MarshalJSON()
		if err != nil || string(b) != tc.json {
			t.Fatalf("%d: %s %v", tc.s, b, err)
		}
		var back DeliveryState
		if err := back.UnmarshalJSON(b); err != nil || back != tc.s {
			t.Fatalf("%s: %d %v", b, back, err)
		}
	}
	var d deliveryV4
	if err := json.Unmarshal([]byte(`{"message_id":"0x01","state":3}`), &d); err != nil || d.State != DeliveryAcked {
		t.Fatalf("numeric state: %v %v", d, err)
	}
}

// FuzzDecode: no decoder panics, and whatever decodes re-encodes to bytes
// that decode to the same record.
func FuzzDecode(f *testing.F) {
	for _, p := range []string{goldenPath(Version), fixturePath} {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		err = storage.ReadDump(bytes.NewReader(raw), func(k, v []byte) error {
			if k = bytes.TrimPrefix(k, []byte(TableName+":")); len(k) > 0 {
				f.Add(k[0], v)
			}
			return nil
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, kind byte, v []byte) {
		rec, err := decodeValue(Kind(kind), v)
		if err != nil {
			return
		}
		again, err := decodeValue(Kind(kind), encodeValue(rec))
		if err != nil {
			t.Fatalf("re-encoded %s does not decode: %v", Kind(kind), err)
		}
		if !bytes.Equal(encodeValue(again), encodeValue(rec)) {
			t.Fatalf("%s not stable", Kind(kind))
		}
	})
}
