package datasyncstore

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
)

// backends runs fn against the in-memory KV and goleveldb. reopen closes
// and reopens the database (a no-op for memory) and returns a fresh Store.
func backends(t *testing.T, fn func(t *testing.T, kv storage.KV, reopen func() *Store)) {
	t.Run("memory", func(t *testing.T) {
		kv := storage.NewTable(storage.NewMemory(), TableName)
		fn(t, kv, func() *Store { return New(kv) })
	})
	t.Run("leveldb", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		db, err := storage.OpenLevelDB(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		var kv storage.KV = storage.NewTable(db, TableName)
		fn(t, kv, func() *Store {
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

func peerID(i int) datasync.PeerID {
	h := sha256.Sum256([]byte(fmt.Sprintf("store peer %d", i)))
	var p datasync.PeerID
	p[0] = 0x04
	copy(p[1:], h[:])
	copy(p[33:], h[:])
	return p
}

// canonical renders a snapshot with messages in ID order, so snapshots from
// different stores compare equal when they hold the same state.
func canonical(s datasync.Snapshot) string {
	ms := append([]datasync.Message(nil), s.Messages...)
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i].ID(), ms[j].ID()
		return bytes.Compare(a[:], b[:]) < 0
	})
	return fmt.Sprint(s.Epoch, s.Records, ms, s.Released, s.Members)
}

func TestLoadEmpty(t *testing.T) {
	backends(t, func(t *testing.T, kv storage.KV, _ func() *Store) {
		snap, err := New(kv).Load()
		if err != nil {
			t.Fatal(err)
		}
		if canonical(snap) != canonical(datasync.Snapshot{}) {
			t.Fatalf("empty store loaded %+v", snap)
		}
	})
}

// TestMatchesMemoryStore drives two real nodes over a lossy exchange, applies
// every Ready's changes to this store and to datasync.MemoryStore, and checks
// that both load the same state, across reopens, and that a node restarted
// from this store has the state of the running one — the released IDs it
// forgot included, which a reopen does not bring back.
func TestMatchesMemoryStore(t *testing.T) {
	backends(t, func(t *testing.T, kv storage.KV, reopen func() *Store) {
		rng := rand.New(rand.NewSource(1))
		a, b := peerID(0), peerID(1)
		g, err := datasync.OneToOneGroupID(a, b)
		if err != nil {
			t.Fatal(err)
		}
		na := newNode(t, a, g, b)
		nb := newNode(t, b, g, a)
		st, ref := New(kv), datasync.NewMemoryStore()
		var toB, toA []datasync.Payload
		forgot := 0
		for tick := 0; tick < 300; tick++ {
			if tick < 200 && rng.Intn(3) == 0 {
				body := []byte(fmt.Sprintf("message %d", tick))
				if _, err := na.Append(g, body, time.Unix(1565000000+int64(tick), 0)); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range toB {
				if err := nb.Step(a, p); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range toA {
				if err := na.Step(b, p); err != nil {
					t.Fatal(err)
				}
			}
			toA = collect(t, nb, datasync.NewMemoryStore(), rng)
			na.Tick()
			nb.Tick()
			if tick%10 == 9 { // drop the bodies every peer acknowledged
				var ids []datasync.MessageID
				na.EachSettled(func(id datasync.MessageID, _ datasync.GroupID, _ int64) { ids = append(ids, id) })
				na.Release(ids, time.Unix(1565000000+int64(tick), 0))
			}
			if tick%30 == 29 { // forget what was released 100 ticks ago and more
				forgot += na.ForgetReleased(time.Unix(1565000000+int64(tick)-100, 0))
			}
			toB = collect(t, na, ref, rng, st)
			toA = append(toA, collect(t, nb, datasync.NewMemoryStore(), rng)...)
			if tick%50 == 49 {
				st = reopen()
				checkSame(t, st, ref, na)
			}
		}
		checkSame(t, st, ref, na)
		if forgot == 0 || na.ReleasedCount() == 0 {
			t.Fatalf("forgot %d released IDs, %d kept: the run covers neither", forgot, na.ReleasedCount())
		}
	})
}

func newNode(t *testing.T, id datasync.PeerID, g datasync.GroupID, peer datasync.PeerID) *datasync.Node {
	t.Helper()
	n, err := datasync.NewNode(datasync.DefaultConfig(id))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.AddPeer(g, peer); err != nil {
		t.Fatal(err)
	}
	return n
}

// collect drains n's Readies into the stores and returns what survives a
// 30 % loss.
func collect(t *testing.T, n *datasync.Node, ref *datasync.MemoryStore, rng *rand.Rand, st ...*Store) []datasync.Payload {
	t.Helper()
	var out []datasync.Payload
	for n.HasReady() {
		rd := n.Ready()
		if err := ref.Apply(rd.Changes); err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			var dels []datasync.Delivery
			for _, m := range rd.Deliver {
				dels = append(dels, datasync.Delivery{Message: m})
			}
			if err := s.ApplyReady(rd.Changes, dels); err != nil {
				t.Fatal(err)
			}
		}
		for _, o := range rd.Outgoing {
			if rng.Float64() >= 0.3 {
				out = append(out, o.Payload)
			}
		}
		n.Advance(rd)
	}
	return out
}

func checkSame(t *testing.T, st *Store, ref *datasync.MemoryStore, n *datasync.Node) {
	t.Helper()
	got, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	want, err := ref.Load()
	if err != nil {
		t.Fatal(err)
	}
	if canonical(got) != canonical(want) {
		t.Fatalf("store diverged from MemoryStore:\n got %d records %d messages\nwant %d records %d messages",
			len(got.Records), len(got.Messages), len(want.Records), len(want.Messages))
	}
	r, err := datasync.RestartNode(n.Config(), got)
	if err != nil {
		t.Fatal(err)
	}
	live := n.Snapshot()
	live.Epoch = r.Epoch() // the epoch is persisted only with other changes
	if canonical(r.Snapshot()) != canonical(live) {
		t.Fatal("restarted node differs from the live one")
	}
}

func TestPendingDelivery(t *testing.T) {
	backends(t, func(t *testing.T, kv storage.KV, reopen func() *Store) {
		st := New(kv)
		g := datasync.GroupID{7}
		m1 := datasync.Message{GroupID: g, Timestamp: 1, Body: []byte("one")}
		m2 := datasync.Message{GroupID: g, Timestamp: -2, Body: nil}
		c := datasync.Changes{Epoch: 9, EpochChanged: true, PutMessages: []datasync.Message{m1, m2}}
		from := peerID(3)
		if err := st.ApplyReady(c, []datasync.Delivery{{From: from, Message: m1}, {From: from, Message: m2}}); err != nil {
			t.Fatal(err)
		}
		st = reopen()
		got, err := st.Pending()
		if err != nil {
			t.Fatal(err)
		}
		var msgs []datasync.Message
		for _, d := range got {
			if d.From != from {
				t.Fatalf("pending sender %s, want %s", d.From, from)
			}
			msgs = append(msgs, d.Message)
		}
		if len(got) != 2 || canonical(datasync.Snapshot{Messages: msgs}) != canonical(datasync.Snapshot{Messages: []datasync.Message{m1, m2}}) {
			t.Fatalf("pending = %v", got)
		}
		if err := st.Delivered([]datasync.MessageID{m1.ID()}); err != nil {
			t.Fatal(err)
		}
		st = reopen()
		if got, _ = st.Pending(); len(got) != 1 || got[0].ID() != m2.ID() {
			t.Fatalf("pending after Delivered = %v", got)
		}
		snap, err := st.Load()
		if err != nil || snap.Epoch != 9 || len(snap.Messages) != 2 {
			t.Fatalf("Load = %+v, %v", snap, err)
		}
		// Releasing a message clears its pending mark in the same batch.
		rel := datasync.Released{ID: m2.ID(), At: 1565000000}
		if err := st.ApplyReady(datasync.Changes{ReleaseMessages: []datasync.Released{rel}}, nil); err != nil {
			t.Fatal(err)
		}
		st = reopen()
		if got, err = st.Pending(); err != nil || len(got) != 0 {
			t.Fatalf("pending after release = %v, %v", got, err)
		}
		snap, err = st.Load()
		if err != nil || len(snap.Messages) != 1 || len(snap.Released) != 1 || snap.Released[0] != rel {
			t.Fatalf("Load after release = %+v, %v", snap, err)
		}
		// Forgetting it deletes its row.
		if err := st.ApplyReady(datasync.Changes{ForgetMessages: []datasync.MessageID{m2.ID()}}, nil); err != nil {
			t.Fatal(err)
		}
		st = reopen()
		snap, err = st.Load()
		if err != nil || len(snap.Messages) != 1 || len(snap.Released) != 0 {
			t.Fatalf("Load after forgetting = %+v, %v", snap, err)
		}
	})
}

func TestCorruptEntries(t *testing.T) {
	m := datasync.Message{GroupID: datasync.GroupID{1}, Timestamp: 5, Body: []byte("x")}
	id := m.ID()
	bad := map[string][2][]byte{
		"epoch":         {epochKey, {1, 2, 3}},
		"record value":  {recordKey(datasync.RecordKey{Message: id, Peer: peerID(1)}), {2}},
		"record key":    {[]byte("rshort"), make([]byte, recordValueLen)},
		"message hash":  {messageKey(id), encodeMessage(datasync.Message{GroupID: m.GroupID, Timestamp: 6, Body: m.Body})},
		"message short": {messageKey(id), {1}},
		"released, v1":  {messageKey(id), {}}, // a version-1 row Migrate did not stamp
		"member key":    {[]byte("gshort"), nil},
	}
	for name, kvp := range bad {
		t.Run(name, func(t *testing.T) {
			backends(t, func(t *testing.T, kv storage.KV, _ func() *Store) {
				if err := kv.Put(kvp[0], kvp[1]); err != nil {
					t.Fatal(err)
				}
				if _, err := New(kv).Load(); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Load = %v, want ErrCorrupt", err)
				}
			})
		})
	}
	t.Run("pending without message", func(t *testing.T) {
		kv := storage.NewMemory()
		if err := kv.Put(pendingKey(id), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := New(kv).Pending(); !errors.Is(err, ErrUnknownPending) {
			t.Fatalf("Pending = %v, want ErrUnknownPending", err)
		}
	})
}

func TestClosedStore(t *testing.T) {
	db := storage.NewMemory()
	st := New(db)
	db.Close()
	c := datasync.Changes{Epoch: 1, EpochChanged: true}
	if err := st.Apply(c); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Apply on closed store = %v", err)
	}
	if _, err := st.Load(); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Load on closed store = %v", err)
	}
}
