package whisper

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// runPeer is the body of Protocol().Run, on the goroutine p2p gives the
// peer: handshake, register, start the writer, then read packets until the
// connection fails or the peer misbehaves. disconnect must make a pending
// rw.ReadMsg return. On return the peer is unregistered and its writer has
// exited; the error (if any) says why the peer was dropped.
func (w *Whisper) runPeer(id enode.ID, name string, rw p2p.MsgReadWriter, trusted bool, disconnect func()) error {
	w.mu.Lock()
	if w.stopped || !w.started {
		w.mu.Unlock()
		return ErrStopped
	}
	w.wg.Add(1)
	w.mu.Unlock()
	defer w.wg.Done()

	st, err := w.handshake(rw, disconnect)
	if err != nil {
		w.m.disconnects.Inc("handshake")
		w.log.Debug("handshake failed", zap.String("peer", id.TerminalString()), zap.Error(err))
		return err
	}
	p := newPeer(w, id, rw, disconnect, st, trusted)
	_, p.ownedPayloads = rw.(ownedPayloads)
	if err := w.register(p); err != nil {
		return err
	}
	defer w.unregister(p)
	if rate := w.cfg.RateLimit.EnvelopesPerSecond; rate > 0 && !trusted {
		// Tell the peer what we read from it (§4.6), so that it paces
		// itself instead of being slowed.
		p.sendControl(wproto.RateLimitingCode, wproto.EncodeRateLimits(wproto.RateLimits{PeerID: uint64(rate)}))
	}
	p.log.Debug("peer connected", zap.String("name", name), zap.Bool("light", st.LightNode), zap.Float64("pow", st.PoW))
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		err = w.handlePacket(p, msg)
		msg.Discard()
		if err != nil {
			w.m.disconnects.Inc(disconnectReason(err))
			p.log.Debug("dropping peer", zap.Error(err))
			return err
		}
	}
}

// handshake exchanges Status packets (§5.2): ours is sent concurrently so
// that two peers on a synchronous pipe do not wait for each other; theirs
// must be the first packet and arrive within HandshakeTimeout.
func (w *Whisper) handshake(rw p2p.MsgReadWriter, disconnect func()) (*wproto.Status, error) {
	errc := make(chan error, 1)
	body := wproto.EncodeStatus(w.status())
	go func() {
		errc <- rw.WriteMsg(p2p.Msg{Code: uint64(wproto.StatusCode), Size: uint32(len(body)), Payload: bytesReader(body)})
	}()
	timer := time.AfterFunc(w.cfg.HandshakeTimeout, disconnect)
	st, err := readStatus(rw)
	timer.Stop()
	if err != nil {
		disconnect() // lets our own write finish
		<-errc
		return nil, err
	}
	if err := <-errc; err != nil {
		return nil, fmt.Errorf("%w: send status: %w", ErrHandshake, err)
	}
	if st.LightNode && w.LightClient() && w.cfg.RestrictLightClients {
		return nil, ErrLightClientPeer
	}
	return st, nil
}

func readStatus(rw p2p.MsgReader) (*wproto.Status, error) {
	msg, err := rw.ReadMsg()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	defer msg.Discard()
	if msg.Code != uint64(wproto.StatusCode) {
		return nil, fmt.Errorf("%w: first packet has code %d", ErrHandshake, msg.Code)
	}
	if msg.Size > wproto.MaxStatusPacketSize {
		return nil, fmt.Errorf("%w: status of %d bytes", ErrHandshake, msg.Size)
	}
	body, err := io.ReadAll(msg.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	st, err := wproto.DecodeStatus(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	return st, nil
}

func (w *Whisper) register(p *peer) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return ErrStopped
	}
	if _, dup := w.peers[p.id]; dup {
		return fmt.Errorf("%w: duplicate peer %s", ErrHandshake, p.id.TerminalString())
	}
	w.peers[p.id] = p
	w.peerVals = append(w.peerVals, p)
	w.wg.Add(1)
	go p.writeLoop()
	w.events.Publish(Event{Kind: EventPeerAdded, Peer: p.id})
	return nil
}

func (w *Whisper) unregister(p *peer) {
	w.mu.Lock()
	delete(w.peers, p.id)
	if i := slices.Index(w.peerVals, p); i >= 0 {
		w.peerVals = slices.Delete(w.peerVals, i, i+1)
	}
	w.mu.Unlock()
	close(p.quit)
	<-p.done
	w.events.Publish(Event{Kind: EventPeerDropped, Peer: p.id})
}

// handlePacket processes one packet (§5.1). A returned error disconnects the
// peer; hostile input that does not warrant that is dropped and counted.
func (w *Whisper) handlePacket(p *peer, msg p2p.Msg) error {
	code := wproto.PacketCode(msg.Code)
	w.m.packets.Inc(code.String())
	if msg.Size > w.MaxMessageSize()+maxPacketOverhead {
		return fmt.Errorf("%w: %s of %d bytes", ErrPacketTooLarge, code, msg.Size)
	}
	switch code {
	case wproto.MessagesCode, wproto.PowRequirementCode, wproto.BloomFilterExCode, wproto.RateLimitingCode,
		wproto.BatchAcknowledgedCode, wproto.MessageResponseCode,
		wproto.P2PRequestCode, wproto.P2PMessageCode, wproto.P2PRequestCompleteCode,
		wproto.P2PSyncRequestCode, wproto.P2PSyncResponseCode:
	default:
		return nil // status again, unknown: counted above, ignored
	}
	body, err := readBody(msg, p.ownedPayloads)
	if err != nil {
		return err
	}
	switch code {
	case wproto.MessagesCode:
		return w.handleEnvelopes(p, body)
	case wproto.PowRequirementCode:
		pow, err := wproto.DecodePoWRequirement(body)
		if err != nil {
			return err
		}
		p.setRequirements(&pow, nil)
	case wproto.BloomFilterExCode:
		bloom, err := wproto.DecodeBloomPacket(body)
		if err != nil {
			return err
		}
		p.setRequirements(nil, &bloom)
	case wproto.BatchAcknowledgedCode:
		w.handleBatchAck(p, body)
	case wproto.MessageResponseCode:
		w.handleMessageResponse(p, body)
	case wproto.RateLimitingCode:
		rl, err := wproto.DecodeRateLimits(body)
		if err != nil {
			return err
		}
		p.setPace(rl.PerPeer())
	case wproto.P2PRequestCode:
		w.mu.RLock()
		h := w.p2pRequest
		w.mu.RUnlock()
		if h != nil {
			h(p.id, body)
		}
	case wproto.P2PMessageCode:
		return w.handleP2PMessages(p, body)
	case wproto.P2PRequestCompleteCode:
		w.handleP2PComplete(p, body)
	case wproto.P2PSyncRequestCode:
		w.handleSyncRequest(p, body)
	case wproto.P2PSyncResponseCode:
		w.handleSyncResponse(p, body)
	}
	return nil
}

// ownedPayloads marks the MsgReadWriter that p2p hands Protocol().Run:
// go-ethereum's p2p reads every message into a buffer of its own, a copy of
// the decrypted frame that nothing else keeps or writes (p2p/transport.go,
// checked by TestOwnedPayloadsStayIntact), and wraps it in a *bytes.Reader.
type ownedPayloads struct{ p2p.MsgReadWriter }

// readBody returns msg's whole payload of msg.Size bytes. When owned (the
// peer's rw is ownedPayloads) and the payload is a *bytes.Reader holding
// exactly that, it returns the reader's buffer itself instead of a copy:
// envelopes decoded from the body alias it (DecodeEnvelopesWire), and a
// packet of 128 envelopes then costs no 40 KB allocation and copy. Anything
// else is read into a fresh buffer.
func readBody(msg p2p.Msg, owned bool) ([]byte, error) {
	if r, ok := msg.Payload.(*bytes.Reader); ok && owned && r.Len() == int(msg.Size) {
		var c captured
		if _, err := r.WriteTo(&c); err != nil {
			return nil, err
		}
		if len(c.b) == int(msg.Size) {
			return c.b, nil
		}
		return nil, fmt.Errorf("whisper: payload of %d bytes, want %d", len(c.b), msg.Size)
	}
	body := make([]byte, msg.Size)
	if _, err := io.ReadFull(msg.Payload, body); err != nil {
		return nil, err
	}
	return body, nil
}

// captured keeps the slice that bytes.Reader.WriteTo passes it, which is
// the reader's own buffer. It is used only on owned payloads (readBody), for
// which keeping that buffer is safe.
type captured struct{ b []byte }

func (c *captured) Write(b []byte) (int, error) {
	c.b = b[:len(b):len(b)]
	return len(b), nil
}

// maxPacketOverhead allows a packet the RLP around one max-size envelope.
const maxPacketOverhead = 64

func (w *Whisper) handleEnvelopes(p *peer, body []byte) error {
	envs, err := wproto.DecodeEnvelopesWire(body, w.MaxMessageSize())
	if err != nil {
		w.m.dropped.Inc(dropMalformed)
		return err
	}
	// Per packet, not per envelope: the clock, the acceptance settings and
	// the peers to forward to. The rate budget first: past it, the read
	// loop waits before it reads on (back-pressure, nothing dropped).
	trusted := p.isTrusted()
	if !trusted {
		if err := w.throttle(p, len(envs), len(body)); err != nil {
			return err
		}
	}
	defer w.inflight.end(w.inflight.begin()) // for Settle
	now := w.cfg.Now()
	b := w.newBatch(now)
	b.confirm = p.confirms && w.cfg.Confirmations
	entries := make([]*entry, len(envs))
	slab := make([]entry, len(envs)) // one allocation per packet, as the envelopes'
	for i, we := range envs {
		e := &slab[i]
		e.env, e.raw = we.Env, we.Raw
		entries[i] = e
	}
	pooled := w.prepare(entries, now)
	detachFew(entries, pooled, envs)
	defer b.count(w) // also when a refusal disconnects the peer
	for i, e := range entries {
		if err := w.ingest(e, pooled[i], p, now, b); err != nil {
			return err
		}
	}
	if !trusted && p.limiter.abusive() {
		return ErrAbusivePeer
	}
	if b.confirm {
		w.confirm(p, body, b.refused)
	}
	return nil
}

// detachShare sets when a packet's new envelopes are copied out of it:
// when fewer than one in detachShare of its envelopes is not pooled yet.
// A pooled envelope that aliases its packet keeps the whole body (some
// 40 KB for 128 envelopes) and the packet's entry and envelope slabs
// alive until it expires; a packet of mostly duplicates, as a relay with
// several peers gets, would then pin up to 128 times the bytes pooled. A
// quarter bounds that to four times and copies at most a quarter of a
// packet's bytes.
const detachShare = 4

// detachFew replaces the entries of es that are not pooled yet (pooled[i]
// == nil, as prepare found) with copies that share nothing with the packet
// (WireEnvelope.Detach), keeping what prepare computed, when they are fewer
// than one in detachShare. envs are the packet's decoded envelopes, in the
// order of es.
func detachFew(es, pooled []*entry, envs []wproto.WireEnvelope) {
	fresh := 0
	for _, x := range pooled {
		if x == nil {
			fresh++
		}
	}
	if fresh == 0 || fresh*detachShare >= len(es) {
		return
	}
	for i, e := range es {
		if pooled[i] != nil {
			continue
		}
		d := envs[i].Detach()
		es[i] = &entry{env: d.Env, raw: d.Raw, key: e.key, pow: e.pow, powSet: e.powSet}
	}
}

// throttle reserves a packet's budget from p's rate limiter and, when it is
// spent, waits before the read loop reads on: TCP flow control then slows
// the sender. It returns ErrStopped if the router stops meanwhile.
func (w *Whisper) throttle(p *peer, n, size int) error {
	wait := p.limiter.reserve(w.cfg.Now(), n, size)
	if wait <= 0 {
		return nil
	}
	w.m.throttled.Add(wait.Seconds())
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-w.quit:
		return ErrStopped
	}
}

// minPerWorker is the fewest envelopes worth handing to another goroutine:
// their PoW, batched eight lanes at a time, takes some 0.4 µs each, so 32
// of them are worth a goroutine's start and keep the lanes busy.
const minPerWorker = 32

// prepare does the order-free work of ingest for a packet's entries: their
// dedupe keys, the pool lookup, and for those not pooled yet
// the PoW at now (§5.4, a keccak256 of the envelope), computed together
// (wproto.PoWBatch) and spread over up to Config.IngestWorkers goroutines
// for a large packet. It returns, per entry, the pooled entry with the
// same envelope or nil; ingest then takes them in order. A duplicate that
// the pool gains meanwhile merely had its PoW computed.
func (w *Whisper) prepare(es []*entry, now time.Time) []*entry {
	pooled := make([]*entry, len(es))
	work := func(lo, hi int) {
		s, _ := w.powScratch.Get().(*powScratch)
		if s == nil {
			s = new(powScratch)
		}
		for _, e := range es[lo:hi] {
			e.key = w.pool.keyOf(e.raw)
		}
		w.pool.findAll(es[lo:hi], pooled[lo:hi])
		for i := lo; i < hi; i++ {
			if pooled[i] == nil {
				s.envs, s.at = append(s.envs, es[i].env), append(s.at, i)
			}
		}
		s.pows = slices.Grow(s.pows[:0], len(s.envs))[:len(s.envs)]
		s.batch.PoW(s.envs, now, s.pows)
		for k, i := range s.at {
			es[i].pow, es[i].powSet = s.pows[k], true
		}
		clear(s.envs) // keep no envelope alive in the pool
		s.envs, s.at = s.envs[:0], s.at[:0]
		w.powScratch.Put(s)
	}
	n := min(w.cfg.IngestWorkers, len(es)/minPerWorker)
	if n <= 1 {
		work(0, len(es))
		return pooled
	}
	size := (len(es) + n - 1) / n
	var wg sync.WaitGroup
	for lo := size; lo < len(es); lo += size {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			work(lo, hi)
		}(lo, min(lo+size, len(es)))
	}
	work(0, size)
	wg.Wait()
	return pooled
}

// powScratch is what one prepare goroutine needs to batch the PoW of its
// share of a packet; Whisper.powScratch keeps them between packets.
type powScratch struct {
	batch wproto.PoWBatch
	envs  []*wproto.Envelope
	at    []int // index in the packet of envs[k]
	pows  []float64
}

// ingestBatch holds what ingest needs that stays the same for all the
// envelopes of one packet.
type ingestBatch struct {
	params  wproto.AcceptParams
	light   bool
	confirm bool                   // collect refusals for a Message Response
	refused []wproto.EnvelopeError // when confirm
	// Counted for the packet and added to the metrics once (count), for
	// envelopes from a peer: accepted, and keys tried on them by filters.
	accepted, tries int
}

// count adds what b counted to the metrics.
func (b *ingestBatch) count(w *Whisper) {
	if b.accepted > 0 {
		w.m.in.Add(float64(b.accepted), "peer")
	}
	w.filters.countTries(b.tries)
}

func (w *Whisper) newBatch(now time.Time) *ingestBatch {
	return &ingestBatch{params: w.acceptParams(now), light: w.LightClient()}
}

// handleP2PMessages takes envelopes sent to us directly (code 127, e.g. by
// a mailserver). Only trusted peers may send them (§4.5); they skip the
// pool and the acceptance rules and go to filters with allowP2P.
func (w *Whisper) handleP2PMessages(p *peer, body []byte) error {
	if !p.isTrusted() {
		w.m.dropped.Inc(dropUntrustedP2P)
		return nil
	}
	envs, err := wproto.DecodeP2PEnvelopes(body, w.MaxMessageSize())
	if err != nil {
		w.m.dropped.Inc(dropMalformed)
		return err
	}
	// From before the delivery hook (which may record the envelopes as
	// handled) until the filters have them: what Settle waits for.
	defer w.inflight.end(w.inflight.begin())
	now := w.cfg.Now()
	allowed := make([]*entry, 0, len(envs))
	for _, e := range envs {
		w.m.in.Inc("p2p")
		if w.p2pAllowed(p, e) {
			allowed = append(allowed, w.newEntry(e))
		}
	}
	w.filters.deliverAll(allowed, true, now)
	return nil
}

// ingest applies §5.8 to one envelope from p (nil for local posts), adds it
// to the pool, forwards it to eligible peers at once and then hands it to
// the filters. e.key is set; pooled is the pool's entry with the same
// envelope as found by the caller, or nil. b carries the packet's settings
// (newBatch). Errors that must disconnect the peer are returned; the others
// are counted.
func (w *Whisper) ingest(e, pooled *entry, from *peer, now time.Time, b *ingestBatch) error {
	env := e.env
	if pooled != nil {
		w.duplicate(pooled, from, now)
		return nil
	}
	known := -1.0 // PoW not computed yet
	if e.powSet {
		known = e.pow
	}
	pow, err := wproto.CheckEnvelopeWithPoW(env, now, &b.params, known)
	if err != nil {
		w.m.dropped.Inc(dropReason(err))
		if from != nil && errors.Is(err, wproto.ErrEnvelopeFromFuture) {
			from.limiter.penalize(now, 1)
		}
		if b.confirm {
			b.refused = append(b.refused, envelopeError(e.hash(), err))
		}
		if from != nil && mustDisconnect(err) {
			return err
		}
		if from == nil {
			return err
		}
		return nil
	}
	e.pow, e.powSet, e.local = pow, true, from == nil
	if from != nil {
		e.from = from.session // from has it (claim), as markKnown would say
	}
	if x, added := w.pool.add(e); !added {
		w.duplicate(x, from, now)
		return nil
	}
	w.broadcast(e, from, b)
	var delivered bool
	if from != nil { // counted for the packet (ingestBatch.count)
		b.accepted++
		delivered = w.filters.deliverCounting(e, false, now, &b.tries)
	} else {
		w.m.in.Inc("local")
		delivered = w.filters.deliver(e, false, now)
	}
	w.envelopeAccepted(e, now, delivered)
	return nil
}

// duplicate counts an envelope the pool already holds. One that from had
// already sent on this connection is what no honest peer does (each side
// remembers what the other has), so it raises from's abuse score.
func (w *Whisper) duplicate(pooled *entry, from *peer, now time.Time) {
	w.m.dropped.Inc(dropDuplicate)
	if from != nil && from.markReceived(pooled) {
		from.limiter.penalize(now, 1)
	}
}

// broadcast offers e to every peer but its sender. A light client forwards
// only its own envelopes (§4.6).
func (w *Whisper) broadcast(e *entry, from *peer, b *ingestBatch) {
	if from != nil && b.light {
		return
	}
	// Under the read lock rather than over a copy of the peer list: offer
	// never blocks, and a peer registering now either is seen here or
	// snapshots the pool (initialSync) after e was added.
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, p := range w.peerVals {
		if p != from {
			p.offer(e)
		}
	}
}

func mustDisconnect(err error) bool {
	return errors.Is(err, wproto.ErrEnvelopeTooLarge) || errors.Is(err, wproto.ErrPoWTooLow) || errors.Is(err, wproto.ErrBloomMismatch)
}

func dropReason(err error) string {
	switch {
	case errors.Is(err, wproto.ErrEnvelopeExpired):
		return dropExpired
	case errors.Is(err, wproto.ErrEnvelopeFromFuture):
		return dropFuture
	case errors.Is(err, wproto.ErrEnvelopeVeryOld):
		return dropVeryOld
	case errors.Is(err, wproto.ErrEnvelopeTooLarge):
		return dropTooLarge
	case errors.Is(err, wproto.ErrPoWTooLow):
		return dropLowPoW
	case errors.Is(err, wproto.ErrBloomMismatch):
		return dropBloom
	default:
		return dropMalformed
	}
}

func disconnectReason(err error) string {
	switch {
	case errors.Is(err, ErrAbusivePeer):
		return "abusive"
	case errors.Is(err, ErrPacketTooLarge):
		return "packet_too_large"
	case mustDisconnect(err):
		return dropReason(err)
	default:
		return "protocol_error"
	}
}
