package mvds

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vacp2p/mvds/node"
	"github.com/vacp2p/mvds/peers"
	mvdspb "github.com/vacp2p/mvds/protobuf"
	"github.com/vacp2p/mvds/state"
	"github.com/vacp2p/mvds/store"
	"github.com/vacp2p/mvds/transport"
)

// This file wraps a vacp2p/mvds node so that a test can drive its epochs
// one by one and know when it has finished processing what it received.
//
// Epochs: the node's epoch goroutine calls SyncState.Map once per epoch and
// then sends that epoch's payloads. gatedState.Map blocks until the test
// calls tick; tick returns when the node enters the next epoch's Map, that
// is after every payload of the ticked epoch went through Transport.Send.
// Start(0) makes the node's own sleep between epochs zero.
//
// Processing: the node handles each received payload in a new goroutine.
// hooks counts, per payload handed over, the store and state calls that
// handling makes (one per ack, offer and request, two per message), and the
// wrappers count the calls made; the node is quiet when both agree.

// hooks counts expected and observed calls into the wrapped store and state.
type hooks struct {
	expected, observed atomic.Int64
	signal             chan struct{} // capacity 1, poked on every observed call
}

func newHooks() *hooks { return &hooks{signal: make(chan struct{}, 1)} }

func (h *hooks) expect(n int) { h.expected.Add(int64(n)) }

func (h *hooks) observe() {
	h.observed.Add(1)
	select {
	case h.signal <- struct{}{}:
	default:
	}
}

// wait returns once every expected call was observed.
func (h *hooks) wait(ctx context.Context) error {
	for h.observed.Load() < h.expected.Load() {
		select {
		case <-h.signal:
		case <-ctx.Done():
			return errors.New("vacp2p/mvds node did not finish processing its payloads")
		}
	}
	return nil
}

// gatedState is the node's SyncState, gated per epoch and counted.
type gatedState struct {
	state.SyncState
	h    *hooks
	tick chan chan struct{}
	stop chan struct{}

	mu   sync.Mutex
	done chan struct{} // closed when the ticked epoch has been sent
}

func (g *gatedState) Map(epoch int64, process func(state.State) state.State) error {
	g.mu.Lock()
	if g.done != nil {
		close(g.done)
		g.done = nil
	}
	g.mu.Unlock()
	select {
	case done := <-g.tick:
		g.mu.Lock()
		g.done = done
		g.mu.Unlock()
	case <-g.stop:
		return nil
	}
	return g.SyncState.Map(epoch, func(s state.State) state.State {
		if s.Type == state.MESSAGE {
			g.h.expect(1) // sendMessages fetches the message from the store
		}
		return process(s)
	})
}

func (g *gatedState) Remove(id state.MessageID, p state.PeerID) error {
	defer g.h.observe()
	return g.SyncState.Remove(id, p)
}

// countingStore is the node's message store, counted.
type countingStore struct {
	*store.DummyStore
	h *hooks
}

func (s countingStore) Has(id state.MessageID) (bool, error) {
	defer s.h.observe()
	return s.DummyStore.Has(id)
}

func (s countingStore) Get(id state.MessageID) (*mvdspb.Message, error) {
	defer s.h.observe()
	return s.DummyStore.Get(id)
}

func (s countingStore) Add(m *mvdspb.Message) error {
	defer s.h.observe()
	return s.DummyStore.Add(m)
}

// theirPeer is a running vacp2p/mvds node with its application log.
type theirPeer struct {
	id    state.PeerID
	node  *node.Node
	in    chan transport.Packet
	gate  *gatedState
	inner state.SyncState
	h     *hooks
	subWG sync.WaitGroup

	mu        sync.Mutex
	delivered map[state.MessageID]int
	bodies    map[state.MessageID][]byte
}

// calculateSendTime is status-go's back-off: the next send 2·count epochs
// after the current one (docs/PROTOCOL.md §6.3, fixed form).
func calculateSendTime(count uint64, epoch int64) int64 { return epoch + int64(2*count) }

func newTheirPeer(t *testing.T, id state.PeerID, tr *bridge, mode node.Mode) *theirPeer {
	h := newHooks()
	inner := state.NewSyncState()
	p := &theirPeer{
		id: id, in: make(chan transport.Packet), inner: inner, h: h,
		gate:      &gatedState{SyncState: inner, h: h, tick: make(chan chan struct{}), stop: make(chan struct{})},
		delivered: make(map[state.MessageID]int), bodies: make(map[state.MessageID][]byte),
	}
	st := countingStore{DummyStore: store.NewDummyStore(), h: h}
	p.node = node.NewNode(st, theirTransport{tr}, p.gate, calculateSendTime, 0, id, mode, peers.NewMemoryPersistence(), nil)
	sub := p.node.Subscribe() // before Start: the node reads the field unlocked
	p.subWG.Add(1)
	go func() {
		defer p.subWG.Done()
		for m := range sub {
			p.mu.Lock()
			p.delivered[m.ID()]++
			p.bodies[m.ID()] = m.Body
			p.mu.Unlock()
		}
	}()
	return p
}

// appendMessage appends through the node's API (one counted store.Add).
func (p *theirPeer) appendMessage(g state.GroupID, body []byte) (state.MessageID, error) {
	p.h.expect(1)
	return p.node.AppendMessage(g, body)
}

// tick runs one epoch of the node and waits until its payloads are sent.
func (p *theirPeer) tick(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case p.gate.tick <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// outstanding is the number of the node's send records.
func (p *theirPeer) outstanding() int {
	all, _ := p.inner.All(0)
	return len(all)
}

func (p *theirPeer) deliveries() (distinct, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.delivered {
		total += n
	}
	return len(p.delivered), total
}

// stop stops the node once it is quiet. The bridge must be closed after
// this so that the node's Watch returns.
func (p *theirPeer) stop() {
	p.node.Stop() // cancels, closes the subscription
	p.subWG.Wait()
	close(p.gate.stop)
}
