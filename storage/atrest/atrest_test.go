package atrest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang/snappy"
	lstorage "github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/statusnode/statusd/storage"
)

func testKey(t *testing.T, b byte) Key {
	t.Helper()
	var k Key
	for i := range k {
		k[i] = b
	}
	return k
}

// grepDir fails the test if any file under dir contains one of the
// secrets, as written or snappy-compressed (goleveldb's block compression).
func grepDir(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			for _, form := range [][]byte{[]byte(s), snappy.Encode(nil, []byte(s))} {
				if bytes.Contains(data, form) {
					t.Errorf("%s holds %q", p, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no files to search")
	}
}

func fillDB(t *testing.T, kv storage.KV, n int) map[string]string {
	t.Helper()
	want := make(map[string]string)
	var b storage.Batch
	for i := range n {
		k, v := fmt.Sprintf("chat:secret-chat-name:%06d", i), fmt.Sprintf("the secret text number %d %s", i, strings.Repeat("x", 200))
		b.Put([]byte(k), []byte(v))
		want[k] = v
	}
	if err := kv.Write(&b); err != nil {
		t.Fatal(err)
	}
	return want
}

func checkDB(t *testing.T, kv storage.KV, want map[string]string) {
	t.Helper()
	got := 0
	err := kv.Iterate(nil, nil, func(k, v []byte) error {
		got++
		if want[string(k)] != string(v) {
			return fmt.Errorf("%q = %q", k, v)
		}
		return nil
	})
	if err != nil || got != len(want) {
		t.Fatalf("read back %d of %d: %v", got, len(want), err)
	}
}

// TestNothingReadableAtRest: after writes large enough to reach the
// journal, tables and manifest, no file holds a key or value in the clear;
// the database reopens under its key and refuses another.
func TestNothingReadableAtRest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, res, err := Open(dir, testKey(t, 1))
	if err != nil || res.Migrated != 0 {
		t.Fatalf("open: %v %+v", err, res)
	}
	want := fillDB(t, db, 20000) // > the 4 MiB write buffer: tables are written
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	grepDir(t, dir, "secret-chat-name", "the secret text", "chat:")
	db, _, err = Open(dir, testKey(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	checkDB(t, db, want)
	db.Close()
	if _, _, err := Open(dir, testKey(t, 2)); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("another key: %v, want ErrWrongKey", err)
	}
}

// TestMigratePlaintext: a database written by earlier statusd (plain
// goleveldb), here the messenger table fixture of the current format, is
// encrypted in place on first open with every record kept.
func TestMigratePlaintext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	plain, err := storage.OpenLevelDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../messengerstore/testdata/v0-messenger-table.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := storage.LoadDump(f, plain); err != nil {
		t.Fatal(err)
	}
	want := fillDB(t, plain, 100)
	if err := plain.Iterate(nil, nil, func(k, v []byte) error { want[string(k)] = string(v); return nil }); err != nil {
		t.Fatal(err)
	}
	plain.Close()

	db, res, err := Open(dir, testKey(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	if res.Migrated != len(want) {
		t.Fatalf("migrated %d, want %d", res.Migrated, len(want))
	}
	checkDB(t, db, want)
	db.Close()
	grepDir(t, dir, "secret-chat-name", "the secret text")
	if exists(dir+suffixNew) || exists(dir+suffixPlain) {
		t.Fatal("migration left a directory behind")
	}
	db, res, err = Open(dir, testKey(t, 3))
	if err != nil || res.Migrated != 0 {
		t.Fatalf("second open: %v %+v", err, res)
	}
	checkDB(t, db, want)
	db.Close()
}

// TestMigrationCrash: whichever step a crash interrupts, the next Open
// ends with every record, encrypted.
func TestMigrationCrash(t *testing.T) {
	for _, step := range []string{"copying", "between renames", "before cleanup"} {
		t.Run(step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "db")
			plain, err := storage.OpenLevelDB(dir)
			if err != nil {
				t.Fatal(err)
			}
			want := fillDB(t, plain, 500)
			plain.Close()
			key := testKey(t, 4)
			// Build the state the crash left.
			switch step {
			case "copying": // a partial encrypted copy beside the old database
				part, err := openEncrypted(dir+suffixNew, key)
				if err != nil {
					t.Fatal(err)
				}
				part.Put([]byte("partial"), []byte("x"))
				part.Close()
			case "between renames", "before cleanup":
				if _, err := migrate(dir, key); err != nil {
					t.Fatal(err)
				}
				// undo the last steps of migrate to the crash point
				must(t, os.Rename(dir, dir+suffixNew))
				p, err := storage.OpenLevelDB(dir + suffixPlain)
				if err != nil {
					t.Fatal(err)
				}
				fillDB(t, p, 500)
				p.Close()
				if step == "before cleanup" {
					must(t, os.Rename(dir+suffixNew, dir))
				}
			}
			db, res, err := Open(dir, key)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Recovered {
				t.Error("not reported as recovered")
			}
			checkDB(t, db, want)
			db.Close()
			grepDir(t, filepath.Dir(dir), "secret-chat-name", "the secret text")
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReaderOffsets: reads at any offset and through Seek decrypt to what
// was written, across cipher-block boundaries.
func TestReaderOffsets(t *testing.T) {
	s, err := Wrap(lstorage.NewMemStorage(), testKey(t, 5))
	if err != nil {
		t.Fatal(err)
	}
	content := make([]byte, 5000)
	rand.Read(content)
	fd := lstorage.FileDesc{Type: lstorage.TypeTable, Num: 1}
	w, err := s.Create(fd)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(content); off += 333 { // odd-sized writes
		w.Write(content[off:min(off+333, len(content))])
	}
	w.Close()
	r, err := s.Open(fd)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, c := range []struct{ off, n int }{{0, 10}, {15, 2}, {16, 16}, {17, 100}, {4095, 905}, {4999, 1}} {
		got := make([]byte, c.n)
		if _, err := r.ReadAt(got, int64(c.off)); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		if !bytes.Equal(got, content[c.off:c.off+c.n]) {
			t.Fatalf("ReadAt(%d, %d) differs", c.off, c.n)
		}
	}
	if _, err := r.Seek(1234, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(rest, content[1234:]) {
		t.Fatalf("Seek+ReadAll: %v", err)
	}
	if end, _ := r.Seek(0, io.SeekEnd); end != int64(len(content)) {
		t.Fatalf("end %d, want %d", end, len(content))
	}
}

// TestSyncDuringWrites: Sync of an encrypted database fsyncs its journal
// while writes go on (run with -race), and what was written reads back
// after a reopen.
func TestSyncDuringWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, _, err := Open(dir, testKey(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for i := range 3000 {
			if err := db.Put(fmt.Appendf(nil, "k%05d", i), make([]byte, 1024)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	syncs := 0
	for writing := true; writing; syncs++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			writing = false
		default:
		}
		if err := db.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if calls, fsyncs := db.SyncStats(); calls != uint64(syncs) || fsyncs != calls {
		t.Fatalf("SyncStats %d calls, %d fsyncs; want %d of each", calls, fsyncs, syncs)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, _, err = Open(dir, testKey(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ok, err := db.Has([]byte("k02999")); !ok || err != nil {
		t.Fatalf("last write after reopen: %v %v", ok, err)
	}
}
