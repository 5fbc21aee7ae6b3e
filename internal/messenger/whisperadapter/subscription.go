package whisperadapter

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"github.com/statusnode/statusd/internal/messenger"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// dropCounter counts what the adapter could not hand over without blocking.
type dropCounter struct {
	events   atomic.Uint64
	messages atomic.Uint64
}

// JoinSymmetric implements messenger.Transport: a router filter on topic
// with key. Messages arriving as P2P messages from trusted peers
// (mailserver history, §4.5) are accepted too.
func (a *Adapter) JoinSymmetric(topic wproto.Topic, key wproto.SymKey) (messenger.Subscription, error) {
	k := key
	return a.join(&whisper.Filter{KeySym: &k, Topics: []wproto.Topic{topic}, AllowP2P: true})
}

// JoinAsymmetric implements messenger.Transport: a router filter on topics
// that decrypts with the identity key.
func (a *Adapter) JoinAsymmetric(topics []wproto.Topic) (messenger.Subscription, error) {
	return a.join(&whisper.Filter{KeyAsym: a.id, Topics: append([]wproto.Topic(nil), topics...), AllowP2P: true})
}

func (a *Adapter) join(f *whisper.Filter) (messenger.Subscription, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return nil, ErrStopped
	}
	id, in, err := a.w.Filters().Subscribe(f)
	if err != nil {
		return nil, err
	}
	s := &subscription{a: a, id: id, out: make(chan messenger.ReceivedMessage, a.cfg.SubscriptionBuffer), done: make(chan struct{})}
	a.subs[s] = struct{}{}
	a.wg.Add(1)
	go s.run(in)
	return s, nil
}

// subscription is one router filter. Its goroutine (run) converts the
// router's messages and closes out when the router closes the filter's
// channel (Uninstall or router Stop).
type subscription struct {
	a    *Adapter
	id   string
	out  chan messenger.ReceivedMessage
	done chan struct{} // closed when run has returned
	once sync.Once
}

// Messages implements messenger.Subscription.
func (s *subscription) Messages() <-chan messenger.ReceivedMessage { return s.out }

// Unsubscribe implements messenger.Subscription: it uninstalls the filter
// and waits until Messages is closed. Idempotent.
func (s *subscription) Unsubscribe() {
	s.once.Do(func() {
		s.a.w.Filters().Uninstall(s.id)
		<-s.done
		s.a.mu.Lock()
		delete(s.a.subs, s)
		s.a.mu.Unlock()
	})
}

func (s *subscription) run(in <-chan *whisper.Message) {
	defer s.a.wg.Done()
	defer close(s.done)
	defer close(s.out)
	for m := range in {
		rm := convert(m)
		select {
		case s.out <- rm:
		default:
			s.a.dropped.messages.Add(1)
		}
	}
}

// convert copies the payload: the router shares the opened message between
// filters with the same key.
func convert(m *whisper.Message) messenger.ReceivedMessage {
	return messenger.ReceivedMessage{
		Payload: bytes.Clone(m.Payload), Signer: m.Src, Topic: m.Topic,
		Hash: messenger.EnvelopeHash(m.EnvelopeHash), Sent: time.Unix(int64(m.Sent), 0),
	}
}
