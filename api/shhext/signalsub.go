package shhext

import (
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/transport/mailserver"
)

// signalQueue bounds the events waiting for one subscription: what does
// not fit is dropped by the sources' buses, never blocking them.
const signalQueue = 1024

// signals owns the signals subscriptions' goroutines.
type signals struct {
	events MessengerEvents // set before the server starts; nil: none
	mail   MailEvents      // idem

	mu     sync.Mutex
	closed bool // guarded by mu
	quit   chan struct{}
	wg     sync.WaitGroup
}

// start begins forwarding to a new subscription of n.
func (s *signals) start(n *rpc.Notifier, self string) (*rpc.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, rpcError(fmt.Errorf("%w: shhext: closed", api.ErrUnavailable))
	}
	sub := n.CreateSubscription()
	f := &signalForwarder{n: n, sub: sub, self: self, quit: s.quit}
	if s.events != nil {
		f.msub = s.events.Subscribe(signalQueue)
	}
	if s.mail != nil {
		f.csub = s.mail.Subscribe(signalQueue)
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); f.run() }()
	return sub, nil
}

func (s *signals) close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.quit)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// signalForwarder is one subscription's goroutine state.
type signalForwarder struct {
	n    *rpc.Notifier
	sub  *rpc.Subscription
	self string
	quit <-chan struct{}
	msub *messenger.EventSubscription // nil: no messenger source
	csub *mailserver.Subscription     // nil: no mailserver source
}

// run forwards until the client leaves, a source closes or quit.
func (f *signalForwarder) run() {
	var mc <-chan messenger.Event
	var cc <-chan mailserver.Event
	if f.msub != nil {
		defer f.msub.Unsubscribe()
		mc = f.msub.C()
	}
	if f.csub != nil {
		defer f.csub.Unsubscribe()
		cc = f.csub.C()
	}
	for {
		var sig *Signal
		select {
		case e, ok := <-mc:
			if !ok {
				return
			}
			sig = signalOf(e, f.self)
		case e, ok := <-cc:
			if !ok {
				return
			}
			sig = mailSignalOf(e)
		case <-f.sub.Err():
			return
		case <-f.quit:
			return
		}
		if sig != nil && f.n.Notify(f.sub.ID, sig) != nil {
			return
		}
	}
}
