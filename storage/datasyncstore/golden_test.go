package datasyncstore

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
)

var update = flag.Bool("update", false, "write testdata/golden/v<Version>.txt if it does not exist yet")

// fixedState is one row of every kind. Its encoding at Version is
// testdata/golden/v<Version>.txt; every older golden file must migrate and
// load to it, less what its version could not hold (goldenWant).
func fixedState() (datasync.Changes, []datasync.Delivery) {
	g := datasync.GroupID{0xaa, 0x01}
	kept := datasync.Message{GroupID: g, Timestamp: 1565000000, Body: []byte("golden \x00 body")}
	gone := datasync.Message{GroupID: g, Timestamp: 1565000001, Body: []byte("released")}
	c := datasync.Changes{
		Epoch: 42, EpochChanged: true,
		PutRecords: []datasync.RecordEntry{{
			Key:    datasync.RecordKey{Message: kept.ID(), Peer: peerID(1)},
			Record: datasync.Record{Type: datasync.RecordMessage, SendCount: 3, SendEpoch: 47},
		}},
		PutMessages:     []datasync.Message{kept, gone},
		ReleaseMessages: []datasync.Released{{ID: gone.ID(), At: 1565000100}},
		AddMembers:      []datasync.Membership{{Group: g, Peer: peerID(1)}},
	}
	return c, []datasync.Delivery{{From: peerID(2), Message: kept}}
}

// upgradedAt is the time TestGolden migrates the older files at.
var upgradedAt = time.Unix(1570000000, 0)

// goldenWant is what a table of version v loads as once migrated at
// upgradedAt.
func goldenWant(v uint32) datasync.Snapshot {
	c, _ := fixedState()
	snap := datasync.Snapshot{Epoch: c.Epoch, Records: c.PutRecords, Members: c.AddMembers,
		Messages: c.PutMessages[:1], Released: c.ReleaseMessages}
	switch {
	case v < 1:
		snap.Messages, snap.Released = c.PutMessages, nil // no released rows yet
	case v < 2: // released rows without a time: the upgrade's
		snap.Released = []datasync.Released{{ID: c.ReleaseMessages[0].ID, At: upgradedAt.Unix()}}
	}
	return snap
}

func goldenPath(v uint32) string {
	return filepath.Join("testdata", "golden", fmt.Sprintf("v%d.txt", v))
}

func encodeFixed(t *testing.T) []byte {
	t.Helper()
	kv := storage.NewMemory()
	st := New(kv)
	if _, err := st.Migrate(upgradedAt); err != nil {
		t.Fatal(err)
	}
	c, dels := fixedState()
	if err := st.ApplyReady(datasync.Changes{PutMessages: c.PutMessages}, dels); err != nil {
		t.Fatal(err)
	}
	c.PutMessages = nil
	if err := st.ApplyReady(c, nil); err != nil {
		t.Fatal(err)
	}
	// The pending mark of the kept message survives: deliver it again.
	if err := st.ApplyReady(datasync.Changes{}, dels); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err := storage.WriteDump(&buf, kv, nil,
		fmt.Sprintf("datasyncstore format %d: one row of every kind (golden_test.go).", Version),
		"Never edit or regenerate: a new format gets a new file (doc.go).")
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGolden: the fixed state encodes to the golden file of Version, and
// every golden file migrates to Version and loads as the fixed state.
func TestGolden(t *testing.T) {
	got := encodeFixed(t)
	path := goldenPath(Version)
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		want = got
	} else if err != nil {
		t.Fatalf("%v (a new format version writes its golden file with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the fixed state no longer encodes to %s: a row's format changed without a new "+
			"version and migration (doc.go).\ngot:\n%s", path, got)
	}
	for v := uint32(0); v <= Version; v++ {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			backends(t, func(t *testing.T, kv storage.KV, _ func() *Store) {
				f, err := os.Open(goldenPath(v))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := storage.LoadDump(f, kv); err != nil {
					t.Fatal(err)
				}
				st := New(kv)
				if before, err := st.Migrate(upgradedAt); err != nil || before != v {
					t.Fatalf("Migrate = %d, %v; want from %d", before, err, v)
				}
				if now, _, err := storage.ReadFormat(kv); err != nil || now != Version {
					t.Fatalf("version after Migrate = %d, %v", now, err)
				}
				snap, err := st.Load()
				if err != nil {
					t.Fatal(err)
				}
				if canonical(snap) != canonical(goldenWant(v)) {
					t.Fatalf("loaded %s\nwant %s", canonical(snap), canonical(goldenWant(v)))
				}
				pend, err := st.Pending()
				if err != nil || len(pend) != 1 || pend[0].From != peerID(2) {
					t.Fatalf("Pending = %v, %v", pend, err)
				}
			})
		})
	}
}
