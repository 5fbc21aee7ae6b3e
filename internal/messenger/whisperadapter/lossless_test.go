package whisperadapter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// postMany posts n public envelopes with ttl through s and returns their
// hashes in order.
func postMany(t *testing.T, s *side, n int, ttl time.Duration) []messenger.EnvelopeHash {
	t.Helper()
	topic := wproto.TopicFromName("status")
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([]messenger.EnvelopeHash, n)
	for i := range hashes {
		h, err := s.a.Post(context.Background(), messenger.Envelope{Topic: topic, SymKey: &key, Payload: []byte{byte(i), byte(i >> 8)}, TTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		hashes[i] = h
	}
	return hashes
}

// routerEvents counts the router's events of kind about hashes on sub
// (drained by calling the returned function).
func routerEvents(sub *whisper.EventSubscription, kind whisper.EventKind, hashes []messenger.EnvelopeHash) func() int {
	ours := make(map[messenger.EnvelopeHash]bool, len(hashes))
	for _, h := range hashes {
		ours[h] = true
	}
	seen := 0
	return func() int {
		for {
			select {
			case ev := <-sub.C():
				if ev.Kind == kind && ours[messenger.EnvelopeHash(ev.Hash)] {
					seen++
				}
			default:
				return seen
			}
		}
	}
}

// quietRouter starts a bare router on the clock now that does not ask for
// confirmations (codes 11/12): our writes to it are reported sent at once.
func quietRouter(t *testing.T, now func() time.Time) *whisper.Whisper {
	return startRouter(t, now, false)
}

// TestEnvelopeEventsNotLostWhileUnread: the messenger does not read its
// envelope events while thousands of envelopes are posted, written to a
// peer (acknowledged by it, when it confirms) and expire — more events
// than EventBuffer and the router's own event buffers hold. When it reads,
// every envelope's sent, acknowledged and expired events arrive, in that
// order, each once. (With a confirming peer the envelopes are fewer: it
// must acknowledge every batch, and a router remembers 1 024 unacknowledged
// batches a peer.)
func TestEnvelopeEventsNotLostWhileUnread(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n        int
		confirms bool
	}{{"writes", 3000, false}, {"acknowledgements", 1000, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{now: time.Now()}
			alice := newSide(t, c)
			peer := quietRouter(t, c.Now)
			if tc.confirms {
				peer = newRouter(t, c.Now)
			}
			eventsNotLost(t, c, alice, peer, tc.n, tc.confirms)
		})
	}
}

func eventsNotLost(t *testing.T, c *clock, alice *side, peer *whisper.Whisper, n int, confirms bool) {
	watch := alice.w.SubscribeEvents(4 * n) // the test's view of the router
	defer watch.Unsubscribe()
	link(t, alice.w, peer)

	hashes := postMany(t, alice, n, 10*time.Second)
	sent := routerEvents(watch, whisper.EventEnvelopeSent, hashes)
	if confirms {
		sent = routerEvents(watch, whisper.EventEnvelopeAcknowledged, hashes)
	}
	testutil.WaitFor(t, 30*time.Second, "every envelope written (and acknowledged)", func() bool { return sent() == n })
	c.Add(12 * time.Second) // past the TTL: the sweeper expires them all at once
	expired := routerEvents(watch, whisper.EventEnvelopeExpired, hashes)
	testutil.WaitFor(t, 10*time.Second, "every envelope expired", func() bool { return expired() == n })

	peerID := enode.ID{2}.String()
	want := []messenger.EnvelopeEvent{{Kind: messenger.EnvelopeSent, Peer: peerID}}
	if confirms {
		want = append(want, messenger.EnvelopeEvent{Kind: messenger.EnvelopeAcknowledged, Peer: peerID})
	}
	want = append(want, messenger.EnvelopeEvent{Kind: messenger.EnvelopeExpired})
	got := make(map[messenger.EnvelopeHash]int, n) // events seen per envelope
	for _, h := range hashes {
		got[h] = 0
	}
	deadline := time.After(10 * time.Second)
	for seen := 0; seen < len(want)*n; {
		select {
		case ev := <-alice.a.EnvelopeEvents():
			if ev.Kind == messenger.PeerConnected {
				continue
			}
			i, ours := got[ev.Hash]
			if !ours || i >= len(want) {
				t.Fatalf("unexpected event %+v", ev)
			}
			if w := want[i]; ev.Kind != w.Kind || ev.Peer != w.Peer {
				t.Fatalf("event %d of %s: %+v, want %v", i, ev.Hash, ev, w.Kind)
			}
			got[ev.Hash]++
			seen++
		case <-deadline:
			lost := 0
			for _, k := range got {
				lost += len(want) - k
			}
			t.Fatalf("%d of %d envelope events lost", lost, len(want)*n)
		}
	}
}

// TestStopWithEventsWaiting: Stop returns, and the event goroutine ends
// (TestMain's leak check), while thousands of events wait for a messenger
// that never reads them.
func TestStopWithEventsWaiting(t *testing.T) {
	c := &clock{now: time.Now()}
	s := newSide(t, c)
	const n = 2000 // more than EventBuffer: the channel is full
	postMany(t, s, n, 5*time.Second)
	c.Add(10 * time.Second)
	testutil.WaitFor(t, 10*time.Second, "the expiries handed to the adapter", func() bool {
		return len(s.a.events) == cap(s.a.events)
	})
	stopped := make(chan struct{})
	go func() { s.a.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop blocked on events the messenger never took")
	}
}

// TestPendingEventsCoalesce: the pending FIFO keeps order, queues a repeat
// of a waiting fact (same envelope, kind and, for confirmations, peer) or
// a second PeerConnected in a row only once, queues it again once the
// first was taken, and keeps order across its compactions.
func TestPendingEventsCoalesce(t *testing.T) {
	h1, h2 := messenger.EnvelopeHash{1}, messenger.EnvelopeHash{2}
	ev := func(h messenger.EnvelopeHash, k messenger.EnvelopeEventKind, peer string) messenger.EnvelopeEvent {
		return messenger.EnvelopeEvent{Hash: h, Kind: k, Peer: peer}
	}
	peerUp := messenger.EnvelopeEvent{Kind: messenger.PeerConnected}
	var p pendingEvents
	for _, e := range []messenger.EnvelopeEvent{
		ev(h1, messenger.EnvelopeSent, "a"), ev(h1, messenger.EnvelopeSent, "b"), // sent once, whoever
		peerUp, peerUp,
		ev(h1, messenger.EnvelopeAcknowledged, "a"), ev(h1, messenger.EnvelopeAcknowledged, "b"),
		ev(h1, messenger.EnvelopeAcknowledged, "a"),
		ev(h2, messenger.EnvelopeRefused, "a"), ev(h2, messenger.EnvelopeRefused, "a"),
		peerUp,
		ev(h1, messenger.EnvelopeExpired, ""), ev(h2, messenger.EnvelopeExpired, ""), ev(h1, messenger.EnvelopeExpired, ""),
	} {
		p.push(e)
	}
	want := []messenger.EnvelopeEvent{
		ev(h1, messenger.EnvelopeSent, "a"), peerUp,
		ev(h1, messenger.EnvelopeAcknowledged, "a"), ev(h1, messenger.EnvelopeAcknowledged, "b"),
		ev(h2, messenger.EnvelopeRefused, "a"), peerUp,
		ev(h1, messenger.EnvelopeExpired, ""), ev(h2, messenger.EnvelopeExpired, ""),
	}
	if p.len() != len(want) {
		t.Fatalf("%d waiting, want %d", p.len(), len(want))
	}
	for i, w := range want {
		if got := p.front(); got != w {
			t.Fatalf("event %d: %+v, want %+v", i, got, w)
		}
		p.pop()
		if i == 0 {
			p.push(want[0]) // taken: the same fact is queued again
		}
	}
	if p.len() != 1 || p.front() != want[0] {
		t.Fatalf("after the first was taken: %d waiting", p.len())
	}
	p.pop()

	// Order across compactions, with the queue never empty.
	const n = 5 * compactAfter
	next := 0
	for i := range n {
		p.push(ev(messenger.EnvelopeHash{byte(i), byte(i >> 8)}, messenger.EnvelopeExpired, ""))
		if i%3 != 0 {
			continue
		}
		if got := p.front().Hash; got != (messenger.EnvelopeHash{byte(next), byte(next >> 8)}) {
			t.Fatalf("after %d pushes: front %x, want %d", i, got[:2], next)
		}
		p.pop()
		next++
	}
	for ; p.len() > 0; next++ {
		if got := p.front().Hash; got != (messenger.EnvelopeHash{byte(next), byte(next >> 8)}) {
			t.Fatalf("draining: front %x, want %d", got[:2], next)
		}
		p.pop()
	}
	if next != n || len(p.keys) != 0 || p.head != 0 {
		t.Fatalf("took %d of %d; %d keys left, head %d", next, n, len(p.keys), p.head)
	}
}

// TestBurstDeliveryStates: a burst of public messages sent through a
// messenger over the adapter to a peer ends with every message sent, and
// every envelope's expiry — all reported at once by the sweeper, more than
// EventBuffer — reaches the messenger, which leaves them sent.
func TestBurstDeliveryStates(t *testing.T) {
	if testing.Short() {
		t.Skip("burst")
	}
	const n = 1500
	c := &clock{now: time.Now()}
	node := newSide(t, c)
	peer := quietRouter(t, c.Now) // sent at the write: no acknowledgement to wait for
	m := startMessenger(t, node, c)
	link(t, node.w, peer)
	ids := make([]string, n)
	for i := range ids {
		id, err := m.Send(context.Background(), "status", messenger.Draft{Text: fmt.Sprintf("burst %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	sentAll := func() bool {
		for _, id := range ids {
			if d := delivery(t, m, id); d.State != messenger.DeliverySent {
				return false
			}
		}
		return true
	}
	testutil.WaitFor(t, 30*time.Second, "every message sent", sentAll)
	events := m.Subscribe(2 * n)
	defer events.Unsubscribe()
	c.Add(20 * time.Second) // past the TTL: every envelope expires
	expired := make(map[string]bool, n)
	testutil.WaitFor(t, 10*time.Second, "every expiry applied", func() bool {
		for {
			select {
			case ev := <-events.C():
				if e, ok := ev.(messenger.EnvelopeStateEvent); ok && e.Kind == messenger.EnvelopeExpired {
					for _, id := range e.MessageIDs {
						expired[id] = true
					}
				}
			default:
				for _, id := range ids {
					if !expired[id] {
						return false
					}
				}
				return true
			}
		}
	})
	if !sentAll() {
		t.Fatal("a message left sent after its envelope expired")
	}
}
