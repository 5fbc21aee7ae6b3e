package messenger_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/statusnode/statusd/lib/testutil"
	"github.com/statusnode/statusd/storage"
)

// syncGate is a KV whose Sync fails while fail is set, counting calls.
type syncGate struct {
	storage.KV
	fail  atomic.Bool
	syncs atomic.Int64
}

func (g *syncGate) Sync() error {
	g.syncs.Add(1)
	if g.fail.Load() {
		return errors.New("fsync: input/output error")
	}
	return storage.Sync(g.KV)
}

// TestNoEnvelopeLeavesUnsynced: a ratchet-encrypted envelope leaves only
// after the database is synced (the ratchet state it advanced and the
// message it carries are durable). While syncs fail, alice's message does
// not leave however often MVDS tries; once they succeed it arrives.
func TestNoEnvelopeLeavesUnsynced(t *testing.T) {
	h := newHarness(t)
	gate := &syncGate{KV: storage.NewMemory()}
	alice := h.start(newKey(t), gate)
	bob := h.newNode()
	if _, err := alice.StartOneToOne(bob.PublicKey()); err != nil {
		t.Fatal(err)
	}
	gate.fail.Store(true)
	before := gate.syncs.Load()
	if _, err := alice.SendText(ctxT(t), bob.PublicKey(), "kept until synced"); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, wait, "two send attempts", func() bool { return gate.syncs.Load() >= before+2 })
	if got := texts(t, bob, alice.PublicKey()); len(got) != 0 {
		t.Fatalf("bob got %q while alice's syncs failed", got)
	}
	gate.fail.Store(false)
	if got := waitTexts(t, bob, alice.PublicKey(), 1); got[0] != "kept until synced" {
		t.Fatalf("bob got %q", got)
	}
}

// TestSendSyncedWithinASecond: a message Send stored is synced about a
// second later even when nothing leaves (a public chat without peers), and
// the sends of that second share the sync.
func TestSendSyncedWithinASecond(t *testing.T) {
	h := newHarness(t)
	gate := &syncGate{KV: storage.NewMemory()}
	alice := h.start(newKey(t), gate)
	if _, err := alice.JoinPublic("quiet"); err != nil {
		t.Fatal(err)
	}
	before := gate.syncs.Load()
	for _, text := range []string{"one", "two", "three"} {
		if _, err := alice.SendText(ctxT(t), "quiet", text); err != nil {
			t.Fatal(err)
		}
	}
	testutil.WaitFor(t, wait, "a sync after the sends", func() bool { return gate.syncs.Load() > before })
	if n := gate.syncs.Load() - before; n > 2 {
		t.Fatalf("%d syncs for three sends within a second, want them shared", n)
	}
}
