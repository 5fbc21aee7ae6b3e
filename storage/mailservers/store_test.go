package mailservers

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/statusnode/statusd/storage"
)

// backends runs fn against the in-memory KV and goleveldb. reopen closes
// and reopens the database (a no-op for memory) and returns a fresh Store.
func backends(t *testing.T, fn func(t *testing.T, s *Store, reopen func() *Store)) {
	t.Run("memory", func(t *testing.T) {
		kv := storage.NewTable(storage.NewMemory(), TableName)
		fn(t, New(kv), func() *Store { return New(kv) })
	})
	t.Run("leveldb", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		db, err := storage.OpenLevelDB(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, New(storage.NewTable(db, TableName)), func() *Store {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = storage.OpenLevelDB(dir); err != nil {
				t.Fatal(err)
			}
			return New(storage.NewTable(db, TableName))
		})
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

func TestMailservers(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, reopen func() *Store) {
		got, err := s.Mailservers()
		must(t, err)
		same(t, "empty", got, []Mailserver(nil))
		must(t, s.AddMailserver(Mailserver{ID: "b", Name: "B", Address: "enode://b", Password: "pw", Fleet: "eth.beta"}))
		must(t, s.AddMailserver(Mailserver{ID: "a", Name: "A", Address: "enode://a", Fleet: "eth.beta"}))
		must(t, s.AddMailserver(Mailserver{ID: "c", Name: "C", Address: "enode://c", Fleet: "eth.staging"}))
		// Replacing keeps one record per ID; the list stays in ID order.
		must(t, s.AddMailserver(Mailserver{ID: "b", Name: "B2", Address: "enode://b2", Fleet: "eth.beta"}))
		must(t, s.DeleteMailserver("c"))
		must(t, s.DeleteMailserver("missing"))
		s = reopen()
		got, err = s.Mailservers()
		must(t, err)
		same(t, "after writes", got, []Mailserver{
			{ID: "a", Name: "A", Address: "enode://a", Fleet: "eth.beta"},
			{ID: "b", Name: "B2", Address: "enode://b2", Fleet: "eth.beta"},
		})
	})
}

func TestGaps(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, reopen func() *Store) {
		must(t, s.AddGaps([]Gap{
			{ID: "g2", ChatID: "status", From: 20, To: 30},
			{ID: "g1", ChatID: "status", From: 10, To: 15},
			{ID: "g3", ChatID: "statu", From: 1, To: 2}, // a prefix of "status": must not mix
			{ID: "g4", ChatID: "status-x", From: 3, To: 4},
			{ID: "g5", ChatID: "status", From: 1, To: 1},
			{ID: "g5", ChatID: "status", From: 5, To: 6}, // the later of two wins
		}))
		got, err := s.Gaps("status")
		must(t, err)
		same(t, "status gaps", got, []Gap{
			{ID: "g1", ChatID: "status", From: 10, To: 15},
			{ID: "g2", ChatID: "status", From: 20, To: 30},
			{ID: "g5", ChatID: "status", From: 5, To: 6},
		})
		// A gap ID moving to another chat leaves the first.
		must(t, s.AddGaps([]Gap{{ID: "g2", ChatID: "statu", From: 7, To: 8}}))
		must(t, s.DeleteGaps([]string{"g1", "missing"}))
		must(t, s.DeleteGaps(nil))
		s = reopen()
		got, err = s.Gaps("status")
		must(t, err)
		same(t, "status after move and delete", got, []Gap{{ID: "g5", ChatID: "status", From: 5, To: 6}})
		got, err = s.Gaps("statu")
		must(t, err)
		same(t, "statu", got, []Gap{{ID: "g2", ChatID: "statu", From: 7, To: 8}, {ID: "g3", ChatID: "statu", From: 1, To: 2}})

		must(t, s.DeleteChatGaps("statu"))
		got, err = s.Gaps("statu")
		must(t, err)
		same(t, "statu deleted", got, []Gap(nil))
		// The index went with them: re-adding g2 elsewhere leaves no trace.
		must(t, s.AddGaps([]Gap{{ID: "g2", ChatID: "status-x", From: 9, To: 9}}))
		got, err = s.Gaps("status-x")
		must(t, err)
		same(t, "status-x", got, []Gap{{ID: "g2", ChatID: "status-x", From: 9, To: 9}, {ID: "g4", ChatID: "status-x", From: 3, To: 4}})
		got, err = s.Gaps("")
		must(t, err)
		same(t, "no chat", got, []Gap(nil))
	})
}

func TestTopicsAndRanges(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, reopen func() *Store) {
		must(t, s.AddTopic(Topic{Topic: "0xf8946aac", ChatIDs: []string{"status", "dev"}, LastRequest: 1567693421}))
		must(t, s.AddTopic(Topic{Topic: "0x00000001"}))
		must(t, s.AddTopic(Topic{Topic: "0x00000002", ChatIDs: []string{}, LastRequest: -1}))
		must(t, s.AddTopic(Topic{Topic: "0xdead", ChatIDs: []string{"x"}}))
		must(t, s.DeleteTopic("0xdead"))
		must(t, s.AddRange(Range{ChatID: "status", LowestRequestFrom: 1567693421154, HighestRequestTo: 1567693576779}))
		must(t, s.AddRange(Range{ChatID: "dev", LowestRequestFrom: 1}))
		must(t, s.AddRange(Range{ChatID: "gone"}))
		must(t, s.DeleteRange("gone"))
		s = reopen()
		topics, err := s.Topics()
		must(t, err)
		same(t, "topics", topics, []Topic{
			{Topic: "0x00000001"},
			{Topic: "0x00000002", ChatIDs: []string{}, LastRequest: -1},
			{Topic: "0xf8946aac", ChatIDs: []string{"status", "dev"}, LastRequest: 1567693421},
		})
		ranges, err := s.Ranges()
		must(t, err)
		same(t, "ranges", ranges, []Range{
			{ChatID: "dev", LowestRequestFrom: 1},
			{ChatID: "status", LowestRequestFrom: 1567693421154, HighestRequestTo: 1567693576779},
		})
	})
}

// TestKinds checks that the four kinds of record never see each other.
func TestKinds(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, _ func() *Store) {
		must(t, s.AddMailserver(Mailserver{ID: "x"}))
		must(t, s.AddGaps([]Gap{{ID: "x", ChatID: "x"}}))
		must(t, s.AddTopic(Topic{Topic: "x"}))
		must(t, s.AddRange(Range{ChatID: "x"}))
		ms, _ := s.Mailservers()
		ts, _ := s.Topics()
		rs, _ := s.Ranges()
		gs, _ := s.Gaps("x")
		if len(ms) != 1 || len(ts) != 1 || len(rs) != 1 || len(gs) != 1 {
			t.Fatalf("counts %d %d %d %d, want 1 each", len(ms), len(ts), len(rs), len(gs))
		}
	})
}

func TestTooLong(t *testing.T) {
	s := New(storage.NewMemory())
	long := strings.Repeat("a", MaxKeyLen+1)
	for name, err := range map[string]error{
		"mailserver": s.AddMailserver(Mailserver{ID: long}),
		"gap id":     s.AddGaps([]Gap{{ID: "ok"}, {ID: long}}),
		"gap chat":   s.AddGaps([]Gap{{ID: "ok", ChatID: long}}),
		"topic":      s.AddTopic(Topic{Topic: long}),
		"range":      s.AddRange(Range{ChatID: long}),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if gs, _ := s.Gaps("ok"); gs != nil {
		t.Fatalf("a refused batch wrote %v", gs)
	}
}

// TestConcurrentGaps moves gaps between chats from many goroutines; each
// gap must end in exactly one chat.
func TestConcurrentGaps(t *testing.T) {
	s := New(storage.NewMemory())
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				chat := []string{"a", "b", "c"}[(w+i)%3]
				if err := s.AddGaps([]Gap{{ID: "g", ChatID: chat}, {ID: "h", ChatID: chat}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for _, c := range []string{"a", "b", "c"} {
		gs, err := s.Gaps(c)
		must(t, err)
		n += len(gs)
	}
	if n != 2 {
		t.Fatalf("%d gap records, want 2", n)
	}
}

// TestLayout pins the key layout of doc.go: the store's records, dumped
// under the table prefix statusd uses, equal testdata/layout.txt.
// UPDATE_GOLDEN=1 rewrites it (only with a format change and its
// migration).
func TestLayout(t *testing.T) {
	db := storage.NewMemory()
	s := New(storage.NewTable(db, TableName))
	must(t, s.AddMailserver(Mailserver{ID: "ms1", Name: "one", Address: "enode://ab@127.0.0.1:30303", Password: "pw", Fleet: "eth.beta"}))
	must(t, s.AddGaps([]Gap{{ID: "gap1", ChatID: "status", From: 1, To: 2}}))
	must(t, s.AddTopic(Topic{Topic: "0xf8946aac", ChatIDs: []string{"status"}, LastRequest: 3}))
	must(t, s.AddRange(Range{ChatID: "status", LowestRequestFrom: 4, HighestRequestTo: 5}))
	var b strings.Builder
	must(t, storage.WriteDump(&b, db, nil, "storage/mailservers key layout, format 1"))
	path := filepath.Join("testdata", "layout.txt")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		must(t, os.MkdirAll("testdata", 0o755))
		must(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	must(t, err)
	if b.String() != string(want) {
		t.Fatalf("layout differs from %s:\n%s", path, b.String())
	}
}
