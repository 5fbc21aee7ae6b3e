package messenger

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
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

// subscribeAllLocked joins every topic we listen on (§4.3).
func (m *Messenger) subscribeAllLocked() error {
	own := []whisper.Topic{
		whisper.TopicFromName(encryption.PartitionedTopicName(m.self)),
		whisper.Topic(encryption.DiscoveryTopic()),
		whisper.TopicFromName(encryption.PersonalDiscoveryTopicName(m.self)),
	}
	src := source{kind: srcDirect}
	sub, err := m.tr.JoinAsymmetric(own, m.sink(src))
	if err != nil {
		return fmt.Errorf("%w: join own topics: %w", ErrTransport, err)
	}
	m.filters["asym"] = sub
	if err := m.joinContactCodeLocked(m.self); err != nil {
		return err
	}
	if err := m.joinNegotiatedLocked(m.self); err != nil {
		return err
	}
	names, err := m.st.negotiated()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := m.joinSymLocked("negotiated:"+n, n, source{kind: srcDirect}); err != nil {
			return err
		}
	}
	for _, c := range m.chats {
		if err := m.resubscribeChatLocked(c); err != nil {
			return err
		}
	}
	for _, c := range m.contacts {
		if c.Added && !c.Blocked {
			if pub, err := parsePubKey(c.ID); err == nil {
				if err := m.joinContactCodeLocked(pub); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (m *Messenger) resubscribeChatLocked(c *Chat) error {
	switch {
	case !c.Active:
		return nil
	case c.Type == ChatPublic:
		return m.joinSymLocked("public:"+c.Name, c.Name, source{kind: srcPublic, chat: c.Name})
	case c.Type == ChatOneToOne:
		pub, err := parsePubKey(c.ID)
		if err != nil {
			return err
		}
		return m.listenPeerLocked(pub)
	}
	return nil
}

// listenPeerLocked joins a peer's contact-code topic (its bundles, §4.3)
// and our negotiated topic with it (§3.8): the secret is static, so we
// listen before either side has agreed on it.
func (m *Messenger) listenPeerLocked(pub *ecdsa.PublicKey) error {
	if err := m.joinContactCodeLocked(pub); err != nil {
		return err
	}
	return m.joinNegotiatedLocked(pub)
}

func (m *Messenger) joinContactCodeLocked(pub *ecdsa.PublicKey) error {
	name := encryption.ContactCodeTopicName(pub)
	return m.joinSymLocked("contact-code:"+name, name, source{kind: srcContactCode})
}

func (m *Messenger) joinNegotiatedLocked(pub *ecdsa.PublicKey) error {
	name := encryption.NegotiatedTopicName(encryption.NegotiatedSecret(m.cfg.Identity, pub))
	return m.joinSymLocked("negotiated:"+name, name, source{kind: srcDirect})
}

// joinSymLocked subscribes to the topic and PBKDF2 key of name, once per
// filter id.
func (m *Messenger) joinSymLocked(id, name string, src source) error {
	if _, ok := m.filters[id]; ok {
		return nil
	}
	k, err := m.keys.get(name)
	if err != nil {
		return err
	}
	sub, err := m.tr.JoinSymmetric(whisper.TopicFromName(name), k, m.sink(src))
	if err != nil {
		return fmt.Errorf("%w: join %s: %w", ErrTransport, id, err)
	}
	m.filters[id] = sub
	return nil
}

func (m *Messenger) leaveLocked(id string) {
	if sub, ok := m.filters[id]; ok {
		delete(m.filters, id)
		sub.Unsubscribe()
	}
}

// sink is the Transport Sink of a subscription listening for src: it
// writes each message into the inbound queue, blocking while the queue is
// full (see inboundQueue), until the messenger stops.
func (m *Messenger) sink(src source) Sink {
	return func(rm ReceivedMessage) { m.in.pushMessage(inbound{msg: rm, src: src}) }
}

// receiveLoop is the receive goroutine: it handles one message at a time,
// from both lanes of the inbound queue.
func (m *Messenger) receiveLoop() {
	defer m.wg.Done()
	for {
		select {
		case <-m.in.ready:
			if m.hooks.beforeBatch != nil {
				m.hooks.beforeBatch()
			}
			msgs, dels := m.in.drain()
			for _, in := range msgs {
				m.receive(in)
				m.in.release()
			}
			for _, d := range dels {
				m.receiveDelivered(d)
			}
		case <-m.quit:
			return
		}
	}
}

// envelopeLoop feeds the Transport's envelope events to the delivery tracker.
func (m *Messenger) envelopeLoop() {
	defer m.wg.Done()
	for {
		select {
		case ev := <-m.tr.EnvelopeEvents():
			m.dl.onEnvelope(ev)
		case <-m.quit:
			return
		}
	}
}

// post hands env to the Transport and registers the envelope with the
// delivery tracker (ids: the status messages it carries, may be empty).
func (m *Messenger) post(ctx context.Context, env Envelope, ids []string) error {
	if env.TTL == 0 {
		env.TTL = m.cfg.TTL
	}
	h, err := m.tr.Post(ctx, env)
	if err != nil {
		return fmt.Errorf("%w: post: %w", ErrTransport, err)
	}
	m.posted.add(h)
	m.dl.envelopePosted(h, ids)
	return nil
}

// publishBundleLocked posts our bundle on our contact-code topic (§4.3),
// where our contacts and our other devices listen.
func (m *Messenger) publishBundleLocked() error {
	raw, err := m.enc.BundleMessage(m.cfg.Now(), m.rand)
	if err != nil {
		return fmt.Errorf("%w: bundle: %w", ErrEncryption, err)
	}
	name := encryption.ContactCodeTopicName(m.self)
	k, err := m.keys.get(name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.cfg.TTL)
	defer cancel()
	return m.post(ctx, Envelope{Topic: whisper.TopicFromName(name), SymKey: &k, Payload: raw}, nil)
}

// PublishBundle posts our current bundle on our contact-code topic again
// (Start does it once; call it after pairing changes).
func (m *Messenger) PublishBundle() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.runningLocked(); err != nil {
		return err
	}
	return m.publishBundleLocked()
}

func persistNegotiated(b *storage.Batch, name string) { b.Put(key(pfxNegotiated, []byte(name)), nil) }

// keyCache memoises PBKDF2 keys (65356 iterations each, §4.2).
type keyCache struct {
	mu   sync.Mutex
	keys map[string]whisper.SymKey
}

func newKeyCache() *keyCache { return &keyCache{keys: make(map[string]whisper.SymKey)} }

func (c *keyCache) get(name string) (whisper.SymKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[name]; ok {
		return k, nil
	}
	k, err := whisper.SymKeyFromPassword(name)
	if err != nil {
		return k, fmt.Errorf("%w: key for %q: %w", ErrTransport, name, err)
	}
	c.keys[name] = k
	return k, nil
}

// recentHashes remembers the last n envelopes we posted, so that our own
// envelopes echoed back by the router are skipped.
type recentHashes struct {
	mu    sync.Mutex
	set   map[EnvelopeHash]struct{}
	order []EnvelopeHash
	n     int
}

func newRecentHashes(n int) *recentHashes {
	return &recentHashes{set: make(map[EnvelopeHash]struct{}), n: n}
}

func (r *recentHashes) add(h EnvelopeHash) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[h]; ok {
		return
	}
	if len(r.order) == r.n {
		delete(r.set, r.order[0])
		r.order = r.order[1:]
	}
	r.set[h] = struct{}{}
	r.order = append(r.order, h)
}

func (r *recentHashes) has(h EnvelopeHash) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.set[h]
	return ok
}

// lockedReader serialises reads of a shared randomness source.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
