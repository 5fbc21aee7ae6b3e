package storage

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// backends runs fn against every Store implementation; every store test
// goes through it so both backends keep the same semantics.
func backends(t *testing.T, fn func(t *testing.T, open func() Store)) {
	t.Run("memory", func(t *testing.T) {
		m := NewMemory()
		fn(t, func() Store { return m })
	})
	t.Run("leveldb", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		var cur *LevelDB
		fn(t, func() Store {
			if cur != nil {
				cur.Close()
			}
			db, err := OpenLevelDB(dir)
			if err != nil {
				t.Fatal(err)
			}
			cur = db
			return db
		})
		if cur != nil {
			cur.Close()
		}
	})
}

func TestGetPutDelete(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		if _, err := s.Get([]byte("k")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get missing: %v", err)
		}
		if err := s.Put([]byte("k"), []byte("v")); err != nil {
			t.Fatal(err)
		}
		v, err := s.Get([]byte("k"))
		if err != nil || string(v) != "v" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		v[0] = 'x' // returned slice is the caller's
		if v2, _ := s.Get([]byte("k")); string(v2) != "v" {
			t.Fatal("returned slice aliases the store")
		}
		if ok, _ := s.Has([]byte("k")); !ok {
			t.Fatal("Has = false")
		}
		if err := s.Delete([]byte("k")); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete([]byte("k")); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
		if ok, _ := s.Has([]byte("k")); ok {
			t.Fatal("Has after delete")
		}
	})
}

func TestBatchIterateAndReopen(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		var b Batch
		for i := 0; i < 10; i++ {
			b.Put([]byte(fmt.Sprintf("a:%02d", i)), []byte{byte(i)})
		}
		b.Put([]byte("b:1"), []byte("other"))
		b.Delete([]byte("a:05"))
		if err := s.Write(&b); err != nil {
			t.Fatal(err)
		}
		s = open() // leveldb: closed and reopened; data survives
		var keys []string
		err := s.Iterate([]byte("a:"), []byte("a:03"), func(k, v []byte) error {
			keys = append(keys, string(k))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := "[a:03 a:04 a:06 a:07 a:08 a:09]"
		if fmt.Sprint(keys) != want {
			t.Fatalf("keys = %v, want %v", keys, want)
		}
		stop := errors.New("stop")
		n := 0
		if err := s.Iterate(nil, nil, func(_, _ []byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("early stop: n=%d err=%v", n, err)
		}
	})
}

func TestTable(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		a, b := NewTable(s, "a"), NewTable(s, "b")
		a.Put([]byte("k"), []byte("1"))
		b.Put([]byte("k"), []byte("2"))
		var batch Batch
		batch.Put([]byte("j"), []byte("3"))
		if err := a.Write(&batch); err != nil {
			t.Fatal(err)
		}
		if v, _ := a.Get([]byte("k")); string(v) != "1" {
			t.Fatalf("table a = %q", v)
		}
		if v, _ := s.Get([]byte("b:k")); string(v) != "2" {
			t.Fatalf("raw b:k = %q", v)
		}
		var seen []string
		a.Iterate(nil, nil, func(k, v []byte) error { seen = append(seen, string(k)+"="+string(v)); return nil })
		if fmt.Sprint(seen) != "[j=3 k=1]" {
			t.Fatalf("table iterate = %v", seen)
		}
	})
}

// A batch written through a table, and through a table inside a table,
// puts and deletes the prefixed keys and nothing else, on every backend
// (LevelDB writes it without a prefixed copy).
func TestTableBatchNested(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		outer := NewTable(s, "o")
		inner := NewTable(outer, "i")
		s.Put([]byte("o:i:gone"), []byte("x"))
		s.Put([]byte("gone"), []byte("raw"))
		var batch Batch
		batch.Put([]byte("k1"), []byte("v1"))
		batch.Delete([]byte("gone"))
		batch.Put([]byte("k2"), []byte("v2"))
		if err := inner.Write(&batch); err != nil {
			t.Fatal(err)
		}
		batch.Reset()
		batch.Put([]byte("k3"), []byte("v3"))
		if err := outer.Write(&batch); err != nil {
			t.Fatal(err)
		}
		var seen []string
		s.Iterate(nil, nil, func(k, v []byte) error { seen = append(seen, string(k)+"="+string(v)); return nil })
		if fmt.Sprint(seen) != "[gone=raw o:i:k1=v1 o:i:k2=v2 o:k3=v3]" {
			t.Fatalf("keys after the batches: %v", seen)
		}
	})
}

func TestClosed(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second close: %v", err)
		}
		if _, err := s.Get([]byte("k")); !errors.Is(err, ErrClosed) {
			t.Fatalf("Get after close: %v", err)
		}
		if err := s.Put([]byte("k"), nil); !errors.Is(err, ErrClosed) {
			t.Fatalf("Put after close: %v", err)
		}
	})
}

func TestMigrate(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		// New empty database: stamped at the target, no migration run.
		ran := 0
		ms := []Migration{
			{From: 1, Apply: func(kv KV, b *Batch) error { ran++; b.Put([]byte("m:2"), []byte("x")); return nil }},
			{From: 2, Apply: func(kv KV, b *Batch) error { ran++; return nil }},
		}
		if before, err := Migrate(s, 1, ms); err != nil || before != 0 {
			t.Fatalf("stamp: before=%d err=%v", before, err)
		}
		if v, ok, _ := ReadFormat(s); !ok || v != 1 || ran != 0 {
			t.Fatalf("after stamp: v=%d ok=%v ran=%d", v, ok, ran)
		}
		s.Put([]byte("data"), []byte("1"))
		s = open()
		if before, err := Migrate(s, 3, ms); err != nil || before != 1 || ran != 2 {
			t.Fatalf("upgrade: before=%d err=%v ran=%d", before, err, ran)
		}
		if ok, _ := s.Has([]byte("m:2")); !ok {
			t.Fatal("migration writes not committed")
		}
		if _, err := Migrate(s, 2, ms); !errors.Is(err, ErrTooNew) {
			t.Fatalf("downgrade: %v", err)
		}
		if _, err := Migrate(s, 5, ms); err == nil {
			t.Fatal("missing migration not reported")
		}
	})
}

func TestMigrateFailureKeepsVersion(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		Migrate(s, 1, nil)
		boom := errors.New("boom")
		_, err := Migrate(s, 2, []Migration{{From: 1, Apply: func(kv KV, b *Batch) error {
			b.Put([]byte("half"), []byte("x"))
			return boom
		}}})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if v, _, _ := ReadFormat(s); v != 1 {
			t.Fatalf("version moved to %d after a failed migration", v)
		}
		if ok, _ := s.Has([]byte("half")); ok {
			t.Fatal("a failed migration's writes were committed")
		}
	})
}

// Each reports a batch's operations in order, removals as such.
func TestBatchEach(t *testing.T) {
	var b Batch
	b.Put([]byte("a"), []byte("1"))
	b.Delete([]byte("b"))
	b.Put([]byte("a"), []byte("2"))
	var got []string
	b.Each(func(k, v []byte, deleted bool) { got = append(got, fmt.Sprintf("%s=%s/%v", k, v, deleted)) })
	if want := []string{"a=1/false", "b=/true", "a=2/false"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Each: %q, want %q", got, want)
	}
}

// A batch keeps copies: the caller may reuse its slices, a copy cannot be
// grown into the next, nil and empty values stay as given, and values
// larger than a chunk, many operations and Reset keep every copy intact,
// with chunks no larger than maxBatchChunk.
func TestBatchCopies(t *testing.T) {
	var b Batch
	key, value := []byte("k0"), []byte("v0")
	b.Put(key, value)
	key[1], value[1] = 'X', 'X'
	b.Put([]byte("nil"), nil)
	b.Put([]byte("empty"), []byte{})
	big := bytes.Repeat([]byte{'b'}, 3*minBatchChunk)
	b.Put([]byte("big"), big)
	for i := range 200 {
		b.Put(fmt.Appendf(nil, "key-%03d", i), fmt.Appendf(nil, "value-%03d", i))
	}
	keys := b.Keys()
	_ = append(keys[0], "clobber"...) // capped: reallocates, the next copy stays
	var got []string
	b.Each(func(k, v []byte, _ bool) { got = append(got, fmt.Sprintf("%s=%s/%v", k, v, v == nil)) })
	if got[0] != "k0=v0/false" || got[1] != "nil=/true" || got[2] != "empty=/false" {
		t.Fatalf("first copies: %q", got[:3])
	}
	if got[3] != "big="+string(big)+"/false" {
		t.Fatal("big value changed")
	}
	for i := range 200 {
		if want := fmt.Sprintf("key-%03d=value-%03d/false", i, i); got[4+i] != want {
			t.Fatalf("op %d: %q, want %q", 4+i, got[4+i], want)
		}
	}
	// A value larger than a quarter chunk has its own copy; the chunks stay
	// bounded.
	huge := bytes.Repeat([]byte{'h'}, 4*maxBatchChunk)
	b.Put([]byte("huge"), huge)
	b.Put([]byte("small"), []byte("after"))
	if cap(b.buf) > maxBatchChunk {
		t.Fatalf("chunk of %d bytes after a %d-byte value", cap(b.buf), len(huge))
	}
	last := b.ops[len(b.ops)-2:]
	if !bytes.Equal(last[0].value, huge) || string(last[1].value) != "after" {
		t.Fatal("huge or small value changed")
	}
	b.Reset()
	b.Put([]byte("a"), []byte("1"))
	b.Delete([]byte("b"))
	got = got[:0]
	b.Each(func(k, v []byte, deleted bool) { got = append(got, fmt.Sprintf("%s=%s/%v", k, v, deleted)) })
	if want := []string{"a=1/false", "b=/true"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after Reset: %q, want %q", got, want)
	}
}

// Pooled goleveldb batches carry nothing from one write into the next, and
// a write too large for the pool goes through whole.
func TestLevelDBPooledBatches(t *testing.T) {
	db := tempLevelDB(t)
	tb := NewTable(db, "t")
	for i := range 50 {
		var b Batch
		b.Put(fmt.Appendf(nil, "k%02d", i), fmt.Appendf(nil, "v%02d", i))
		if i > 0 {
			b.Delete(fmt.Appendf(nil, "k%02d", i-1))
		}
		if err := tb.Write(&b); err != nil {
			t.Fatal(err)
		}
	}
	// A batch reused without its Reset would write "a" back to 1.
	var first, second Batch
	first.Put([]byte("a"), []byte("1"))
	second.Put([]byte("b"), []byte("1"))
	if err := tb.Write(&first); err != nil {
		t.Fatal(err)
	}
	if err := tb.Put([]byte("a"), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := tb.Write(&second); err != nil {
		t.Fatal(err)
	}
	if v, err := tb.Get([]byte("a")); err != nil || string(v) != "2" {
		t.Fatalf("a = %q, %v after a later batch; want 2", v, err)
	}
	var large Batch
	for i := range 100 {
		large.Put(fmt.Appendf(nil, "large%03d", i), bytes.Repeat([]byte{byte(i)}, 1<<10))
	}
	if err := tb.Write(&large); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := tb.Iterate([]byte("k"), nil, func(k, v []byte) error {
		got = append(got, string(k)+"="+string(v))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[k49=v49]" {
		t.Fatalf("keys after 50 writes: %q", got)
	}
	n := 0
	if err := tb.Iterate([]byte("large"), nil, func(k, v []byte) error {
		if len(v) != 1<<10 || v[0] != byte(n) {
			return fmt.Errorf("%s: %d bytes of %d", k, len(v), v[0])
		}
		n++
		return nil
	}); err != nil || n != 100 {
		t.Fatalf("large write: %d keys, %v", n, err)
	}
}

// BenchmarkTableWrite: one write of a message's records through a Table
// over LevelDB (eight puts and a delete, keys of 33 to 140 bytes, values
// of 16 to 300), the shape of the messenger's store write of a message.
func BenchmarkTableWrite(b *testing.B) {
	db := tempLevelDB(b)
	tb := NewTable(db, "messenger")
	chat := bytes.Repeat([]byte{'c'}, 132)
	value := bytes.Repeat([]byte{'v'}, 300)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		id := fmt.Appendf(nil, "0x%064x", i)
		var wb Batch
		wb.Put(append([]byte{'m'}, id...), value)
		wb.Put(append(append([]byte{'i'}, chat...), id[:8]...), nil)
		wb.Put(append([]byte{'c'}, chat...), value[:120])
		wb.Put(append([]byte{'d'}, id...), value[:40])
		wb.Put(append([]byte{'x'}, id[:32]...), id)
		wb.Put(append([]byte{'o'}, id...), value)
		wb.Put(append([]byte{'t'}, id...), nil)
		wb.Put(append([]byte{'d'}, id...), value[:16])
		wb.Delete(append([]byte{'o'}, id...))
		if err := tb.Write(&wb); err != nil {
			b.Fatal(err)
		}
	}
}

// tempLevelDB opens a LevelDB in a fresh temporary directory, closed when
// the test ends.
func tempLevelDB(tb testing.TB) *LevelDB {
	tb.Helper()
	db, err := OpenLevelDB(filepath.Join(tb.TempDir(), "db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
