package whisper

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestPoolKeyCollisions: envelopes whose dedupe keys collide are told apart
// by their bytes, kept side by side, found, and swept one by one.
func TestPoolKeyCollisions(t *testing.T) {
	p := newPool()
	mk := func(expiry uint32, data string) *entry {
		env := &wproto.Envelope{Expiry: expiry, TTL: 10, Data: []byte(data)}
		return &entry{env: env, raw: env.AppendRLP(nil), key: 42} // every key the same
	}
	a, b, c := mk(100, "a"), mk(200, "b"), mk(300, "c")
	for _, e := range []*entry{a, b, c} {
		if x, added := p.add(e); !added || x != e {
			t.Fatalf("add %s: %v", e.env.Data, added)
		}
	}
	again := mk(200, "b")
	if x, added := p.add(again); added || x != b {
		t.Fatal("the same envelope again was added")
	}
	if p.find(again) != b || p.find(mk(100, "a")) != a || p.find(mk(300, "c")) != c || p.find(mk(300, "d")) != nil {
		t.Fatal("find along the probe sequence")
	}
	if n, size := p.stats(); n != 3 || size != len(a.raw)+len(b.raw)+len(c.raw) {
		t.Fatalf("stats %d, %d", n, size)
	}
	// b sits between a and c in the probe sequence.
	if n, _ := p.sweep(time.Unix(250, 0)); n != 2 {
		t.Fatalf("swept %d, want 2", n)
	}
	if p.find(a) != nil || p.find(b) != nil || p.find(c) != c || len(p.snapshot()) != 1 {
		t.Fatal("sweep broke the probe sequence")
	}
	if n, size := p.stats(); n != 1 || size != len(c.raw) {
		t.Fatalf("stats after sweep %d, %d", n, size)
	}
	p.sweep(time.Unix(301, 0))
	if p.index.n != 0 || len(p.byExpiry) != 0 {
		t.Fatalf("empty pool keeps %d keys, %d buckets", p.index.n, len(p.byExpiry))
	}
}

// TestEntryHashLazy: an entry from the wire is hashed only when asked, and
// then as §5.3 says.
func TestEntryHashLazy(t *testing.T) {
	env := &wproto.Envelope{Expiry: 100, TTL: 10, Data: []byte("x"), Nonce: 7}
	e := &entry{env: env, raw: env.AppendRLP(nil)}
	if e.hashed.Load() != nil {
		t.Fatal("hashed before use")
	}
	h := e.hash()
	if h != env.Hash() {
		t.Fatal("wrong hash")
	}
	// The second call returns the cached hash instead of hashing again.
	cached := e.hashed.Load()
	if cached == nil || *cached != h {
		t.Fatal("hash not kept after first use")
	}
	e.hashed.Store(&common.Hash{1})
	if e.hash() != (common.Hash{1}) {
		t.Fatal("second call hashed again instead of using the cached hash")
	}
}
