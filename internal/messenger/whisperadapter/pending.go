package whisperadapter

import "github.com/statusnode/statusd/internal/messenger"

// compactAfter is how many taken events the pending FIFO lets pile up at
// its front before it moves the waiting ones down (when they are no more
// than the taken ones, so each event is moved at most once on average).
const compactAfter = 1024

// pendingEvents is the FIFO of envelope events classified and not yet taken
// by the messenger. The event goroutine owns it; it is not safe for
// concurrent use.
//
// It coalesces, so that it never holds the same fact twice: an envelope
// event equal in kind, envelope and (for acknowledgements and refusals)
// peer to one still waiting is not queued again, and a PeerConnected
// right behind another waiting one is not queued either (the messenger
// would re-post the same messages twice in a row). Events keep their order.
//
// Memory: for each envelope, at most one EnvelopeSent, one EnvelopeExpired
// and one EnvelopeAcknowledged and one EnvelopeRefused per peer, plus no
// more PeerConnected than other events. The router reports events about an
// envelope only between its Post and its expiry (TTL, 15 s by default), so
// while the messenger reads, the FIFO holds about what the envelopes of one
// TTL produce; while the messenger does not read, it grows by that much
// for each envelope the messenger posts meanwhile (some 200 bytes per
// event).
type pendingEvents struct {
	q    []messenger.EnvelopeEvent // q[head:] wait, oldest first
	head int
	keys map[eventKey]struct{} // the waiting envelope events (not PeerConnected)
}

// eventKey identifies one fact about an envelope: its sending and expiry
// happen once, its acknowledgement and refusal once per peer.
type eventKey struct {
	hash messenger.EnvelopeHash
	kind messenger.EnvelopeEventKind
	peer string
}

func keyOf(ev messenger.EnvelopeEvent) eventKey {
	k := eventKey{hash: ev.Hash, kind: ev.Kind, peer: ev.Peer}
	if ev.Kind == messenger.EnvelopeSent || ev.Kind == messenger.EnvelopeExpired {
		k.peer = ""
	}
	return k
}

// push queues ev at the back unless it repeats a waiting event.
func (p *pendingEvents) push(ev messenger.EnvelopeEvent) {
	if ev.Kind == messenger.PeerConnected {
		if n := len(p.q); n > p.head && p.q[n-1].Kind == messenger.PeerConnected {
			return
		}
		p.q = append(p.q, ev)
		return
	}
	k := keyOf(ev)
	if _, ok := p.keys[k]; ok {
		return
	}
	if p.keys == nil {
		p.keys = make(map[eventKey]struct{})
	}
	p.keys[k] = struct{}{}
	p.q = append(p.q, ev)
}

// len is the number of waiting events.
func (p *pendingEvents) len() int { return len(p.q) - p.head }

// front is the oldest waiting event; len must be > 0.
func (p *pendingEvents) front() messenger.EnvelopeEvent { return p.q[p.head] }

// pop removes the oldest waiting event; len must be > 0.
func (p *pendingEvents) pop() {
	if ev := p.q[p.head]; ev.Kind != messenger.PeerConnected {
		delete(p.keys, keyOf(ev))
	}
	p.q[p.head] = messenger.EnvelopeEvent{} // let its strings go
	p.head++
	switch {
	case p.head == len(p.q):
		p.q, p.head = p.q[:0], 0
		if cap(p.q) > compactAfter {
			p.q, p.keys = nil, nil // a burst's storage goes back to the garbage collector
		}
	case p.head >= compactAfter && 2*p.head >= len(p.q):
		n := copy(p.q, p.q[p.head:])
		clear(p.q[n:])
		p.q, p.head = p.q[:n], 0
	}
}
