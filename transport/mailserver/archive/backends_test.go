package archive

import (
	"errors"
	"testing"

	"github.com/syndtr/goleveldb/leveldb"
)

func TestMemory(t *testing.T) {
	runSuite(t, backend{open: func(t *testing.T) Archive {
		a := NewMemory()
		t.Cleanup(func() { a.Close() })
		return a
	}})
}

func openLevelDBAt(t *testing.T, dir string) *LevelDB {
	t.Helper()
	a, err := OpenLevelDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestLevelDB(t *testing.T) {
	runSuite(t, backend{
		open: func(t *testing.T) Archive { return openLevelDBAt(t, t.TempDir()) },
		reopen: func(t *testing.T, a Archive) Archive {
			l := a.(*LevelDB)
			dir := l.dir
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			return openLevelDBAt(t, dir)
		},
	})
}

func TestLevelDBFormatVersion(t *testing.T) {
	dir := t.TempDir()
	db, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Put([]byte{prefixVersion}, []byte{0, 0, 0, 99}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenLevelDB(dir); !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
}
