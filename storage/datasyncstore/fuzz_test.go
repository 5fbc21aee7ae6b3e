package datasyncstore

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
)

// FuzzLoad: a table holding one row, a row of the golden file changed or
// any other, loads without a panic, to a state or to ErrCorrupt; RestartNode
// takes that state or refuses it with an error; and Apply writes it back to
// rows that load to the same state. Pending over the row gives deliveries
// or an error, never a panic.
func FuzzLoad(f *testing.F) {
	raw, err := os.ReadFile(goldenPath(Version))
	if err != nil {
		f.Fatal(err)
	}
	err = storage.ReadDump(bytes.NewReader(raw), func(k, v []byte) error {
		if k = bytes.TrimPrefix(k, []byte(TableName+":")); len(k) > 0 && k[0] != 0 {
			f.Add(k, v)
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{prefixMessage}, []byte{})
	f.Fuzz(func(t *testing.T, key, val []byte) {
		if len(key) == 0 || key[0] == 0 { // the format key is storage.Migrate's
			return
		}
		kv := storage.NewMemory()
		if err := kv.Put(key, val); err != nil {
			t.Fatal(err)
		}
		s := New(kv)
		if _, err := s.Pending(); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownPending) {
			t.Fatalf("Pending: unexpected error %v", err)
		}
		snap, err := s.Load()
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load: error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		_, _ = datasync.RestartNode(datasync.DefaultConfig(peerID(0)), snap)
		c := datasync.Changes{Epoch: snap.Epoch, EpochChanged: snap.Epoch != 0, PutRecords: snap.Records,
			PutMessages: snap.Messages, ReleaseMessages: snap.Released, AddMembers: snap.Members}
		again := New(storage.NewMemory())
		if err := again.Apply(c); err != nil {
			t.Fatalf("Apply of a loaded state: %v", err)
		}
		back, err := again.Load()
		if err != nil {
			t.Fatalf("the state Apply wrote does not load: %v", err)
		}
		if canonical(back) != canonical(snap) {
			t.Fatalf("loaded %s, written back and loaded %s", canonical(snap), canonical(back))
		}
	})
}
