package sessions

import (
	"errors"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
)

// FuzzHandleMessage drives the receive path of an established session with
// arbitrary bytes (seeded with real messages: X3DH, DR, DH-only, bundle):
// it never panics, every error wraps a package sentinel, and a failed
// message leaves the store unchanged.
func FuzzHandleMessage(f *testing.F) {
	be := backends()[0]
	w, a1, _, b1 := setup(f, be, 5)
	w.send(a1, b1)
	w.send(b1, a1)
	w.drain()
	for _, p := range [][]byte{[]byte("one"), []byte("two")} {
		out, err := a1.m.SendDirect(w.c.tick(), w.r, b1.pub(), p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out[0].Payload)
	}
	dh, err := a1.m.SendDH(w.c.tick(), w.r, b1.pub(), []byte("dh"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(dh.Payload)
	bm, _ := a1.m.BundleMessage(w.c.tick(), w.r)
	f.Add(bm)
	sentinels := []error{encryption.ErrNotProtocolMessage, encryption.ErrMalformed, encryption.ErrInvalidKey,
		encryption.ErrInvalidBundleSignature, encryption.ErrBundleIdentity, encryption.ErrDeviceNotFound,
		encryption.ErrNotPairedDevice, encryption.ErrPrivateBundleNotFound, encryption.ErrSessionNotFound,
		encryption.ErrSessionExpired, encryption.ErrTooManySkipped, encryption.ErrDecrypt}
	f.Fuzz(func(t *testing.T, raw []byte) {
		before := snapshot(t, b1.db)
		_, err := b1.m.HandleMessage(w.c.tick(), w.r, a1.pub(), raw)
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
		if !sameSnapshot(before, snapshot(t, b1.db)) {
			t.Fatalf("store changed after error %v", err)
		}
	})
}
