package messenger

import (
	"context"
	"sync"
)

// sendWorkers is how many goroutines run Send's work (sendPool).
const sendWorkers = 16

// sendPool runs the work of Send on a few long-lived goroutines instead
// of the caller's. Each JSON-RPC call runs on a goroutine of its own,
// which starts with a small stack; a send goes deep enough (Transit,
// signing, the store, the MVDS driver) to grow that stack several times,
// copying it each time, which cost ~4 % of a sending daemon's CPU in the
// 1:1 benchmark. A worker's stack stays grown from one send to the next
// (the garbage collector shrinks it at most by half a cycle when it
// idles). Callers beyond sendWorkers wait for a free worker.
//
// The workers are started by Start and ended by Stop (run returns when
// quit is closed; a send in progress finishes first).
type sendPool struct {
	jobs chan *sendJob
}

// sendJob is one call: fn runs on a worker, which then closes done.
type sendJob struct {
	fn   func()
	done chan struct{}
}

func newSendPool() *sendPool { return &sendPool{jobs: make(chan *sendJob)} }

// start runs the workers until quit is closed, counted in wg.
func (p *sendPool) start(wg *sync.WaitGroup, quit <-chan struct{}) {
	wg.Add(sendWorkers)
	for range sendWorkers {
		go func() {
			defer wg.Done()
			p.run(quit)
		}()
	}
}

func (p *sendPool) run(quit <-chan struct{}) {
	for {
		select {
		case j := <-p.jobs:
			j.fn()
			close(j.done)
		case <-quit:
			return
		}
	}
}

// do runs fn on a worker and returns when it has run. It returns
// ctx.Err() without running fn if ctx ends before a worker takes it, and
// ErrStopped if quit is closed first.
func (p *sendPool) do(ctx context.Context, quit <-chan struct{}, fn func()) error {
	j := &sendJob{fn: fn, done: make(chan struct{})}
	select {
	case p.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-quit:
		return ErrStopped
	}
	<-j.done
	return nil
}
