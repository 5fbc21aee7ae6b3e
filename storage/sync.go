package storage

import "sync"

// Syncer is a KV whose acknowledged writes survive a crash of the process
// (the operating system holds them) but not necessarily a power loss or a
// crash of the kernel until Sync is called. LevelDB is one, and a Table
// over one passes Sync through.
type Syncer interface {
	// Sync returns once every write acknowledged before the call began is
	// on stable storage: a power loss after Sync returns loses none of
	// them. It may be called from any goroutine and blocks for a disk
	// flush; concurrent calls share flushes (group commit), so a caller
	// waits for at most the flush under way and the next one. After an
	// error nothing is promised about the writes before the call; a later
	// Sync that succeeds covers them again.
	Sync() error
}

// Sync makes the writes kv acknowledged so far durable when kv is a Syncer
// (see Syncer.Sync). For any other KV it returns nil at once: Memory keeps
// nothing across a restart anyway, and a backend that commits durably on
// every write has nothing more to do.
func Sync(kv KV) error {
	if s, ok := kv.(Syncer); ok {
		return s.Sync()
	}
	return nil
}

// Sync implements Syncer over the table's KV (a no-op when that is not a
// Syncer). One database has one journal, so syncing any table of it makes
// the writes of every table durable.
func (t *Table) Sync() error { return Sync(t.kv) }

// syncGroup runs a flush function for concurrent callers so that they
// share flushes: a caller that finds no flush running starts one; a
// caller that finds one running waits for the next, which starts once the
// running one ends and serves every caller that arrived before it began.
// So at most one flush runs at a time, at most one more is waited for,
// and every caller returns the result of a flush that began after it
// called.
type syncGroup struct {
	mu   sync.Mutex
	cur  *syncRound // the flush running, nil when none; guarded by mu
	next *syncRound // the flush waited for, nil when none; guarded by mu
}

// syncRound is one flush and the callers it serves; err is set before done
// closes.
type syncRound struct {
	done    chan struct{}
	err     error
	joiners int // callers waiting for it besides its leader; guarded by syncGroup.mu
}

// do returns the result of a run of flush that began after the call.
func (g *syncGroup) do(flush func() error) error {
	g.mu.Lock()
	if r := g.next; r != nil {
		r.joiners++
		g.mu.Unlock()
		<-r.done
		return r.err
	}
	r := &syncRound{done: make(chan struct{})}
	if g.cur == nil {
		g.cur = r
		g.mu.Unlock()
		return g.lead(r, flush)
	}
	// This caller leads the next round: it begins once the running one
	// ended, and serves everyone who joins until then.
	prev := g.cur
	g.next = r
	g.mu.Unlock()
	<-prev.done
	g.mu.Lock()
	g.cur, g.next = r, nil
	g.mu.Unlock()
	return g.lead(r, flush)
}

// lead runs r's flush and releases its callers.
func (g *syncGroup) lead(r *syncRound, flush func() error) error {
	r.err = flush()
	g.mu.Lock()
	g.cur = nil
	g.mu.Unlock()
	close(r.done)
	return r.err
}
