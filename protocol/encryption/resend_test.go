package encryption_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// TestPendingResends: a bundle showing new installations of a peer marks
// the peer in the same commit as the bundle; the mark outlives the
// Manager (a restart over the same store) until ResendDone clears it, and
// a known bundle does not set it again.
func TestPendingResends(t *testing.T) {
	r := et.NewRand(22)
	c := et.NewClock()
	a := et.NewDevice(t, "a", et.MustKey(t, r), et.NewMemoryStore())
	b := et.NewDevice(t, "b", et.MustKey(t, r), et.NewMemoryStore())
	send := func(payload string) {
		t.Helper()
		out, err := a.M.SendDirect(c.Tick(), r, b.Pub(), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.M.HandleMessage(c.Tick(), r, a.Pub(), out[0].Payload); err != nil {
			t.Fatal(err)
		}
	}
	pending := func(m *encryption.Manager) []string {
		t.Helper()
		peers, err := m.PendingResends()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range peers {
			out = append(out, string(crypto.FromECDSAPub(p)))
		}
		return out
	}
	if got := pending(b.M); len(got) != 0 {
		t.Fatalf("marks before any bundle: %d", len(got))
	}
	send("hello")
	reopened, err := encryption.NewManager(encryption.Config{Identity: b.Identity, InstallationID: b.Installation}, b.Store)
	if err != nil {
		t.Fatal(err)
	}
	if got := pending(reopened); len(got) != 1 || got[0] != string(crypto.FromECDSAPub(a.Pub())) {
		t.Fatalf("after a's first bundle, reopened: %d marks, want a's", len(got))
	}
	if err := reopened.ResendDone(a.Pub()); err != nil {
		t.Fatal(err)
	}
	send("again")
	if got := pending(b.M); len(got) != 0 {
		t.Fatalf("marks after ResendDone and a known bundle: %d", len(got))
	}
}
