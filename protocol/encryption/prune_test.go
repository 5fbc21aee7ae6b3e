package encryption_test

import (
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// directIDs lists the installations a's next message to peer is encrypted
// for.
func directIDs(t *testing.T, c *et.Clock, a *et.Device, peer *et.Device) map[string]bool {
	t.Helper()
	out, err := a.M.SendDirect(c.Tick(), et.NewRand(99), peer.Pub(), []byte("probe"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, o := range out {
		if o.Recipient.Equal(peer.Pub()) {
			for id := range o.Message.Direct {
				ids[id] = true
			}
		}
	}
	return ids
}

func installationIDs(t *testing.T, d *et.Device, of *et.Device) map[string]bool {
	t.Helper()
	list, err := d.M.Installations(of.Pub())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, inst := range list {
		ids[inst.ID] = true
	}
	return ids
}

// TestPruneStaleInstallations: bob's old device b1, unseen for more than
// StaleInstallationAge while his new device b2 was seen, is dropped and no
// longer encrypted to; carol's only device, as old, is kept; of our own
// devices as old, the disabled one is dropped and the enabled one kept. A
// message b1 sent before the prune still decrypts (its session expired,
// within ExpiredSessionRetention).
func TestPruneStaleInstallations(t *testing.T) {
	r := et.NewRand(31)
	c := et.NewClock()
	aKey, bKey := et.MustKey(t, r), et.MustKey(t, r)
	a := et.NewDevice(t, "a", aKey, et.NewMemoryStore())
	a2 := et.NewDevice(t, "a2", aKey, et.NewMemoryStore())
	a3 := et.NewDevice(t, "a3", aKey, et.NewMemoryStore())
	b1 := et.NewDevice(t, "b1", bKey, et.NewMemoryStore())
	b2 := et.NewDevice(t, "b2", bKey, et.NewMemoryStore())
	carol := et.NewDevice(t, "carol", et.MustKey(t, r), et.NewMemoryStore())

	et.ExchangeBundle(t, c, r, b1, a)
	et.ExchangeBundle(t, c, r, a, b1)
	et.ExchangeBundle(t, c, r, carol, a)
	et.ExchangeBundle(t, c, r, a2, a)
	et.Pair(t, c, r, a, a3)
	late, err := b1.M.SendDirect(c.Tick(), r, a.Pub(), []byte("late"))
	if err != nil {
		t.Fatal(err)
	}

	c.Now = c.Now.Add(encryption.StaleInstallationAge + time.Hour)
	et.ExchangeBundle(t, c, r, b2, a)
	if got := directIDs(t, c, a, b1); !got[b1.Installation] || !got[b2.Installation] {
		t.Fatalf("before the prune a encrypts for %v, want both of bob's devices", got)
	}
	n, err := a.M.PruneInstallations(c.Now)
	if err != nil || n != 2 {
		t.Fatalf("prune: %d, %v; want 2 (b1, a2)", n, err)
	}
	if got := directIDs(t, c, a, b1); got[b1.Installation] || !got[b2.Installation] {
		t.Fatalf("after the prune a encrypts for %v, want only b2", got)
	}
	if got := installationIDs(t, a, b1); got[b1.Installation] || !got[b2.Installation] {
		t.Fatalf("bob's installations after the prune: %v", got)
	}
	if got := directIDs(t, c, a, carol); !got[carol.Installation] {
		t.Fatalf("carol's only device was dropped: a encrypts for %v", got)
	}
	if got := installationIDs(t, a, a); got[a2.Installation] || !got[a3.Installation] {
		t.Fatalf("own installations after the prune: %v (want a3 kept, a2 dropped)", got)
	}
	if n, err := a.M.PruneInstallations(c.Now); err != nil || n != 0 {
		t.Fatalf("second prune: %d, %v", n, err)
	}
	res, err := a.M.HandleMessage(c.Tick(), r, b1.Pub(), late[0].Payload)
	if err != nil || string(res.Plaintext) != "late" {
		t.Fatalf("late message from the pruned device: %v", err)
	}
}
