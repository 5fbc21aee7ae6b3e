package devp2p

import (
	"sync"

	"github.com/ethereum/go-ethereum/p2p/enode"
)

// parallelFilter is an enode.Iterator that runs check on up to workers nodes
// of src at once and yields the non-nil results, in the order they finish.
//
// It stands in for go-ethereum's enode.AsyncFilter, whose Close closes a
// channel its feeding goroutine may still send on: closed right after it
// is made (a node stopped as it starts), that iterator panics the process.
// Here nothing is ever closed that another goroutine sends on: Close only
// closes quit, and the feed closes out itself once its workers are done.
// Like AsyncFilter's, Close returns only once src's Next and every check
// have returned, so a stopped node leaves nothing running behind it.
type parallelFilter struct {
	src   enode.Iterator
	check func(*enode.Node) *enode.Node

	out       chan *enode.Node
	quit      chan struct{}
	closeOnce sync.Once
	done      chan struct{} // closed when the feed and its checks are over

	cur *enode.Node // owned by the caller of Next
}

// newParallelFilter starts the filter's feed; Close stops it and closes src.
// workers below 1 is taken as 1.
func newParallelFilter(src enode.Iterator, check func(*enode.Node) *enode.Node, workers int) *parallelFilter {
	if workers < 1 {
		workers = 1
	}
	f := &parallelFilter{
		src:   src,
		check: check,
		out:   make(chan *enode.Node),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go f.feed(workers)
	return f
}

// feed hands src's nodes to at most workers checks at a time until src ends
// or the filter is closed, then closes out once every check has returned.
func (f *parallelFilter) feed(workers int) {
	slots := make(chan struct{}, workers)
	var running sync.WaitGroup
	defer func() {
		running.Wait()
		close(f.out)
		close(f.done)
	}()
	for f.src.Next() {
		n := f.src.Node()
		select {
		case slots <- struct{}{}:
		case <-f.quit:
			return
		}
		running.Add(1)
		go func() {
			defer running.Done()
			defer func() { <-slots }()
			found := f.check(n)
			if found == nil {
				return
			}
			select {
			case f.out <- found:
			case <-f.quit:
			}
		}()
	}
}

// Next blocks until a checked node is ready, src has ended and every check
// has returned, or the filter is closed; it reports whether Node is valid.
func (f *parallelFilter) Next() bool {
	select {
	case <-f.quit:
		return false
	default:
	}
	select {
	case n, ok := <-f.out:
		if !ok {
			return false
		}
		f.cur = n
		return true
	case <-f.quit:
		return false
	}
}

// Node returns the node of the last successful Next.
func (f *parallelFilter) Node() *enode.Node { return f.cur }

// Close stops the feed, closes src and waits for the checks in flight,
// whose results are dropped; a check is not interrupted, so Close takes as
// long as the slowest (an ENR request gives up after its timeout). It may be
// called more than once, and from any goroutine, also while another is
// blocked in Next.
func (f *parallelFilter) Close() {
	f.closeOnce.Do(func() {
		close(f.quit)
		f.src.Close()
	})
	<-f.done
}
