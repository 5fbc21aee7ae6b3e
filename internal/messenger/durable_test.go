package messenger_test

import (
	"testing"

	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/storagetest"
)

// TestSendReturnsDurable: when Send returns, the write that stored the
// message (public and 1:1) is followed by a database sync, so a power
// loss cannot take a message the caller was told is sent.
func TestSendReturnsDurable(t *testing.T) {
	h := newHarness(t)
	rec := storagetest.New(storage.NewMemory())
	alice := h.start(newKey(t), rec)
	bob := h.newNode()
	if _, err := alice.JoinPublic("durable"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	for _, chat := range []string{"durable", bob.PublicKey()} {
		id, err := alice.SendText(ctxT(t), chat, "kept")
		if err != nil {
			t.Fatal(err)
		}
		ops := rec.Ops() // as Send returned
		key := "messenger:m" + id
		stored := -1
		for i, op := range ops {
			for _, k := range op.Keys {
				if string(k) == key && stored < 0 {
					stored = i
				}
			}
		}
		if stored < 0 {
			t.Fatalf("%s: no write of %q", chat, key)
		}
		synced := false
		for _, op := range ops[stored+1:] {
			synced = synced || op.Sync
		}
		if !synced {
			t.Errorf("%s: Send returned before a sync of the message's write", chat)
		}
	}
}
