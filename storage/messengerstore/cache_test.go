package messengerstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/statusnode/statusd/storage"
)

// countingKV counts Gets and can fail Writes after applying them (a write
// whose outcome the caller cannot know).
type countingKV struct {
	storage.KV
	gets      int
	failWrite bool
}

func (k *countingKV) Get(key []byte) ([]byte, error) { k.gets++; return k.KV.Get(key) }

func (k *countingKV) Write(b *storage.Batch) error {
	if err := k.KV.Write(b); err != nil {
		return err
	}
	if k.failWrite {
		return errors.New("write failed after reaching the database")
	}
	return nil
}

func delivery(id string, st DeliveryState) *Delivery {
	return &Delivery{MessageID: id, ChatID: "0x04chat", State: st, Recipients: map[string]bool{"0x04peer": st == DeliveryAcked}}
}

func cacheStore(t *testing.T, max int) (*Store, *countingKV) {
	t.Helper()
	kv := &countingKV{KV: storage.NewMemory()}
	s := New(kv)
	if _, err := s.Migrate(); err != nil {
		t.Fatal(err)
	}
	s.cache = newRecordCache(max)
	kv.gets = 0
	return s, kv
}

func wantState(t *testing.T, s *Store, id string, want DeliveryState) {
	t.Helper()
	d, err := s.Delivery(id)
	if err != nil || d == nil || d.State != want {
		t.Fatalf("Delivery(%s) = %+v, %v; want state %v", id, d, err, want)
	}
}

// The delivery records and MVDS mappings a Store wrote are read back
// without a database look-up; other records are read from the database.
func TestRecordCacheServesWrites(t *testing.T) {
	s, kv := cacheStore(t, 16)
	var b storage.Batch
	PutDelivery(&b, delivery("m1", DeliveryQueued))
	PutMessage(&b, &Message{ID: "m1", ChatID: "0x04chat", Clock: 1, Outgoing: true})
	must(t, s.Write(&b))
	var mvdsID [32]byte
	mvdsID[0] = 7
	must(t, s.PutMVDS(mvdsID, "m1"))

	wantState(t, s, "m1", DeliveryQueued)
	if id, ok, err := s.StatusID(mvdsID); err != nil || !ok || id != "m1" {
		t.Fatalf("StatusID = %q, %v, %v", id, ok, err)
	}
	if kv.gets != 0 {
		t.Fatalf("%d database reads for records the store wrote, want 0", kv.gets)
	}
	if m, err := s.Message("m1"); err != nil || m == nil {
		t.Fatalf("Message: %v, %v", m, err)
	}
	if kv.gets != 1 {
		t.Fatalf("%d database reads after reading a message record, want 1", kv.gets)
	}

	b.Reset()
	PutDelivery(&b, delivery("m1", DeliveryAcked))
	must(t, s.Write(&b))
	wantState(t, s, "m1", DeliveryAcked)
	if kv.gets != 1 {
		t.Fatalf("the rewritten record was read from the database")
	}
}

// A deleted record is not served from memory, and neither is one whose
// write failed: the database, which may hold the new value, is read.
func TestRecordCacheDeleteAndFailedWrite(t *testing.T) {
	s, kv := cacheStore(t, 16)
	var b storage.Batch
	PutDelivery(&b, delivery("m1", DeliveryQueued))
	PutDelivery(&b, delivery("m2", DeliveryQueued))
	must(t, s.Write(&b))

	b.Reset()
	DeleteMessage(&b, "0x04chat", 1, "m1")
	must(t, s.Write(&b))
	if d, err := s.Delivery("m1"); d != nil || err != nil {
		t.Fatalf("deleted delivery record read as %+v, %v", d, err)
	}

	kv.failWrite = true
	b.Reset()
	PutDelivery(&b, delivery("m2", DeliverySent))
	if err := s.Write(&b); err == nil {
		t.Fatal("failing write reported success")
	}
	kv.failWrite = false
	gets := kv.gets
	wantState(t, s, "m2", DeliverySent) // what reached the database
	if kv.gets != gets+1 {
		t.Fatalf("record of a failed write served from memory")
	}

	var mvdsID [32]byte
	must(t, s.PutMVDS(mvdsID, "m2"))
	b.Reset()
	b.Delete(MVDSKey(mvdsID))
	must(t, s.Write(&b))
	if _, ok, err := s.StatusID(mvdsID); ok || err != nil {
		t.Fatalf("deleted mapping found: %v, %v", ok, err)
	}
}

// At most max records are kept, the one written last always among them,
// and the others are read from the database.
func TestRecordCacheBounded(t *testing.T) {
	const max = 8
	s, kv := cacheStore(t, max)
	for i := range 3 * max {
		id := fmt.Sprint("m", i)
		var b storage.Batch
		PutDelivery(&b, delivery(id, DeliveryQueued))
		must(t, s.Write(&b))
		if n := len(s.cache.vals); n > max {
			t.Fatalf("%d records kept, want at most %d", n, max)
		}
		if _, ok := s.cache.get(Key(KindDelivery, id)); !ok {
			t.Fatalf("record %s just written is not kept", id)
		}
	}
	fromDB := 0
	for i := range 3 * max {
		gets := kv.gets
		wantState(t, s, fmt.Sprint("m", i), DeliveryQueued)
		if kv.gets > gets {
			fromDB++
		}
	}
	if fromDB != 2*max {
		t.Fatalf("%d of %d records read from the database, want %d", fromDB, 3*max, 2*max)
	}
}

// Migrate forgets what was kept: its steps write the table directly.
func TestRecordCacheResetByMigrate(t *testing.T) {
	s, kv := cacheStore(t, 16)
	var b storage.Batch
	PutDelivery(&b, delivery("m1", DeliveryQueued))
	must(t, s.Write(&b))
	must(t, kv.KV.Put(Key(KindDelivery, "m1"), EncodeDelivery(delivery("m1", DeliverySent))))
	if _, err := s.Migrate(); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, "m1", DeliverySent)
}

// holdKV applies a Write, then waits on the channel hold returns for it
// (nil: returns at once), as a write the database applied but whose call
// has not returned yet.
type holdKV struct {
	storage.KV
	hold func() <-chan struct{}
}

func (k *holdKV) Write(b *storage.Batch) error {
	if err := k.KV.Write(b); err != nil {
		return err
	}
	if k.hold != nil {
		if ch := k.hold(); ch != nil {
			<-ch
		}
	}
	return nil
}

// Of two overlapping writes of a record, the database keeps the one it
// applied last, which need not be the last to return: the cache keeps
// neither, and the record is read from the database.
func TestRecordCacheOverlappingWrites(t *testing.T) {
	kv := &holdKV{KV: storage.NewMemory()}
	s := New(kv)
	if _, err := s.Migrate(); err != nil {
		t.Fatal(err)
	}
	applied, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	first := true
	kv.hold = func() <-chan struct{} {
		if !first {
			return nil
		}
		first = false
		close(applied)
		return release
	}
	go func() {
		var b storage.Batch
		PutDelivery(&b, delivery("m1", DeliverySent))
		done <- s.Write(&b)
	}()
	<-applied // "sent" is in the database; its Write has not returned
	var b storage.Batch
	PutDelivery(&b, delivery("m1", DeliveryAcked))
	must(t, s.Write(&b)) // "acked" is applied after it, and returns first
	close(release)
	must(t, <-done)
	wantState(t, s, "m1", DeliveryAcked)

	b.Reset()
	PutDelivery(&b, delivery("m1", DeliveryExpired))
	must(t, s.Write(&b))
	if _, ok := s.cache.get(Key(KindDelivery, "m1")); !ok {
		t.Fatal("a write with none overlapping it was not kept")
	}
	wantState(t, s, "m1", DeliveryExpired)
}
