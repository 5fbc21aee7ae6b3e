package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
)

// TestFullDiskRecovers: on a full disk writes fail with the system's error
// and Health says unhealthy (reported once); once space is freed, within
// seconds and without reopening by hand, writes work again, Health is nil,
// and everything acknowledged before is still there.
func TestFullDiskRecovers(t *testing.T) {
	disk := testutil.SmallDisk(t, 16<<20)
	db, err := OpenLevelDB(filepath.Join(disk, "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var mu sync.Mutex
	var reports []error
	db.OnHealth(func(err error) { mu.Lock(); reports = append(reports, err); mu.Unlock() })

	for i := range 100 {
		if err := db.Put(fmt.Appendf(nil, "before%03d", i), []byte("kept")); err != nil {
			t.Fatal(err)
		}
	}
	filler := testutil.FillDisk(t, disk)
	var werr error
	acked := 0
	for i := 0; i < 100000 && werr == nil; i++ {
		if werr = db.Put(fmt.Appendf(nil, "fill%06d", i), make([]byte, 512)); werr == nil {
			acked++
		}
	}
	if werr == nil || !errors.Is(db.Health(), ErrUnhealthy) {
		t.Fatalf("write error %v, health %v", werr, db.Health())
	}
	if err := db.Put([]byte("during"), []byte("x")); !errors.Is(err, ErrUnhealthy) {
		t.Fatalf("write while full: %v", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "healthy again", func() bool { return db.Health() == nil })
	if err := db.Put([]byte("after"), []byte("x")); err != nil {
		t.Fatalf("write after space is back: %v", err)
	}
	for i := range 100 {
		if v, err := db.Get(fmt.Appendf(nil, "before%03d", i)); err != nil || string(v) != "kept" {
			t.Fatalf("before%03d: %q %v", i, v, err)
		}
	}
	for i := range acked {
		if ok, err := db.Has(fmt.Appendf(nil, "fill%06d", i)); !ok || err != nil {
			t.Fatalf("acknowledged fill%06d lost: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 || reports[0] == nil || reports[1] != nil {
		t.Fatalf("health reports %v, want one failure then one recovery", reports)
	}
}
