package whisper

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// control is a non-envelope packet for a peer (codes 2, 3, 127).
type control struct {
	code wproto.PacketCode
	body []byte
}

// peer is one connected Whisper peer. Its read loop (runPeer) owns limiter;
// its writer goroutine owns rw for writing; mu guards the fields below it.
type peer struct {
	w          *Whisper
	id         enode.ID
	log        *zap.Logger
	rw         p2p.MsgWriter
	disconnect func() // makes the read loop's ReadMsg fail; safe to call twice

	queue *sendQueue    // envelopes to forward, per source, bounded (Config.PeerQueue each)
	ctrl  chan control  // control packets, bounded
	quit  chan struct{} // closed when the read loop ends
	done  chan struct{} // closed when the writer has exited

	limiter  *rateLimiter   // read loop only
	confirms bool           // the peer asked for confirmations (§4.6)
	pending  pendingBatches // our batches awaiting its acknowledgement
	acks     *ackQueue      // confirmations owed to it (confirm.go)
	pace     bucket         // writer only: the peer's advertised rate (§4.6)
	paceSet  chan float64   // new advertised rates for the writer (code 20)
	session  uint64         // unique per connection, never 0 (entry.from)

	// ownedPayloads: the read loop may keep packet bodies without copying
	// them (readBody); set before the read loop starts.
	ownedPayloads bool

	mu      sync.Mutex
	known   map[*entry]known // pooled envelopes the peer has
	behind  bool             // an offer found the queue full: catch up from the pool
	powReq  float64
	bloom   wproto.Bloom
	light   bool
	trusted bool
}

// known is what a peer is known to have of one pooled envelope.
type known struct {
	expiry uint32
	theirs bool // the peer sent it to us on this connection
}

// controlQueue is the length of a peer's queue of control packets (PoW and
// bloom settings, rate limits, direct P2P messages); the confirmations of
// the batches it sends us wait in their own queue (ackQueue).
const controlQueue = 256

// sessions numbers peer connections for entry.from.
var sessions atomic.Uint64

func newPeer(w *Whisper, id enode.ID, rw p2p.MsgWriter, disconnect func(), st *wproto.Status, trusted bool) *peer {
	var once sync.Once
	return &peer{
		session:    sessions.Add(1),
		w:          w,
		id:         id,
		log:        w.log.With(zap.String("peer", id.TerminalString())),
		rw:         rw,
		disconnect: func() { once.Do(disconnect) },
		queue:      newSendQueue(w.cfg.PeerQueue),
		ctrl:       make(chan control, controlQueue),
		acks:       newAckQueue(),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
		limiter:    newRateLimiter(w.cfg.RateLimit, w.cfg.MaxMessageSize),
		confirms:   st.Confirmations,
		pace:       paceBucket(st.RateLimits.PerPeer(), w.cfg.PaceBurstSeconds),
		paceSet:    make(chan float64, 1),
		known:      make(map[*entry]known),
		powReq:     st.PoW,
		bloom:      st.Bloom,
		light:      st.LightNode,
		trusted:    trusted,
	}
}

// claim decides whether the pooled entry e should go to this peer — it
// matches the peer's bloom and PoW requirement and the peer does not have
// it yet — and if so records that the peer has it.
func (p *peer) claim(e *entry) bool {
	if e.from == p.session {
		return false // it came from this peer
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.known[e]; ok {
		return false
	}
	if e.pow < p.powReq || !p.bloom.Contains(e.env.Topic) {
		return false
	}
	p.known[e] = known{expiry: e.env.Expiry}
	return true
}

// markReceived records that the peer sent us the pooled entry e, and
// reports whether it had already sent it on this connection.
func (p *peer) markReceived(e *entry) (again bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	again = e.from == p.session || p.known[e].theirs
	p.known[e] = known{expiry: e.env.Expiry, theirs: true}
	return again
}

// offer queues e for the peer if claim allows it. It never blocks: when
// e's source already has its share queued, e stays unclaimed and the peer
// is marked behind, so that its writer sends it from the pool once the
// queue has drained (sendPool).
func (p *peer) offer(e *entry) {
	if !p.claim(e) {
		return
	}
	if !p.queue.push(e) {
		p.mu.Lock()
		delete(p.known, e)
		p.behind = true
		p.mu.Unlock()
		p.w.m.deferred.Inc()
	}
}

// info describes the peer for admin_peers: what its Status (and later
// settings packets) told us, and whether we trust it.
func (p *peer) info() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return map[string]any{"version": wproto.ProtocolVersionString, "powRequirement": p.powReq,
		"lightNode": p.light, "confirmations": p.confirms, "trusted": p.trusted}
}

// takeBehind reports and clears the behind mark.
func (p *peer) takeBehind() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.behind
	p.behind = false
	return b
}

// sendControl queues a control packet without blocking; a full control
// queue means the peer does not read, so it is not sent: P2P messages
// (code 127) are counted as envelopes dropped, the others by code.
func (p *peer) sendControl(code wproto.PacketCode, body []byte) bool {
	select {
	case p.ctrl <- control{code: code, body: body}:
		return true
	default:
		if code == wproto.P2PMessageCode {
			p.w.m.dropped.Inc(dropQueueFull)
		} else {
			p.w.m.controlDropped.Inc(code.String())
		}
		return false
	}
}

func (p *peer) forgetExpired(now time.Time) {
	n := now.Unix()
	p.mu.Lock()
	defer p.mu.Unlock()
	for e, k := range p.known {
		if int64(k.expiry) < n {
			delete(p.known, e)
		}
	}
}

func (p *peer) setRequirements(pow *float64, bloom *wproto.Bloom) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pow != nil {
		p.powReq = *pow
	}
	if bloom != nil {
		p.bloom = *bloom
	}
}

func (p *peer) setTrusted() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trusted = true
}

func (p *peer) isTrusted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.trusted
}

// writeLoop is the peer's writer goroutine: it first sends the pool's
// current envelopes the peer may want, then forwards queued envelopes in
// batches (round-robin across sources) and control packets as they come,
// and catches up from the pool when the queue overflowed. Fresh traffic
// and control packets go before the pool. It exits when the read loop
// ends (quit) or a write fails, which also disconnects the peer.
func (p *peer) writeLoop() {
	defer p.w.wg.Done()
	defer close(p.done)
	err := p.sendPool()
	for err == nil {
		select {
		case <-p.quit:
			return
		case c := <-p.ctrl:
			err = p.write(c.code, c.body)
		case <-p.acks.wake:
			err = p.writeAcks()
		case <-p.queue.wake:
			err = p.drain()
		}
		if err == nil && p.queue.len() == 0 && p.takeBehind() {
			err = p.sendPool()
		}
	}
	p.log.Debug("write failed", zap.Error(err))
	p.disconnect()
}

// drain writes control packets, owed confirmations and queued batches
// until all are empty or the peer is gone.
func (p *peer) drain() error {
	for {
		select {
		case <-p.quit:
			return nil
		case c := <-p.ctrl:
			if err := p.write(c.code, c.body); err != nil {
				return err
			}
			continue
		case <-p.acks.wake:
			if err := p.writeAcks(); err != nil {
				return err
			}
			continue
		default:
		}
		batch := p.queue.take(p.batchRoom(), p.w.cfg.BatchBytes)
		if len(batch) == 0 {
			return nil
		}
		if err := p.writeBatch(batch); err != nil {
			return err
		}
	}
}

// sendPool sends the peer every pooled envelope it may want and does not
// have yet, in batches: the initial sync, and the catch-up after its queue
// overflowed. Between two of its batches, what was queued meanwhile is sent
// first (drain), so a long catch-up does not delay fresh traffic.
func (p *peer) sendPool() error {
	var batch []*entry
	size := 0
	flush := func() error {
		if err := p.writeBatch(batch); err != nil {
			return err
		}
		batch, size = batch[:0], 0
		return p.drain()
	}
	for _, e := range p.w.pool.snapshot() {
		if !p.claim(e) {
			continue
		}
		batch = append(batch, e)
		size += len(e.raw)
		if len(batch) >= p.batchRoom() || size >= p.w.cfg.BatchBytes {
			if err := flush(); err != nil {
				return err
			}
			select {
			case <-p.quit:
				return nil
			default:
			}
		}
	}
	return flush()
}

// batchRoom is how many envelopes the next batch may carry: the batch
// limit, or, when the peer advertised a rate, what its budget holds now
// (at least one), so that a paced batch waits for one envelope's share of
// the rate rather than for a whole batch's.
func (p *peer) batchRoom() int {
	p.refreshPace()
	if p.pace.rate <= 0 {
		return p.w.cfg.BatchEnvelopes
	}
	p.pace.refill(p.w.cfg.Now())
	return max(1, min(p.w.cfg.BatchEnvelopes, int(p.pace.tokens)))
}

// writeBatch sends one Messages packet (code 1) built from the entries' wire
// bytes, skipping those that expired while queued.
func (p *peer) writeBatch(batch []*entry) error {
	now := p.w.cfg.Now()
	var content []byte
	n := 0
	for _, e := range batch {
		if e.env.Expired(now) {
			continue
		}
		content = append(content, e.raw...)
		n++
	}
	if n == 0 {
		return nil
	}
	if !p.waitPace(n) {
		return nil // the read loop has ended; the writer is about to exit
	}
	body := rlpListHeader(len(content))
	body = append(body, content...)
	if p.confirms {
		// Recorded before the write: the peer may acknowledge at once.
		var local []common.Hash
		for _, e := range batch {
			if e.local && !e.env.Expired(now) {
				local = append(local, e.hash())
			}
		}
		if len(local) > 0 {
			for _, h := range p.pending.add(wproto.BatchHash(body), local) {
				p.w.events.Publish(Event{Kind: EventEnvelopeSent, Hash: h, Peer: p.id})
			}
		}
	}
	if err := p.write(wproto.MessagesCode, body); err != nil {
		return err
	}
	p.w.m.out.Add(float64(n))
	for _, e := range batch {
		if e.local && !e.env.Expired(now) {
			p.w.events.Publish(Event{Kind: EventEnvelopeSent, Hash: e.hash(), Peer: p.id, Confirm: p.confirms})
		}
	}
	return nil
}

// paceBucket paces our envelopes to a peer that advertised rate messages
// per second (0: unpaced), with a burst of burstSeconds of it (by default
// what statusd itself allows): honest bursts go at once, and only a
// sustained excess — a flood we forward — is held back, so that it does
// not fill the connection ahead of other traffic.
func paceBucket(rate uint64, burstSeconds float64) bucket {
	return newBucket(float64(rate), float64(rate)*burstSeconds)
}

// setPace hands the writer the peer's new advertised rate; the latest wins.
func (p *peer) setPace(rate uint64) {
	for {
		select {
		case p.paceSet <- float64(rate):
			return
		default:
			select {
			case <-p.paceSet:
			default:
			}
		}
	}
}

// waitPace waits until n more envelopes fit the peer's advertised rate, so
// that we never send more than it said it accepts. It returns false when
// the peer goes away meanwhile.
func (p *peer) waitPace(n int) bool {
	p.refreshPace()
	wait := p.pace.take(p.w.cfg.Now(), float64(n))
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.quit:
		return false
	}
}

// refreshPace takes the latest rate the peer advertised, if any.
func (p *peer) refreshPace() {
	select {
	case r := <-p.paceSet:
		p.pace = paceBucket(uint64(r), p.w.cfg.PaceBurstSeconds)
	default:
	}
}

func (p *peer) write(code wproto.PacketCode, body []byte) error {
	return p.rw.WriteMsg(p2p.Msg{Code: uint64(code), Size: uint32(len(body)), Payload: bytes.NewReader(body)})
}

// rlpListHeader returns the RLP list header for content of size n.
func rlpListHeader(n int) []byte {
	if n < 56 {
		return []byte{0xC0 + byte(n)}
	}
	var b []byte
	for v := n; v > 0; v >>= 8 {
		b = append([]byte{byte(v)}, b...)
	}
	return append([]byte{0xF7 + byte(len(b))}, b...)
}
