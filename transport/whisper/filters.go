package whisper

import (
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

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
	// NotLocal skips the envelopes this node posted itself (Send): a
	// client that knows what it sent need not have each one opened again.
	NotLocal bool

	// SignerWanted, when set, is asked on the goroutine that opens an
	// envelope whether the subscriber needs the signer of a signed
	// message with this payload (read-only: it must not keep or modify
	// payload). When it answers false, the signature is not recovered
	// before delivery: the message's Signer recovers it on first use, and
	// a message whose signature does not recover is delivered all the
	// same, for the subscriber to judge. Otherwise — and always when it
	// is nil, as for every shh_ filter — the signer is recovered before
	// delivery and a message whose signature does not recover is not
	// delivered, as go-ethereum's Whisper does. Ignored when Src is set.
	SignerWanted func(payload []byte) bool

	id      string
	maxSize int               // bytes a polled filter holds (Config.FilterBytes)
	sym     *wproto.SymCipher // KeySym prepared at install; read-only after
	asymID  [32]byte          // KeyAsym's scalar, the open cache's key

	mu     sync.Mutex // guards the fields below
	msgs   []*Message
	size   int            // bytes held in msgs (messageSize)
	lost   int            // messages not kept since the last TakeLost or Retrieve
	ch     chan *Message  // nil for polled and sink filters
	sink   func(*Message) // set by SubscribeFunc; read-only after install
	closed bool
}

// messageSize is what a held message counts against Config.FilterBytes:
// its plaintext plus a fixed allowance for the rest of the record.
func messageSize(m *Message) int { return len(m.Raw) + 256 }

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
// or to the polling buffer while it holds less than its byte bound. It
// reports whether m was taken (false for a closed filter, a lagging
// subscriber or a full buffer) and whether it was lost (not closed). Lost
// messages are counted for the client: TakeLost, Retrieve.
func (f *Filter) push(m *Message) (taken, lost bool) {
	if f.sink != nil {
		f.mu.Lock()
		closed := f.closed
		f.mu.Unlock()
		if closed {
			return false, false
		}
		f.sink(m) // may block: back-pressure on the delivering goroutine
		return true, false
	}
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
			f.lost++
			return false, true
		}
	}
	n := messageSize(m)
	if f.size+n > f.maxSize && len(f.msgs) > 0 {
		f.lost++
		return false, true
	}
	f.msgs = append(f.msgs, m)
	f.size += n
	return true, false
}

// Retrieve returns and forgets the oldest messages received since the last
// call, up to maxBytes of them (at least one; 0: all), for
// shh_getFilterMessages; the rest wait for the next call. When messages
// were lost since the last call (the buffer was at its bound), it returns
// no message and an error wrapping ErrMessagesLost that says how many, and
// the next call returns what is held. The slice belongs to the caller.
func (f *Filter) Retrieve(maxBytes int) ([]*Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lost > 0 {
		n := f.lost
		f.lost = 0
		return nil, fmt.Errorf("%w: %d messages since the last poll, the filter holds at most %d bytes (--shh.filterbytes); "+
			"poll more often; the messages it holds come with the next poll", ErrMessagesLost, n, f.maxSize)
	}
	n, size := 0, 0
	for n < len(f.msgs) && (maxBytes <= 0 || n == 0 || size+messageSize(f.msgs[n]) <= maxBytes) {
		size += messageSize(f.msgs[n])
		n++
	}
	out := f.msgs[:n:n]
	f.msgs = f.msgs[n:]
	f.size -= size
	if len(f.msgs) == 0 {
		f.msgs = nil
	}
	return out, nil
}

// TakeLost returns and resets the number of messages a subscription could
// not take because its reader lagged (the channel was full).
func (f *Filter) TakeLost() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.lost
	f.lost = 0
	return n
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
	byTopic map[wproto.Topic]*filterSet
	any     filterSet // asymmetric filters without topics
}

// filterSet is a list of filters with O(1) removal (swap with the last).
// Readers copy it under the read lock (candidates).
type filterSet struct {
	list []*Filter
	pos  map[*Filter]int
}

func (s *filterSet) add(f *Filter) {
	if s.pos == nil {
		s.pos = make(map[*Filter]int)
	}
	if _, ok := s.pos[f]; ok {
		return
	}
	s.pos[f] = len(s.list)
	s.list = append(s.list, f)
}

func (s *filterSet) remove(f *Filter) {
	i, ok := s.pos[f]
	if !ok {
		return
	}
	last := len(s.list) - 1
	s.list[i] = s.list[last]
	s.pos[s.list[i]] = i
	s.list[last] = nil
	s.list = s.list[:last]
	delete(s.pos, f)
}

func newFilters(w *Whisper) *Filters {
	return &Filters{w: w, byID: make(map[string]*Filter), byTopic: make(map[wproto.Topic]*filterSet)}
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

// SubscribeFunc adds a filter whose messages are handed to sink, called on
// the goroutine that delivers the envelope: a peer's read loop, or the
// caller of Send for a local post. Unlike Subscribe there is no queue in
// between and nothing is dropped: sink may block, and while it does the
// delivering goroutine (and the peer it reads from) waits — back-pressure
// instead of loss. sink must therefore never wait for anything that itself
// waits on the router. A delivery already under way when Uninstall runs
// may still reach sink after Uninstall returns.
func (fs *Filters) SubscribeFunc(f *Filter, sink func(*Message)) (string, error) {
	f.sink = sink
	return fs.install(f, nil)
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
	if f.KeyAsym != nil {
		f.asymID = [32]byte(crypto.FromECDSA(f.KeyAsym))
	}
	f.id, f.ch, f.maxSize = hex.EncodeToString(raw[:]), ch, fs.w.cfg.FilterBytes
	f.Topics = uniqueTopics(f.Topics)
	fs.mu.Lock()
	if len(fs.byID) >= fs.w.cfg.MaxFilters {
		fs.mu.Unlock()
		return "", fmt.Errorf("%w: the node holds at most %d filters (--shh.maxfilters); uninstall some first", ErrTooManyFilters, fs.w.cfg.MaxFilters)
	}
	fs.byID[f.id] = f
	if len(f.Topics) == 0 {
		fs.any.add(f)
	}
	for _, t := range f.Topics {
		set := fs.byTopic[t]
		if set == nil {
			set = &filterSet{}
			fs.byTopic[t] = set
		}
		set.add(f)
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

// Len is the number of installed filters.
func (fs *Filters) Len() int {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	return len(fs.byID)
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
		fs.any.remove(f)
		for _, t := range f.Topics {
			if set := fs.byTopic[t]; set != nil {
				set.remove(f)
				if len(set.list) == 0 {
					delete(fs.byTopic, t)
				}
			}
		}
	}
	fs.mu.Unlock()
	if ok {
		f.close()
	}
	return ok
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
	var l []*Filter
	if set := fs.byTopic[t]; set != nil {
		l = set.list
	}
	if len(l)+len(fs.any.list) == 0 {
		return nil
	}
	out := make([]*Filter, 0, len(l)+len(fs.any.list))
	return append(append(out, l...), fs.any.list...)
}

// deliver opens e for every matching filter and hands over the message.
// Each distinct key is tried once per envelope. It reports whether at
// least one filter kept the message. Called on the ingesting goroutine; it
// never blocks.
func (fs *Filters) deliver(e *entry, p2p bool, now time.Time) bool {
	got, tries := fs.open(e, p2p, now)
	fs.countTries(tries)
	return fs.hand(got)
}

// deliverCounting is deliver for a caller that counts the keys tried for a
// whole packet at once: it adds them to *tries instead of the metric.
func (fs *Filters) deliverCounting(e *entry, p2p bool, now time.Time, tries *int) bool {
	got, n := fs.open(e, p2p, now)
	*tries += n
	return fs.hand(got)
}

// countTries adds n keys tried to the trial decryptions metric.
func (fs *Filters) countTries(n int) {
	if n > 0 {
		fs.w.m.decryptions.Add(float64(n))
	}
}

// minParallelOpen is the fewest envelopes deliverAll spreads over
// goroutines.
const minParallelOpen = 4

// deliverAll is deliver for the envelopes of one packet, handed over in
// their order. Opening them — decryption and signature recovery, most of
// the cost — is spread over GOMAXPROCS goroutines, which have all exited
// when it returns; the hand-over stays on the calling goroutine.
func (fs *Filters) deliverAll(es []*entry, p2p bool, now time.Time) {
	workers := min(runtime.GOMAXPROCS(0), len(es))
	if len(es) < minParallelOpen || workers < 2 {
		for _, e := range es {
			fs.deliver(e, p2p, now)
		}
		return
	}
	got := make([][]opened, len(es))
	tries := make([]int, len(es))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(es); i += workers {
				got[i], tries[i] = fs.open(es[i], p2p, now)
			}
		}()
	}
	wg.Wait()
	n := 0
	for i := range es {
		fs.hand(got[i])
		n += tries[i]
	}
	fs.countTries(n)
}

// opened is a filter that wants an envelope, with the message its key
// opened.
type opened struct {
	f *Filter
	m *Message
}

// open tries e with the key of every filter that may want it (each
// distinct key once) and returns the filters whose key opened it and the
// keys tried. It changes no filter, so envelopes may be opened on several
// goroutines at once (one goroutine per envelope).
func (fs *Filters) open(e *entry, p2p bool, now time.Time) ([]opened, int) {
	cands := fs.candidates(e.env.Topic)
	if len(cands) == 0 {
		return nil, 0
	}
	var got []opened
	oc := openCache{e: e, p2p: p2p, now: now}
	for _, f := range cands {
		if (p2p && !f.AllowP2P) || (f.NotLocal && e.local) || (f.PoW > 0 && e.pow < f.PoW) {
			continue
		}
		m := oc.open(f)
		if m == nil || !f.accepts(m) {
			continue
		}
		got = append(got, opened{f, m})
	}
	return got, oc.tries
}

// accepts reports whether f takes m, a message its key opened: signed by
// the expected signer, if f names one; else with a signature that
// recovers, unless f leaves the recovery to later (SignerWanted).
func (f *Filter) accepts(m *Message) bool {
	if f.Src != nil {
		return m.SignedBy(f.Src)
	}
	if !m.HasSignature() || (f.SignerWanted != nil && !f.SignerWanted(m.Payload)) {
		return true
	}
	_, err := m.Signer()
	return err == nil
}

// hand pushes what open found to the filters and counts the messages
// delivered and lost; it reports whether at least one filter kept the
// message. The caller counts the keys tried (countTries).
func (fs *Filters) hand(got []opened) bool {
	delivered, lost := 0, 0
	for _, o := range got {
		taken, missed := o.f.push(o.m)
		if taken {
			delivered++
		}
		if missed {
			lost++
		}
	}
	if delivered > 0 {
		fs.w.m.delivered.Add(float64(delivered))
	}
	if lost > 0 {
		fs.w.m.dropped.Add(float64(lost), dropFilterBacklog)
	}
	return delivered > 0
}

// openKey identifies a filter's key by value (the symmetric key, or the
// private key's scalar), so filters sharing a key try it once per envelope
// however many they are.
type openKey struct {
	sym  wproto.SymKey
	asym [32]byte
}

// openCache remembers, for one envelope, the result of each key tried
// (nil: it did not open), and the envelope's PoW and hash for the message.
// A few keys are searched linearly; beyond that a map takes over.
type openCache struct {
	e        *entry
	p2p      bool
	tries    int // keys tried (decryptions attempted)
	now      time.Time
	known    wproto.Known
	hasKnown bool
	n        int
	keys     [openCacheLinear]openKey
	msgs     [openCacheLinear]*Message
	byKey    map[openKey]*Message
}

const openCacheLinear = 8

// open returns the message f's key opens from the envelope (nil when it
// does not), one *Message shared by every filter with the same key.
func (c *openCache) open(f *Filter) *Message {
	var k openKey
	if f.KeySym != nil {
		k.sym = *f.KeySym
	} else {
		k.asym = f.asymID
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
	c.tries++
	var rm *wproto.ReceivedMessage
	var err error
	switch {
	case f.sym != nil:
		rm, err = wproto.OpenSymmetricKnown(c.e.env, f.sym, c.known)
	case f.KeySym != nil: // not installed through Filters.install
		rm, err = wproto.OpenSymmetric(c.e.env, f.KeySym, c.now)
	default:
		rm, err = wproto.OpenAsymmetricKnown(c.e.env, f.KeyAsym, c.known)
	}
	var m *Message
	if err == nil {
		if rm.EnvelopeHash == (common.Hash{}) {
			rm.EnvelopeHash = c.e.hash()
		}
		m = &Message{ReceivedMessage: rm, P2P: c.p2p}
	}
	switch {
	case c.byKey != nil:
		c.byKey[k] = m
	case c.n < openCacheLinear:
		c.keys[c.n], c.msgs[c.n] = k, m
		c.n++
	default:
		c.byKey = make(map[openKey]*Message, 2*openCacheLinear)
		for i := range c.n {
			c.byKey[c.keys[i]] = c.msgs[i]
		}
		c.byKey[k] = m
	}
	return m
}
