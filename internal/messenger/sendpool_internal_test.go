package messenger

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// The send pool runs each call on a worker and returns once it ran; a
// call that finds every worker busy gives up when its context ends or the
// pool is stopped, and stopping ends every worker.
func TestSendPool(t *testing.T) {
	p := newSendPool()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	p.start(&wg, quit)

	ran := 0
	if err := p.do(context.Background(), quit, func() { ran++ }); err != nil || ran != 1 {
		t.Fatalf("do: %v, ran %d", err, ran)
	}

	// Hold every worker, then a call with a cancelled context gives up.
	release := make(chan struct{})
	var held sync.WaitGroup
	held.Add(sendWorkers)
	for range sendWorkers {
		go p.do(context.Background(), quit, func() { held.Done(); <-release }) //nolint:errcheck // cannot fail
	}
	held.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.do(ctx, quit, func() { t.Error("ran with every worker busy and its context done") }); !errors.Is(err, context.Canceled) {
		t.Fatalf("busy pool, cancelled context: %v", err)
	}
	close(release)

	close(quit)
	wg.Wait() // every worker ended
	if err := p.do(context.Background(), quit, func() { t.Error("ran after stop") }); !errors.Is(err, ErrStopped) {
		t.Fatalf("after stop: %v, want ErrStopped", err)
	}
}
