package mvds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/golang/protobuf/proto"
	mvdspb "github.com/vacp2p/mvds/protobuf"
	"github.com/vacp2p/mvds/state"
	"github.com/vacp2p/mvds/transport"

	driver "github.com/statusnode/statusd/internal/datasync"
	ds "github.com/statusnode/statusd/protocol/datasync"
)

// bridge is the in-memory wire between our driver and their node. Every
// payload crosses it as protobuf bytes: ours are decoded with vacp2p/mvds's
// generated code, theirs are encoded with it and decoded by ours. drop, when
// set, loses packets deterministically.
type bridge struct {
	ours   interface{ Receive(ds.PeerID, []byte) error }
	theirs *theirPeer
	closed chan struct{}
	drop   func(toTheirs bool, n int) bool

	mu    sync.Mutex
	stats [2]dirStats // [0]: ours → theirs, [1]: theirs → ours
	errs  []error     // wire mismatches and delivery errors
}

// dirStats counts what crossed the bridge in one direction.
type dirStats struct {
	packets, dropped, bytes, empty int
	acks, offers, requests, msgs   int
	reencoded, reencodedIdentical  int
}

func newBridge() *bridge { return &bridge{closed: make(chan struct{})} }

func (b *bridge) close() { close(b.closed) }

func (b *bridge) fail(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, fmt.Errorf(format, args...))
}

// count records a packet and reports whether it is dropped.
func (b *bridge) count(toTheirs bool, data []byte, p *mvdspb.Payload) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := 1
	if toTheirs {
		i = 0
	}
	s := &b.stats[i]
	s.packets++
	s.bytes += len(data)
	s.acks += len(p.Acks)
	s.offers += len(p.Offers)
	s.requests += len(p.Requests)
	s.msgs += len(p.Messages)
	if b.drop != nil && b.drop(toTheirs, s.packets) {
		s.dropped++
		return true
	}
	return false
}

func (b *bridge) reencoded(toTheirs, identical bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := 1
	if toTheirs {
		i = 0
	}
	b.stats[i].reencoded++
	if identical {
		b.stats[i].reencodedIdentical++
	}
}

// ourTransport is the driver's Transport: our bytes → their node.
type ourTransport struct{ b *bridge }

func (t ourTransport) Send(ctx context.Context, to ds.PeerID, pkt driver.Packet) error {
	b, data := t.b, pkt.Payload
	var p mvdspb.Payload
	if err := proto.Unmarshal(data, &p); err != nil || !p.IsValid() {
		b.fail("vacp2p/mvds cannot parse our payload (%v): %x", err, data)
		return errors.New("bridge: unparsable")
	}
	if again, err := proto.Marshal(&p); err == nil {
		b.reencoded(true, bytes.Equal(again, data))
	}
	if state.PeerID(to) != b.theirs.id {
		b.fail("payload for unknown peer %s", to)
		return errors.New("bridge: unknown peer")
	}
	if b.count(true, data, &p) {
		return nil
	}
	b.theirs.h.expect(len(p.Acks) + len(p.Offers) + len(p.Requests) + 2*len(p.Messages))
	select {
	case b.theirs.in <- transport.Packet{Sender: state.PeerID(ourID), Payload: p}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-b.closed:
		return errors.New("bridge: closed")
	}
}

// theirTransport is vacp2p/mvds's transport.Transport: their payloads →
// bytes → our driver's Receive.
type theirTransport struct{ b *bridge }

func (t theirTransport) Watch() transport.Packet {
	select {
	case p := <-t.b.theirs.in:
		return p
	case <-t.b.closed:
		return transport.Packet{}
	}
}

func (t theirTransport) Send(sender, to state.PeerID, p mvdspb.Payload) error {
	b := t.b
	data, err := proto.Marshal(&p)
	if err != nil {
		b.fail("marshal their payload: %v", err)
		return err
	}
	if !p.IsValid() {
		// vacp2p/mvds emits an empty payload for a peer after handling a
		// payload that carried no message (AddAcks with no IDs). Such bytes
		// are "not MVDS" to a receiver (§0); check that ours says so.
		if err := b.ours.Receive(ds.PeerID(sender), data); !errors.Is(err, ds.ErrNotPayload) {
			b.fail("empty payload: Receive = %v, want ErrNotPayload", err)
		}
		b.mu.Lock()
		b.stats[1].empty++
		b.mu.Unlock()
		return nil
	}
	ours, err := ds.DecodePayload(data, ds.DefaultLimits())
	if err != nil {
		b.fail("our decoder rejects their payload (%v): %x", err, data)
		return err
	}
	if again, err := ours.Marshal(); err == nil {
		b.reencoded(false, bytes.Equal(again, data))
	}
	if to != state.PeerID(ourID) || sender != b.theirs.id {
		b.fail("their payload %s → %x… is misaddressed", ds.PeerID(sender), to[:4])
	}
	if b.count(false, data, &p) {
		return nil
	}
	if err := b.ours.Receive(ds.PeerID(sender), data); err != nil {
		b.fail("our driver refused their payload: %v", err)
		return err
	}
	return nil
}
