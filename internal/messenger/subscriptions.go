package messenger

import (
	"crypto/ecdsa"
	"fmt"
	"sync"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// sourceKind says what a subscription listens for, which decides the
// receive path of what arrives on it (docs/PROTOCOL.md §4.3).
type sourceKind uint8

const (
	srcPublic      sourceKind = iota + 1 // a public chat: chat = its name
	srcContactCode                       // someone's contact-code topic: bundles
	srcDirect                            // our asymmetric topics and negotiated topics
)

type source struct {
	kind sourceKind
	chat string // public chat name
}

// inbound is one received message waiting for the receive goroutine.
type inbound struct {
	msg ReceivedMessage
	src source
}

// subscriptions owns the Transport subscriptions (filters) by id. Its
// mutex guards the map only: Transport calls (Join, Unsubscribe) are made
// without it, and a second join of the same id racing the first is undone.
type subscriptions struct {
	c  *core
	in *inboundQueue

	mu      sync.Mutex
	filters map[string]Subscription // guarded by mu
	closed  bool                    // guarded by mu; set by closeAll
}

func newSubscriptions(c *core, in *inboundQueue) *subscriptions {
	return &subscriptions{c: c, in: in, filters: make(map[string]Subscription)}
}

// sink is the Transport Sink of a subscription listening for src: it
// writes each message into the inbound queue, blocking while the queue is
// full (see inboundQueue), until the messenger stops.
func (s *subscriptions) sink(src source) Sink {
	return func(rm ReceivedMessage) { s.in.pushMessage(inbound{msg: rm, src: src}) }
}

// joinOwn subscribes to our asymmetric topics (§4.3): partitioned,
// discovery and personal discovery.
func (s *subscriptions) joinOwn() error {
	own := []whisper.Topic{
		whisper.TopicFromName(encryption.PartitionedTopicName(s.c.self)),
		whisper.Topic(encryption.DiscoveryTopic()),
		whisper.TopicFromName(encryption.PersonalDiscoveryTopicName(s.c.self)),
	}
	return s.join("asym", func() (Subscription, error) {
		return s.c.tr.JoinAsymmetric(own, s.sink(source{kind: srcDirect}))
	})
}

// joinSym subscribes to the topic and PBKDF2 key of name, once per id.
func (s *subscriptions) joinSym(id, name string, src source) error {
	return s.join(id, func() (Subscription, error) {
		k, err := s.c.keys.get(name)
		if err != nil {
			return nil, err
		}
		return s.c.tr.JoinSymmetric(whisper.TopicFromName(name), k, s.sink(src))
	})
}

func (s *subscriptions) join(id string, open func() (Subscription, error)) error {
	if s.has(id) {
		return nil
	}
	sub, err := open()
	if err != nil {
		return fmt.Errorf("%w: join %s: %w", ErrTransport, id, err)
	}
	s.mu.Lock()
	_, dup := s.filters[id]
	keep := !dup && !s.closed
	if keep {
		s.filters[id] = sub
	}
	s.mu.Unlock()
	if !keep {
		sub.Unsubscribe()
	}
	return nil
}

func (s *subscriptions) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.filters[id]
	return ok
}

// leave unsubscribes id, if subscribed.
func (s *subscriptions) leave(id string) {
	s.mu.Lock()
	sub, ok := s.filters[id]
	delete(s.filters, id)
	s.mu.Unlock()
	if ok {
		sub.Unsubscribe()
	}
}

// closeAll unsubscribes everything and refuses later joins (Stop).
func (s *subscriptions) closeAll() {
	s.mu.Lock()
	subs := s.filters
	s.filters, s.closed = make(map[string]Subscription), true
	s.mu.Unlock()
	for _, sub := range subs {
		sub.Unsubscribe()
	}
}

func (s *subscriptions) joinPublic(name string) error {
	return s.joinSym("public:"+name, name, source{kind: srcPublic, chat: name})
}

func (s *subscriptions) leavePublic(name string) { s.leave("public:" + name) }

// listenPeer joins a peer's contact-code topic (its bundles, §4.3) and our
// negotiated topic with it (§3.8): the secret is static, so we listen
// before either side has agreed on it.
func (s *subscriptions) listenPeer(pub *ecdsa.PublicKey) error {
	if err := s.joinContactCode(pub); err != nil {
		return err
	}
	return s.joinNegotiated(pub)
}

// ownSymNames names the symmetric topics joinStored joins for us: our
// contact-code topic and our negotiated topic with ourselves.
func (s *subscriptions) ownSymNames() []string { return s.peerSymNames(s.c.self) }

// peerSymNames names the symmetric topics listenPeer joins for pub.
func (s *subscriptions) peerSymNames(pub *ecdsa.PublicKey) []string {
	return []string{
		encryption.ContactCodeTopicName(pub),
		encryption.NegotiatedTopicName(encryption.NegotiatedSecret(s.c.cfg.Identity, pub)),
	}
}

func (s *subscriptions) joinContactCode(pub *ecdsa.PublicKey) error {
	name := encryption.ContactCodeTopicName(pub)
	return s.joinSym("contact-code:"+name, name, source{kind: srcContactCode})
}

func (s *subscriptions) joinNegotiated(pub *ecdsa.PublicKey) error {
	return s.joinNegotiatedName(encryption.NegotiatedTopicName(encryption.NegotiatedSecret(s.c.cfg.Identity, pub)))
}

func (s *subscriptions) joinNegotiatedName(name string) error {
	return s.joinSym("negotiated:"+name, name, source{kind: srcDirect})
}

// joinStored rejoins our own topics and the negotiated topics agreed in
// earlier runs (Start).
func (s *subscriptions) joinStored() error {
	if err := s.joinOwn(); err != nil {
		return err
	}
	if err := s.joinContactCode(s.c.self); err != nil {
		return err
	}
	if err := s.joinNegotiated(s.c.self); err != nil {
		return err
	}
	names, err := s.c.st.negotiated()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := s.joinNegotiatedName(n); err != nil {
			return err
		}
	}
	return nil
}

// agreed joins the negotiated topic of a secret agreed with a peer (§3.8)
// and remembers it for the next Start.
func (s *subscriptions) agreed(secret []byte) error {
	name := encryption.NegotiatedTopicName(secret)
	if err := s.joinNegotiatedName(name); err != nil {
		return err
	}
	var b storage.Batch
	b.Put(key(pfxNegotiated, []byte(name)), nil)
	return s.c.st.write(&b)
}
