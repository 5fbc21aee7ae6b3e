package devp2p

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"
	"go.uber.org/zap"
)

// filterNodes returns n distinct nodes.
func filterNodes(t *testing.T, n int) []*enode.Node {
	t.Helper()
	out := make([]*enode.Node, n)
	for i := range out {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = enode.NewV4(&key.PublicKey, nil, 0, 0)
	}
	return out
}

// TestParallelFilterYieldsChecked: every node whose check passes comes out
// once, none whose check fails does, the checks run side by side up to the
// bound and never beyond it, and Next ends when the source does.
func TestParallelFilterYieldsChecked(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	const workers = 4
	nodes := filterNodes(t, 24)
	pass := make(map[enode.ID]bool)
	for i, n := range nodes {
		pass[n.ID()] = i%3 != 0
	}

	var inFlight, most atomic.Int32
	full := make(chan struct{})
	var fullOnce sync.Once
	check := func(n *enode.Node) *enode.Node {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		if now == workers {
			fullOnce.Do(func() { close(full) })
		}
		select { // the first checks wait for each other: they must overlap
		case <-full:
		case <-time.After(10 * time.Second):
			t.Error("checks never ran side by side")
		}
		if !pass[n.ID()] {
			return nil
		}
		return n
	}

	it := newParallelFilter(enode.IterNodes(nodes), check, workers)
	defer it.Close()
	got := make(map[enode.ID]int)
	for it.Next() {
		got[it.Node().ID()]++
	}
	for id, ok := range pass {
		switch {
		case ok && got[id] != 1:
			t.Errorf("node %s passed its check and came out %d times", id.TerminalString(), got[id])
		case !ok && got[id] != 0:
			t.Errorf("node %s failed its check and came out", id.TerminalString())
		}
	}
	if m := most.Load(); m > workers {
		t.Errorf("%d checks at once, want at most %d", m, workers)
	}
}

// TestParallelFilterClosedAtOnce: closing the filter as soon as it is made,
// which go-ethereum's enode.AsyncFilter cannot survive (it sends on a
// channel its Close has closed), neither panics nor leaves a check running.
func TestParallelFilterClosedAtOnce(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	nodes := filterNodes(t, 8)
	var late atomic.Int32 // checks that started or ended after their Close
	for range 5000 {
		var closed atomic.Bool
		pass := func(n *enode.Node) *enode.Node {
			if closed.Load() {
				late.Add(1)
			}
			time.Sleep(50 * time.Microsecond) // a check takes a while
			if closed.Load() {
				late.Add(1)
			}
			return n
		}
		newParallelFilter(enode.IterNodes(nodes), pass, 4).Close()
		closed.Store(true)
	}
	time.Sleep(10 * time.Millisecond) // for any check left behind to show itself
	if n := late.Load(); n != 0 {
		t.Fatalf("%d checks ran on after Close returned", n)
	}
	for range 500 { // and with the feed caught between its steps
		it := newParallelFilter(enode.CycleNodes(nodes), func(n *enode.Node) *enode.Node { return n }, 2)
		if !it.Next() {
			t.Fatal("Next = false on an endless source")
		}
		it.Close()
		if it.Next() {
			t.Fatal("Next = true after Close")
		}
	}
}

// TestParallelFilterCloseUnblocksNext: a Next waiting on an endless source
// whose checks all fail returns false once another goroutine closes it.
func TestParallelFilterCloseUnblocksNext(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDBDrain)
	it := newParallelFilter(enode.CycleNodes(filterNodes(t, 3)), func(*enode.Node) *enode.Node { return nil }, 2)
	done := make(chan bool)
	go func() { done <- it.Next() }()
	it.Close()
	select {
	case ok := <-done:
		if ok {
			t.Fatal("Next = true after Close")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next still blocked after Close")
	}
}

// TestTopicSearchStoppedAtOnce: a mailserver search stopped as soon as it
// has started, over and over on a running server with discovery v4, neither
// panics nor leaves anything running: the stop of a node that has only
// just started.
func TestTopicSearchStoppedAtOnce(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) }) // after the server's cleanup
	s := topicNode(t, "lone", nil, Topics{})
	cfg := Topics{Search: true, MaxMailservers: 1, FoundMailserver: func(*enode.Node) {}}
	for range 300 {
		ts := newTopicSearch(cfg, zap.NewNop())
		ts.start(s.srv)
		ts.stop()
	}
}
