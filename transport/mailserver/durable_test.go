package mailserver

import (
	"context"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/storagetest"
)

// TestRecordsFollowSync: every covered range and every batch of seen
// hashes the client writes follows a store sync that came after the
// consumer's writes Settle waited for (here a write of a marker key made
// by Settle itself), so a power loss cannot keep the record and lose the
// messages it stands for.
func TestRecordsFollowSync(t *testing.T) {
	rec := storagetest.New(storage.NewTable(storage.NewMemory(), TableName))
	marker := []byte("\xffmessages")
	settle := func(context.Context) error { return rec.Put(marker, nil) }
	x := newSetup(t, nil, func(c *ClientConfig) { c.Store, c.Settle = rec, settle })
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName("status")
	from, to := archive12(t, x, &key, topic)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := x.client.FillGaps(ctx, x.m.self(), []wproto.Topic{topic}, from, to); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "seen hashes stored", func() bool { return seenStored(t, rec) == 12 })
	x.client.tick(&onlineState{}, time.Now()) // the online coverage

	unsynced := false
	var covers, seens int
	for i, op := range rec.Ops() {
		switch {
		case op.Sync:
			unsynced = false
		case hasPrefix(op.Keys, marker):
			unsynced = true
		case hasPrefix(op.Keys, []byte{prefixCovered}) || hasPrefix(op.Keys, []byte{prefixSeen}):
			if unsynced {
				t.Fatalf("op %d records a range or seen hashes before a sync of the messages settled for it", i)
			}
			if hasPrefix(op.Keys, []byte{prefixCovered}) {
				covers++
			} else {
				seens++
			}
		}
	}
	if covers == 0 || seens == 0 {
		t.Fatalf("%d cover and %d seen writes: the test saw nothing recorded", covers, seens)
	}
}

func hasPrefix(keys [][]byte, prefix []byte) bool {
	for _, k := range keys {
		if len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix) {
			return true
		}
	}
	return false
}
