package messenger

import (
	"fmt"
	"runtime"
	"slices"
	"sync"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage/topickeys"
)

// keyCache memoises the PBKDF2 keys of symmetric topics (65356 iterations
// each, §4.2: 10–30 ms of one core apiece), in memory and, with a store,
// across restarts. Different names derive concurrently; callers asking for
// a name being derived wait for that derivation instead of repeating it.
type keyCache struct {
	derive func(name string) (whisper.SymKey, error) // whisper.SymKeyFromPassword
	store  *topickeys.Store                          // nil: memory only
	log    *zap.Logger
	mu     sync.Mutex
	keys   map[string]*derivedKey
}

// derivedKey is one name's derivation: key and err are set before done is
// closed.
type derivedKey struct {
	done chan struct{}
	key  whisper.SymKey
	err  error
}

func newKeyCache(store *topickeys.Store, log *zap.Logger) *keyCache {
	return &keyCache{derive: whisper.SymKeyFromPassword, store: store, log: log, keys: make(map[string]*derivedKey)}
}

func (k *keyCache) get(name string) (whisper.SymKey, error) {
	k.mu.Lock()
	d, ok := k.keys[name]
	if !ok {
		d = &derivedKey{done: make(chan struct{})}
		k.keys[name] = d
	}
	k.mu.Unlock()
	if ok {
		<-d.done
		return d.key, d.err
	}
	d.key, d.err = k.load(name)
	if d.err != nil {
		d.err = fmt.Errorf("%w: key for %q: %w", ErrTransport, name, d.err)
		k.mu.Lock()
		delete(k.keys, name) // a later call tries again
		k.mu.Unlock()
	}
	close(d.done)
	return d.key, d.err
}

// load reads name's key from the store, or derives it and stores it. A
// store that fails costs a derivation, never the key.
func (k *keyCache) load(name string) (whisper.SymKey, error) {
	if k.store != nil {
		key, ok, err := k.store.Get(name)
		if err != nil {
			k.log.Warn("reading a stored topic key; deriving it", zap.Error(err))
		}
		if ok {
			return key, nil
		}
	}
	key, err := k.derive(name)
	if err != nil || k.store == nil {
		return key, err
	}
	if err := k.store.Put(name, key); err != nil {
		k.log.Warn("storing a derived topic key", zap.Error(err))
	}
	return key, nil
}

// prefetch loads the keys of names not loaded yet, on up to GOMAXPROCS
// goroutines, and returns at once; wg counts the goroutines (each ends
// when its derivations do). Start uses it to derive the keys of the topics
// it is about to join while other start-up work runs.
func (k *keyCache) prefetch(wg *sync.WaitGroup, names ...string) {
	k.mu.Lock()
	var todo []string
	for _, n := range names {
		if _, ok := k.keys[n]; !ok && !slices.Contains(todo, n) {
			todo = append(todo, n)
		}
	}
	k.mu.Unlock()
	next := make(chan string, len(todo))
	for _, n := range todo {
		next <- n
	}
	close(next)
	for range min(len(todo), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				_, _ = k.get(n) // an error is returned again to the joiner, which retries
			}
		}()
	}
}
