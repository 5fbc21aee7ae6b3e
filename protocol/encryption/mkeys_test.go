package encryption_test

import (
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// opsRecorder is a Store that remembers every op it commits.
type opsRecorder struct {
	*et.MemoryStore
	ops []encryption.Op
}

func (r *opsRecorder) Commit(ops []encryption.Op) error {
	r.ops = append(r.ops, ops...)
	return r.MemoryStore.Commit(ops)
}

// TestInOrderLeavesNoKeyWrites: the message key the ratchet stores for a
// message received in order is deleted in the same operation, so the
// commit writes neither it nor a delete of it (a delete marker per message
// would slow every later walk of the session's key index); a key skipped
// by a gap is still stored, and goes once its message arrives.
func TestInOrderLeavesNoKeyWrites(t *testing.T) {
	rec := &opsRecorder{MemoryStore: et.NewMemoryStore()}
	w, a1, _, b1 := et.Setup(t, 5, func(name string) encryption.Store {
		if name == "bob1" {
			return rec
		}
		return et.NewMemoryStore()
	})
	if b1.Store != encryption.Store(rec) {
		t.Fatalf("bob's store is not the recorder (device %q)", b1.Name)
	}
	w.Send(a1, b1)
	w.Send(b1, a1)
	w.Drain()
	keyOps := func() (n int) {
		for _, op := range rec.ops {
			if op.Kind == encryption.KindMessageKey || op.Kind == encryption.KindMessageKeyIndex {
				n++
			}
		}
		return n
	}
	keys := func() (n int) {
		for _, k := range []encryption.Kind{encryption.KindMessageKey, encryption.KindMessageKeyIndex} {
			if err := rec.Iterate(k, nil, func(_, _ []byte) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	rec.ops = nil
	send := func(text string) []byte {
		out, err := a1.M.SendDirect(w.C.Tick(), w.R, b1.Pub(), []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return out[0].Payload
	}
	receive := func(raw []byte, want string) {
		res, err := b1.M.HandleMessage(w.C.Tick(), w.R, a1.Pub(), raw)
		if err != nil || string(res.Plaintext) != want {
			t.Fatalf("receive %q: %v %q", want, err, res.Plaintext)
		}
	}
	for _, text := range []string{"one", "two", "three"} {
		receive(send(text), text)
	}
	if n := keyOps(); n != 0 {
		t.Fatalf("%d message-key writes for messages received in order, want 0", n)
	}
	late, next := send("late"), send("next")
	receive(next, "next")
	if n := keys(); n != 2 { // the skipped key and its index entry
		t.Fatalf("%d message-key records after a gap, want 2", n)
	}
	receive(late, "late")
	if n := keys(); n != 0 {
		t.Fatalf("%d message-key records once the gap filled, want 0", n)
	}
}
