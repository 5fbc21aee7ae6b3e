package encryption_test

import (
	"errors"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// FuzzHandleMessage drives the receive path of an established session with
// arbitrary bytes (seeded with real messages: X3DH, DR, DH-only, bundle):
// it never panics, every error wraps a package sentinel, and a failed
// message commits nothing and leaves the store unchanged.
func FuzzHandleMessage(f *testing.F) {
	w, a1, _, b1 := et.Setup(f, 5, memStores)
	w.Send(a1, b1)
	w.Send(b1, a1)
	w.Drain()
	for _, p := range [][]byte{[]byte("one"), []byte("two")} {
		out, err := a1.M.SendDirect(w.C.Tick(), w.R, b1.Pub(), p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out[0].Payload)
	}
	dh, err := a1.M.SendDH(w.C.Tick(), w.R, b1.Pub(), []byte("dh"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(dh.Payload)
	bm, _ := a1.M.BundleMessage(w.C.Tick(), w.R)
	f.Add(bm)
	sentinels := []error{encryption.ErrNotProtocolMessage, encryption.ErrMalformed, encryption.ErrInvalidKey,
		encryption.ErrInvalidBundleSignature, encryption.ErrBundleIdentity, encryption.ErrDeviceNotFound,
		encryption.ErrNotPairedDevice, encryption.ErrPrivateBundleNotFound, encryption.ErrSessionNotFound,
		encryption.ErrSessionExpired, encryption.ErrTooManySkipped, encryption.ErrDecrypt}
	f.Fuzz(func(t *testing.T, raw []byte) {
		before, commits := memStore(b1).Snapshot(), memStore(b1).Commits()
		_, err := b1.M.HandleMessage(w.C.Tick(), w.R, a1.Pub(), raw)
		if err == nil {
			return
		}
		typed := false
		for _, s := range sentinels {
			typed = typed || errors.Is(err, s)
		}
		if !typed {
			t.Fatalf("untyped error: %v", err)
		}
		if !et.SameSnapshot(before, memStore(b1).Snapshot()) || memStore(b1).Commits() != commits {
			t.Fatalf("store changed after error %v", err)
		}
	})
}
