package topichistory

import (
	"encoding/hex"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// backends runs fn against the in-memory KV and goleveldb; reopen returns
// a Store over the reopened database.
func backends(t *testing.T, fn func(t *testing.T, s *Store, reopen func() *Store)) {
	t.Run("memory", func(t *testing.T) {
		kv := storage.NewTable(storage.NewMemory(), TableName)
		fn(t, New(kv), func() *Store { return New(kv) })
	})
	t.Run("leveldb", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		db, err := storage.OpenLevelDB(dir)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		fn(t, New(storage.NewTable(db, TableName)), func() *Store {
			must(t, db.Close())
			db, err = storage.OpenLevelDB(dir)
			must(t, err)
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

var (
	topicA = wproto.Topic{0xaa, 1, 2, 3}
	topicB = wproto.Topic{0xbb, 1, 2, 3}
	t0     = time.Unix(1_700_000_000, 0)
)

func TestReplaceAndComplete(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, reopen func() *Store) {
		k := Key{Topic: topicA, Duration: time.Hour}
		h, err := s.History(k)
		must(t, err)
		same(t, "fresh", h, History{Topic: topicA, Duration: time.Hour})

		h.First, h.Current, h.End = t0.Add(-time.Hour), t0.Add(-time.Hour), t0
		hb := History{Topic: topicB, Duration: time.Hour, First: h.First, Current: h.Current, End: t0}
		id1, id2 := common.Hash{1}, common.Hash{2}
		must(t, s.Replace(common.Hash{}, id1, []History{h, hb}))
		must(t, s.Replace(id1, id2, []History{h, hb})) // a resend under a new ID
		s = reopen()

		reqs, err := s.Requests()
		must(t, err)
		same(t, "requests", reqs, []Request{{ID: id2, Histories: []Key{k, hb.Key()}}})
		got, err := s.History(k)
		must(t, err)
		want := h
		want.RequestID = id2
		same(t, "pending", got, want)

		if err := s.Complete(id1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Complete(replaced id) = %v, want ErrNotFound", err)
		}
		must(t, s.Complete(id2))
		s = reopen()
		got, err = s.History(k)
		must(t, err)
		same(t, "completed", got, History{Topic: topicA, Duration: time.Hour, First: h.First, Current: t0})
		reqs, err = s.Requests()
		must(t, err)
		same(t, "no requests", reqs, []Request(nil))
		hs, err := s.Histories(topicB)
		must(t, err)
		same(t, "topic B", hs, []History{{Topic: topicB, Duration: time.Hour, First: h.First, Current: t0}})
	})
}

func TestHistoriesByTopic(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, _ func() *Store) {
		must(t, s.Save(History{Topic: topicA, Duration: 2 * time.Hour}, History{Topic: topicB, Duration: time.Hour},
			History{Topic: topicA, Duration: time.Hour}))
		hs, err := s.Histories(topicA)
		must(t, err)
		same(t, "by duration", hs, []History{{Topic: topicA, Duration: time.Hour}, {Topic: topicA, Duration: 2 * time.Hour}})
		must(t, s.Delete(Key{Topic: topicA, Duration: time.Hour}))
		hs, err = s.Histories(topicA)
		must(t, err)
		same(t, "deleted", hs, []History{{Topic: topicA, Duration: 2 * time.Hour}})
	})
}

// TestLayout pins the key layout and stored form of doc.go.
func TestLayout(t *testing.T) {
	mem := storage.NewMemory()
	s := New(storage.NewTable(mem, TableName))
	h := History{Topic: topicA, Duration: time.Hour, First: t0, Current: t0, End: t0.Add(time.Hour)}
	must(t, s.Replace(common.Hash{}, common.Hash{0xff}, []History{h}))
	got := map[string]string{}
	must(t, mem.Iterate(nil, nil, func(k, v []byte) error {
		got[hex.EncodeToString(k)] = string(v)
		return nil
	}))
	want := map[string]string{
		hex.EncodeToString([]byte("topichistory:h\xaa\x01\x02\x03\x00\x00\x03\x46\x30\xb8\xa0\x00")): `{"topic":"0xaa010203","duration":3600000000000,"first":1700000000,"current":1700000000,"end":1700003600,"requestId":"0xff00000000000000000000000000000000000000000000000000000000000000"}`,
		hex.EncodeToString(append([]byte("topichistory:r\xff"), make([]byte, 31)...)):                `{"id":"0xff00000000000000000000000000000000000000000000000000000000000000","topics":["0xaa010203"],"durations":[3600000000000]}`,
	}
	same(t, "layout", got, want)
}
