package whisper

import (
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// Filter selects messages for a client (§5.8): exactly one of KeySym and
// KeyAsym; Topics (required with KeySym; without topics an asymmetric
// filter sees every envelope); minimum PoW; expected signer; whether P2P
// messages (code 127) are accepted. The exported fields must not change
// after Install or Subscribe.
type Filter struct {
	KeySym   *wproto.SymKey
	KeyAsym  *ecdsa.PrivateKey
	Topics   []wproto.Topic
	PoW      float64
	Src      *ecdsa.PublicKey
	AllowP2P bool

	id  string
	cap int
	sym *wproto.SymCipher // KeySym prepared at install; read-only after

	mu     sync.Mutex // guards the fields below
	msgs   []*Message
	ch     chan *Message // nil for polled filters
	closed bool
}

func (f *Filter) validate() error {
	switch {
	case (f.KeySym == nil) == (f.KeyAsym == nil):
		return fmt.Errorf("%w: exactly one of symmetric key and private key", ErrInvalidFilter)
	case f.KeySym != nil && !f.KeySym.Valid():
		return fmt.Errorf("%w: %w", ErrInvalidFilter, wproto.ErrInvalidSymKey)
	case f.KeySym != nil && len(f.Topics) == 0:
		return fmt.Errorf("%w: topics are required with a symmetric key", ErrInvalidFilter)
	case f.KeyAsym != nil && !wproto.ValidatePrivateKey(f.KeyAsym):
		return fmt.Errorf("%w: %w", ErrInvalidFilter, wproto.ErrInvalidPrivateKey)
	}
	return nil
}

// ID is the filter ID given by Install or Subscribe.
func (f *Filter) ID() string { return f.id }

// push hands m to the filter: to the subscriber's channel without blocking,
// or to the polling buffer, dropping the oldest message when it is full. It
// reports whether m was taken (false only for a closed filter or a lagging
// subscriber) and whether a message was lost: m itself for a lagging
// subscriber, the oldest one for a full polling buffer.
func (f *Filter) push(m *Message) (taken, lost bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false, false
	}
	if f.ch != nil {
		select {
		case f.ch <- m:
			return true, false
		default:
			return false, true
		}
	}
	if len(f.msgs) >= f.cap {
		f.msgs = f.msgs[1:]
		lost = true
	}
	f.msgs = append(f.msgs, m)
	return true, lost
}

// Retrieve returns and forgets the messages received since the last call
// (shh_getFilterMessages). The slice belongs to the caller.
func (f *Filter) Retrieve() []*Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.msgs
	f.msgs = nil
	return out
}

func (f *Filter) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		if f.ch != nil {
			close(f.ch)
		}
	}
}

// Message is an opened envelope handed to a filter. The embedded message is
// shared by every filter with the same key and must not be modified.
type Message struct {
	*wproto.ReceivedMessage
	P2P bool // arrived as a P2P message (code 127)
}

// Filters indexes installed filters by topic, so the cost of matching an
// envelope depends on the filters for its topic, not on how many there are.
// All methods are safe for concurrent use; the mutex guards the maps.
type Filters struct {
	w *Whisper

	mu      sync.RWMutex
	byID    map[string]*Filter
	byTopic map[wproto.Topic][]*Filter
	any     []*Filter // asymmetric filters without topics
}

func newFilters(w *Whisper) *Filters {
	return &Filters{w: w, byID: make(map[string]*Filter), byTopic: make(map[wproto.Topic][]*Filter)}
}

// Install adds a polled filter and returns its ID (shh_newMessageFilter).
// The node bloom is widened to cover its topics.
func (fs *Filters) Install(f *Filter) (string, error) {
	return fs.install(f, nil)
}

// Subscribe adds a filter whose messages are pushed to the returned
// channel as they arrive (shh_subscribe). The channel holds
// Config.FilterQueue messages; when the reader lags, new messages are
// dropped and counted rather than blocking the router. The channel is
// closed by Uninstall or when the service stops.
func (fs *Filters) Subscribe(f *Filter) (string, <-chan *Message, error) {
	ch := make(chan *Message, fs.w.cfg.FilterQueue)
	id, err := fs.install(f, ch)
	return id, ch, err
}

func (fs *Filters) install(f *Filter, ch chan *Message) (string, error) {
	if err := f.validate(); err != nil {
		return "", err
	}
	var raw [wproto.KeyIDSize]byte
	if _, err := io.ReadFull(fs.w.cfg.Rand, raw[:]); err != nil {
		return "", fmt.Errorf("%w: %w", wproto.ErrRandom, err)
	}
	if f.KeySym != nil {
		c, err := wproto.NewSymCipher(f.KeySym)
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrInvalidFilter, err)
		}
		f.sym = c
	}
	f.id, f.ch, f.cap = hex.EncodeToString(raw[:]), ch, fs.w.cfg.FilterQueue
	fs.mu.Lock()
	fs.byID[f.id] = f
	if len(f.Topics) == 0 {
		fs.any = append(fs.any, f)
	}
	for _, t := range uniqueTopics(f.Topics) {
		fs.byTopic[t] = append(fs.byTopic[t], f)
	}
	fs.mu.Unlock()
	if len(f.Topics) > 0 {
		fs.w.widenBloom(wproto.BloomFromTopics(f.Topics...))
	}
	return f.id, nil
}

func uniqueTopics(ts []wproto.Topic) []wproto.Topic {
	seen := make(map[wproto.Topic]bool, len(ts))
	out := ts[:0:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Get returns the filter with id, or an error wrapping ErrFilterNotFound.
func (fs *Filters) Get(id string) (*Filter, error) {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	f, ok := fs.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrFilterNotFound, id)
	}
	return f, nil
}

// Uninstall removes a filter and closes its channel; it reports whether
// the filter existed.
func (fs *Filters) Uninstall(id string) bool {
	fs.mu.Lock()
	f, ok := fs.byID[id]
	if ok {
		delete(fs.byID, id)
		fs.any = without(fs.any, f)
		for _, t := range f.Topics {
			if l := without(fs.byTopic[t], f); len(l) > 0 {
				fs.byTopic[t] = l
			} else {
				delete(fs.byTopic, t)
			}
		}
	}
	fs.mu.Unlock()
	if ok {
		f.close()
	}
	return ok
}

func without(l []*Filter, f *Filter) []*Filter {
	out := l[:0:0]
	for _, g := range l {
		if g != f {
			out = append(out, g)
		}
	}
	return out
}

func (fs *Filters) closeAll() {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	for _, f := range fs.byID {
		f.close()
	}
}

// candidates returns the filters that may want an envelope on topic t.
func (fs *Filters) candidates(t wproto.Topic) []*Filter {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	l := fs.byTopic[t]
	if len(fs.any) == 0 {
		return l
	}
	out := make([]*Filter, 0, len(l)+len(fs.any))
	return append(append(out, l...), fs.any...)
}

// deliver opens e for every matching filter and hands over the message.
// Each distinct key is tried once per envelope. It reports whether at
// least one filter kept the message. Called on the ingesting goroutine; it
// never blocks.
func (fs *Filters) deliver(e *entry, p2p bool, now time.Time) bool {
	cands := fs.candidates(e.env.Topic)
	if len(cands) == 0 {
		return false
	}
	kept := false
	oc := openCache{e: e, now: now}
	for _, f := range cands {
		if (p2p && !f.AllowP2P) || (f.PoW > 0 && e.pow < f.PoW) {
			continue
		}
		m := oc.open(f)
		if m == nil || (f.Src != nil && !m.SignedBy(f.Src)) {
			continue
		}
		taken, lost := f.push(&Message{ReceivedMessage: m, P2P: p2p})
		if taken {
			fs.w.m.delivered.Inc()
			kept = true
		}
		if lost {
			fs.w.m.dropped.Inc(dropFilterBacklog)
		}
	}
	return kept
}

// openKey identifies a filter's key: the symmetric key by value, the
// private key by pointer.
type openKey struct {
	sym  wproto.SymKey
	asym *ecdsa.PrivateKey
}

// openCache remembers, for one envelope, the result of each key tried
// (nil: it did not open), and the envelope's PoW and hash for the message.
// A few keys are searched linearly; beyond that a map takes over.
type openCache struct {
	e        *entry
	now      time.Time
	known    wproto.Known
	hasKnown bool
	n        int
	keys     [openCacheLinear]openKey
	msgs     [openCacheLinear]*wproto.ReceivedMessage
	byKey    map[openKey]*wproto.ReceivedMessage
}

const openCacheLinear = 8

func (c *openCache) open(f *Filter) *wproto.ReceivedMessage {
	var k openKey
	if f.KeySym != nil {
		k.sym = *f.KeySym
	} else {
		k.asym = f.KeyAsym
	}
	if c.byKey != nil {
		if m, ok := c.byKey[k]; ok {
			return m
		}
	} else {
		for i := range c.n {
			if c.keys[i] == k {
				return c.msgs[i]
			}
		}
	}
	if !c.hasKnown {
		// The hash is filled in below for the envelopes that open: most
		// tried never do, and hashing them would cost a keccak each.
		c.known = wproto.Known{PoW: c.e.pow}
		if !c.e.powSet {
			c.known.PoW = c.e.env.PoW(c.now)
		}
		c.hasKnown = true
	}
	var m *wproto.ReceivedMessage
	var err error
	switch {
	case f.sym != nil:
		m, err = wproto.OpenSymmetricKnown(c.e.env, f.sym, c.known)
	case f.KeySym != nil: // not installed through Filters.install
		m, err = wproto.OpenSymmetric(c.e.env, f.KeySym, c.now)
	default:
		m, err = wproto.OpenAsymmetricKnown(c.e.env, f.KeyAsym, c.known)
	}
	if err != nil {
		m = nil
	} else if m.EnvelopeHash == (common.Hash{}) {
		m.EnvelopeHash = c.e.hash()
	}
	switch {
	case c.byKey != nil:
		c.byKey[k] = m
	case c.n < openCacheLinear:
		c.keys[c.n], c.msgs[c.n] = k, m
		c.n++
	default:
		c.byKey = make(map[openKey]*wproto.ReceivedMessage, 2*openCacheLinear)
		for i := range c.n {
			c.byKey[c.keys[i]] = c.msgs[i]
		}
		c.byKey[k] = m
	}
	return m
}
