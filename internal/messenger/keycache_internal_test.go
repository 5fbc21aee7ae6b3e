package messenger

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/topickeys"
)

// TestKeyCacheDerivesOnce: concurrent gets and a prefetch of one name run
// one derivation and all see its key; different names derive concurrently
// (a derivation blocked on one name does not hold up another).
func TestKeyCacheDerivesOnce(t *testing.T) {
	k := newKeyCache(nil, zap.NewNop())
	var calls atomic.Int32
	release := make(chan struct{})
	k.derive = func(name string) (whisper.SymKey, error) {
		calls.Add(1)
		if name == "slow" {
			<-release
		}
		return whisper.SymKeyFromPassword(name)
	}
	var wg sync.WaitGroup
	k.prefetch(&wg, "slow", "slow", "fast")
	// "fast" completes while "slow" is still blocked.
	if _, err := k.get("fast"); err != nil {
		t.Fatal(err)
	}
	want, err := whisper.SymKeyFromPassword("slow")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]whisper.SymKey, 4)
	var getters sync.WaitGroup
	for i := range got {
		getters.Add(1)
		go func() {
			defer getters.Done()
			got[i], _ = k.get("slow")
		}()
	}
	close(release)
	getters.Wait()
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("get %d: key differs from the derivation's", i)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d derivations, want 2 (one per name)", n)
	}
}

// TestKeyCacheRetriesAfterError: a failed derivation is not remembered.
func TestKeyCacheRetriesAfterError(t *testing.T) {
	k := newKeyCache(nil, zap.NewNop())
	fail := true
	k.derive = func(name string) (whisper.SymKey, error) {
		if fail {
			return whisper.SymKey{}, errors.New("boom")
		}
		return whisper.SymKeyFromPassword(name)
	}
	if _, err := k.get("x"); !errors.Is(err, ErrTransport) {
		t.Fatalf("err %v, want ErrTransport", err)
	}
	fail = false
	if _, err := k.get("x"); err != nil {
		t.Fatalf("second get: %v", err)
	}
}

// TestKeyCacheStored: with a store, a key derived once is read back by the
// next cache over the same database (a restart) without deriving it.
func TestKeyCacheStored(t *testing.T) {
	db := storage.NewMemory()
	var calls atomic.Int32
	open := func() *keyCache {
		k := newKeyCache(topickeys.New(storage.NewTable(db, topickeys.TableName)), zap.NewNop())
		k.derive = func(name string) (whisper.SymKey, error) {
			calls.Add(1)
			return whisper.SymKeyFromPassword(name)
		}
		return k
	}
	first, err := open().get("status")
	if err != nil {
		t.Fatal(err)
	}
	again, err := open().get("status")
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatal("restarted cache returned another key")
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d derivations over two starts, want 1", n)
	}
}
