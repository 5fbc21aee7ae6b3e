package whisper

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// Hooks for the mailserver roles (docs/PROTOCOL.md §4.5): the server
// archives accepted envelopes and answers code-126 requests; the client
// receives code-125 completions and filters code-127 envelopes (dedupe).

// EnvelopeHook is told about every envelope accepted into the pool (from a
// peer or a local Send), after forwarding and filter delivery. It is called
// on the accepting goroutine (a peer's read loop or Send's caller), must
// not block for long (a wait pauses that peer's reads, as a filter sink's
// does) and must not retain the envelope's slices beyond the call
// unless it copies them (the envelope is immutable, so keeping the pointer
// is fine).
type EnvelopeHook func(a Accepted)

// Accepted is an envelope accepted into the pool, as EnvelopeHook sees it.
type Accepted struct {
	Envelope  *wproto.Envelope
	Arrived   time.Time
	Delivered bool // a filter opened it and kept the message
	e         *entry
}

// Hash is the envelope hash (§5.3). The router hashes only the envelopes
// that need it (opened, posted, reported), so the first call may cost a
// keccak256 of the envelope.
func (a Accepted) Hash() common.Hash { return a.e.hash() }

// P2PEnvelopeHook decides whether an envelope received in a code-127 packet
// from a trusted peer is delivered to the P2P filters; false drops it and
// counts it as "p2p_filtered". It runs on the peer's read goroutine and must
// not block for long.
type P2PEnvelopeHook func(peer enode.ID, env *wproto.Envelope) bool

// P2PCompleteHook receives the body of a P2P Request Complete packet (code
// 125) from a trusted peer; it owns body. It runs on the peer's read
// goroutine after every code-127 packet the peer sent before it was
// handled, and must not block for long.
type P2PCompleteHook func(peer enode.ID, body []byte)

// SyncHook receives the body of a mailserver sync packet (code 123 or
// 124); it owns body. It runs on the peer's read goroutine and must not
// block for long.
type SyncHook func(peer enode.ID, body []byte)

const (
	dropUntrustedComplete = "untrusted_complete"
	dropUntrustedSync     = "untrusted_sync"
	dropNoSyncHandler     = "no_sync_handler"
	dropP2PFiltered       = "p2p_filtered"
)

// mailHooks holds the installed hooks; each may be nil.
type mailHooks struct {
	envelope atomic.Pointer[EnvelopeHook]
	p2p      atomic.Pointer[P2PEnvelopeHook]
	complete atomic.Pointer[P2PCompleteHook]
	syncReq  atomic.Pointer[SyncHook]
	syncResp atomic.Pointer[SyncHook]
}

// SetEnvelopeHook installs (or, with nil, removes) the accepted-envelope
// hook. Only one hook is kept; the last call wins.
func (w *Whisper) SetEnvelopeHook(h EnvelopeHook) { setHook(&w.hooks.envelope, h) }

// SetP2PEnvelopeHook installs (or removes) the code-127 delivery filter.
func (w *Whisper) SetP2PEnvelopeHook(h P2PEnvelopeHook) { setHook(&w.hooks.p2p, h) }

// SetP2PCompleteHook installs (or removes) the code-125 handler. Without a
// handler code-125 packets are ignored; from untrusted peers they are
// always dropped and counted as "untrusted_complete".
func (w *Whisper) SetP2PCompleteHook(h P2PCompleteHook) { setHook(&w.hooks.complete, h) }

// SetSyncRequestHook installs (or removes) the handler of P2P Sync
// Request packets (code 123). As in status-im/whisper v1.6, any peer may
// send one; the handler (a mailserver) decides whether to answer. Without
// a handler the packets are dropped and counted as "no_sync_handler".
func (w *Whisper) SetSyncRequestHook(h SyncHook) { setHook(&w.hooks.syncReq, h) }

// SetSyncResponseHook installs (or removes) the handler of P2P Sync
// Response packets (code 124). Only trusted peers' responses reach it;
// others are dropped and counted as "untrusted_sync".
func (w *Whisper) SetSyncResponseHook(h SyncHook) { setHook(&w.hooks.syncResp, h) }

func setHook[T any](p *atomic.Pointer[T], h T) {
	if any(h) == nil {
		p.Store(nil)
		return
	}
	p.Store(&h)
}

// hook returns the installed hook or the zero value.
func hook[T any](p *atomic.Pointer[T]) (T, bool) {
	if h := p.Load(); h != nil {
		return *h, true
	}
	var zero T
	return zero, false
}

func (w *Whisper) envelopeAccepted(e *entry, now time.Time, delivered bool) {
	if h, ok := hook(&w.hooks.envelope); ok && h != nil {
		h(Accepted{Envelope: e.env, Arrived: now, Delivered: delivered, e: e})
	}
}

// p2pAllowed applies the code-127 delivery filter to env.
func (w *Whisper) p2pAllowed(p *peer, env *wproto.Envelope) bool {
	h, ok := hook(&w.hooks.p2p)
	if !ok || h == nil || h(p.id, env) {
		return true
	}
	w.m.dropped.Inc(dropP2PFiltered)
	return false
}

// handleP2PComplete passes a code-125 body from a trusted peer to the hook.
func (w *Whisper) handleP2PComplete(p *peer, body []byte) {
	if !p.isTrusted() {
		w.m.dropped.Inc(dropUntrustedComplete)
		return
	}
	if h, ok := hook(&w.hooks.complete); ok && h != nil {
		h(p.id, body)
	}
}

func (w *Whisper) handleSyncRequest(p *peer, body []byte) {
	if h, ok := hook(&w.hooks.syncReq); ok && h != nil {
		h(p.id, body)
		return
	}
	w.m.dropped.Inc(dropNoSyncHandler)
}

func (w *Whisper) handleSyncResponse(p *peer, body []byte) {
	if !p.isTrusted() {
		w.m.dropped.Inc(dropUntrustedSync)
		return
	}
	if h, ok := hook(&w.hooks.syncResp); ok && h != nil {
		h(p.id, body)
		return
	}
	w.m.dropped.Inc(dropNoSyncHandler)
}

// SendP2PPacket queues a mailserver packet — code 123 to 127 — with
// the given body for the connected peer id. Unlike SendP2P it blocks while
// the peer's control queue is full, until ctx ends (error wrapping
// ctx.Err()) or the peer leaves (ErrPeerNotFound). Packets to one peer are
// written in the order they were queued. body must not be modified after
// the call.
func (w *Whisper) SendP2PPacket(ctx context.Context, id enode.ID, code wproto.PacketCode, body []byte) error {
	switch code {
	case wproto.P2PRequestCompleteCode, wproto.P2PRequestCode, wproto.P2PMessageCode,
		wproto.P2PSyncRequestCode, wproto.P2PSyncResponseCode:
	default:
		return fmt.Errorf("whisper: SendP2PPacket: code %s is not a mailserver code", code)
	}
	if uint64(len(body)) > uint64(w.MaxMessageSize())+maxPacketOverhead {
		return fmt.Errorf("%w: %s of %d bytes", ErrPacketTooLarge, code, len(body))
	}
	if err := w.running(); err != nil {
		return err
	}
	p, err := w.peer(id)
	if err != nil {
		return err
	}
	select {
	case p.ctrl <- control{code: code, body: body}:
		return nil
	case <-p.quit:
		return fmt.Errorf("%w: %s left", ErrPeerNotFound, id.TerminalString())
	case <-ctx.Done():
		return fmt.Errorf("whisper: send %s: %w", code, ctx.Err())
	}
}
