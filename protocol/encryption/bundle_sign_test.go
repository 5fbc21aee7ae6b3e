package encryption_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// TestBundleSignedOnChange: our bundle is signed again only when its
// prekeys change (a paired installation, a rotated prekey) or it is
// BundleResignInterval old; between, every message carries the same
// signed bundle, which the peer keeps accepting.
func TestBundleSignedOnChange(t *testing.T) {
	r := et.NewRand(17)
	c := et.NewClock()
	key := et.MustKey(t, r)
	a := et.NewDevice(t, "a", key, et.NewMemoryStore())
	a2 := et.NewDevice(t, "a2", key, et.NewMemoryStore())
	b := et.NewDevice(t, "b", et.MustKey(t, r), et.NewMemoryStore())
	send := func(now time.Time) *encryption.Bundle {
		t.Helper()
		out, err := a.M.SendDirect(now, r, b.Pub(), []byte("hi"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.M.HandleMessage(now, r, a.Pub(), out[0].Payload); err != nil {
			t.Fatalf("b handles: %v", err)
		}
		return out[0].Message.Bundles[0]
	}
	same := func(x, y *encryption.Bundle) bool {
		return x.Timestamp == y.Timestamp && bytes.Equal(x.Signature, y.Signature)
	}

	first := send(c.Tick())
	if got := send(c.Tick()); !same(got, first) {
		t.Fatal("unchanged bundle signed again a second later")
	}
	c.Now = c.Now.Add(encryption.BundleResignInterval - 3*time.Second)
	if got := send(c.Tick()); !same(got, first) {
		t.Fatal("unchanged bundle signed again before BundleResignInterval")
	}
	c.Now = c.Now.Add(time.Second)
	resigned := send(c.Tick())
	if same(resigned, first) || resigned.Timestamp != c.Now.UnixNano() {
		t.Fatalf("bundle of %v not signed again after BundleResignInterval", time.Unix(0, first.Timestamp))
	}

	et.Pair(t, c, r, a, a2)
	paired := send(c.Tick())
	if same(paired, resigned) || len(paired.SignedPreKeys) != 2 {
		t.Fatalf("bundle after pairing: %d prekeys, signed again %v", len(paired.SignedPreKeys), !same(paired, resigned))
	}
	if err := a.M.DisableInstallation(a2.Installation); err != nil {
		t.Fatal(err)
	}
	unpaired := send(c.Tick())
	if same(unpaired, paired) || len(unpaired.SignedPreKeys) != 1 {
		t.Fatalf("bundle after disabling: %d prekeys", len(unpaired.SignedPreKeys))
	}

	c.Now = c.Now.Add(encryption.BundleRefreshInterval)
	rotated := send(c.Tick())
	if same(rotated, unpaired) || bytes.Equal(rotated.SignedPreKeys[a.Installation].Key, unpaired.SignedPreKeys[a.Installation].Key) {
		t.Fatal("bundle not signed again with the rotated prekey")
	}
}
