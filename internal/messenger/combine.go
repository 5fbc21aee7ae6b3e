package messenger

import (
	"sync"

	"github.com/statusnode/statusd/storage"
)

// Group commit of sends. Every Send stores its message with its chat in
// one store write under the chat book's lock (chatBook.update), so
// concurrent sends to a chat queue on that lock, each paying for a store
// write of its own and for re-encoding the chat record. combiner lets
// them share: a send queues its change; the first one to find no run in
// progress leads and applies every queued change in one
// chatBook.updateEach (each sees the chat as the changes before it left
// it, so clocks still go up one by one), with one store write for the run,
// then wakes the others with their own outcome. A leader that finds more
// queued once its run is done hands the lead to the first of them and
// returns, so no caller serves others for longer than one run.
type combiner struct {
	mu      sync.Mutex
	queue   []*combined // guarded by mu
	leading bool        // a run is in progress; guarded by mu
}

// combined is one queued change: update's arguments, and its outcome once
// done is closed. lead set before done is closed makes its caller lead
// the next run instead.
type combined struct {
	id   string
	fn   func(ch *Chat, batch *storage.Batch) (*Chat, error)
	err  error
	lead bool
	done chan struct{}
}

// update is chatBook.update of fn on chat id, combined with the changes of
// concurrent callers into one store write. fn must add its writes to batch
// only when it returns no error (chatBook.updateEach); it does not get the
// kept chat back, only the error: fn's own, or the run's store write's.
func (q *combiner) update(b *chatBook, id string, fn func(ch *Chat, batch *storage.Batch) (*Chat, error)) error {
	me := &combined{id: id, fn: fn, done: make(chan struct{})}
	q.mu.Lock()
	q.queue = append(q.queue, me)
	if q.leading {
		q.mu.Unlock()
		<-me.done
		if !me.lead {
			return me.err
		}
		q.mu.Lock() // led by me now: leading stays true
	} else {
		q.leading = true
	}
	run := q.queue
	q.queue = nil
	q.mu.Unlock()

	ids := make([]string, len(run))
	for i, c := range run {
		ids[i] = c.id
	}
	errs, err := b.updateEach(ids, func(i int, ch *Chat, batch *storage.Batch) (*Chat, error) {
		return run[i].fn(ch, batch)
	})
	for i, c := range run {
		c.err = errs[i]
		if c.err == nil {
			c.err = err
		}
	}

	q.mu.Lock()
	if len(q.queue) > 0 {
		next := q.queue[0]
		next.lead = true
		close(next.done)
	} else {
		q.leading = false
	}
	q.mu.Unlock()
	for _, c := range run {
		if c != me {
			close(c.done)
		}
	}
	return me.err
}
