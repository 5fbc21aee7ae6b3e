package whisperadapter

import (
	"bytes"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/internal/messenger"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// JoinSymmetric implements messenger.Transport: a router filter on topic
// with key. Messages arriving as P2P messages from trusted peers
// (mailserver history, §4.5) are accepted too. The router recovers the
// Whisper signatures messenger.WhisperSignerNeeded asks for, on its
// opening goroutines; the others (v1 wrappers that carry their own
// signature) are left to ReceivedMessage.Recover, which on a public chat
// nobody calls. Envelopes this node posted are not opened: the messenger
// skips its own anyway.
func (a *Adapter) JoinSymmetric(topic wproto.Topic, key wproto.SymKey, sink messenger.Sink) (messenger.Subscription, error) {
	k := key
	return a.join(&whisper.Filter{KeySym: &k, Topics: []wproto.Topic{topic}, AllowP2P: true, NotLocal: true,
		SignerWanted: messenger.WhisperSignerNeeded}, sink)
}

// JoinAsymmetric implements messenger.Transport: a router filter on topics
// that decrypts with the identity key (not this node's own envelopes).
func (a *Adapter) JoinAsymmetric(topics []wproto.Topic, sink messenger.Sink) (messenger.Subscription, error) {
	return a.join(&whisper.Filter{KeyAsym: a.id, Topics: append([]wproto.Topic(nil), topics...), AllowP2P: true, NotLocal: true}, sink)
}

// join installs a sink filter: the router's delivering goroutine converts
// each message and calls sink itself, blocking while sink blocks. Envelopes
// this adapter posted are skipped there, so a local Post never waits for
// the messenger's queue.
func (a *Adapter) join(f *whisper.Filter, sink messenger.Sink) (messenger.Subscription, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return nil, ErrStopped
	}
	id, err := a.w.Filters().SubscribeFunc(f, func(m *whisper.Message) {
		if a.isOwn(m.EnvelopeHash) {
			return
		}
		sink(convert(m, f.SignerWanted))
	})
	if err != nil {
		return nil, err
	}
	s := &subscription{a: a, id: id}
	a.subs[s] = struct{}{}
	return s, nil
}

// isOwn reports whether h is an envelope this adapter posted.
func (a *Adapter) isOwn(h common.Hash) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.posted[h]
	return ok
}

// subscription is one router filter.
type subscription struct {
	a    *Adapter
	id   string
	once sync.Once
}

// Unsubscribe implements messenger.Subscription: it uninstalls the filter.
// Idempotent; it does not wait for a sink call under way.
func (s *subscription) Unsubscribe() {
	s.once.Do(func() {
		s.a.w.Filters().Uninstall(s.id)
		s.a.mu.Lock()
		delete(s.a.subs, s)
		s.a.mu.Unlock()
	})
}

// convert copies the payload: the router shares the opened message between
// filters with the same key. The signer of a signed message is Signer when
// the router recovered it (wanted, the filter's SignerWanted, is nil or
// says so: it then delivered only signatures that recover), or else comes
// through Recover (the message's Signer, which recovers once; the message
// is kept until then).
func convert(m *whisper.Message, wanted func([]byte) bool) messenger.ReceivedMessage {
	r := messenger.ReceivedMessage{
		Payload: bytes.Clone(m.Payload), Topic: m.Topic,
		Hash: messenger.EnvelopeHash(m.EnvelopeHash), Sent: time.Unix(int64(m.Sent), 0),
	}
	switch {
	case !m.HasSignature():
	case wanted == nil || wanted(m.Payload):
		r.Signer, _ = m.Signer() // recovered by the router: no work, no error
	default:
		r.Recover = m.Signer
	}
	return r
}
