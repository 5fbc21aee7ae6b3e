package mvds

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vacp2p/mvds/node"
	"github.com/vacp2p/mvds/state"

	driver "github.com/statusnode/statusd/internal/datasync"
	ds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

var (
	ourID   = peerID("statusd")
	theirID = state.PeerID(peerID("vacp2p/mvds"))
)

func peerID(name string) ds.PeerID {
	h := sha256.Sum256([]byte(name))
	var p ds.PeerID
	p[0] = 0x04
	copy(p[1:], h[:])
	copy(p[33:], h[:])
	return p
}

// pair is our driver and their node joined by a bridge, in one 1:1 group.
type pair struct {
	t      *testing.T
	ctx    context.Context
	b      *bridge
	ours   *driver.Driver
	clock  *driver.ManualClock
	theirs *theirPeer
	group  ds.GroupID

	mu        sync.Mutex
	delivered map[ds.MessageID]int // by our driver
}

func newPair(t *testing.T, interactive bool) *pair {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	p := &pair{t: t, ctx: ctx, b: newBridge(), clock: driver.NewManualClock(time.Unix(1565000000, 0)),
		delivered: make(map[ds.MessageID]int)}
	cfg := driver.DefaultConfig(ourID)
	theirMode := node.BATCH
	if interactive {
		cfg.Node.Mode = ds.ModeInteractive
		theirMode = node.INTERACTIVE
	}
	st := datasyncstore.New(storage.NewTable(storage.NewMemory(), datasyncstore.TableName))
	d, err := driver.New(cfg, st, ourTransport{p.b}, p.deliver, driver.WithClock(p.clock))
	if err != nil {
		t.Fatal(err)
	}
	p.ours, p.b.ours = d, d
	p.theirs = newTheirPeer(t, theirID, p.b, theirMode)
	p.b.theirs = p.theirs
	if p.group, err = ds.OneToOneGroupID(ourID, ds.PeerID(theirID)); err != nil {
		t.Fatal(err)
	}
	if err := p.theirs.node.AddPeer(state.GroupID(p.group), state.PeerID(ourID)); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	p.theirs.node.Start(0) // epochs are paced by gatedState, not by sleeping
	if err := d.AddPeer(ctx, p.group, ds.PeerID(theirID)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	return p
}

func (p *pair) deliver(d driver.Delivery) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delivered[d.ID()]++
}

// round runs one epoch on each side, each fully processed by the other
// before the next step.
func (p *pair) round() {
	t := p.t
	t.Helper()
	steps := []func() error{
		func() error { return p.clock.Advance(p.ctx, ds.StatusTickMillis*time.Millisecond) },
		func() error { return p.ours.Sync(p.ctx) }, // our tick's payloads are with their node
		func() error { return p.theirs.h.wait(p.ctx) },
		func() error { return p.theirs.tick(p.ctx) },
		func() error { return p.ours.Sync(p.ctx) }, // their payloads are stepped
	}
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
}

// settle runs rounds until both sides delivered what they expect and have
// nothing outstanding; it returns the number of rounds.
func (p *pair) settle(max int, wantOurs, wantTheirs int) int {
	t := p.t
	t.Helper()
	for r := 0; ; r++ {
		st, err := p.ours.Status(p.ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.mu.Lock()
		got := len(p.delivered)
		p.mu.Unlock()
		theirs, _ := p.theirs.deliveries()
		if got == wantOurs && theirs == wantTheirs && st.Outstanding == 0 && p.theirs.outstanding() == 0 {
			return r
		}
		if r == max {
			t.Fatalf("not settled after %d rounds: ours delivered %d/%d, outstanding %d; theirs delivered %d/%d, outstanding %d",
				max, got, wantOurs, st.Outstanding, theirs, wantTheirs, p.theirs.outstanding())
		}
		p.round()
	}
}

func (p *pair) stop() {
	if err := p.theirs.h.wait(p.ctx); err != nil {
		p.t.Error(err)
	}
	p.theirs.stop()
	p.b.close()
	if err := p.ours.Stop(); err != nil {
		p.t.Error(err)
	}
}

// TestInterop exchanges messages between statusd's MVDS and vacp2p/mvds in
// batch and interactive mode, each direction alone and both at once, with
// and without loss. Our side must deliver each message exactly once; both
// sides must end with every record acknowledged; every payload must parse
// on the other side.
func TestInterop(t *testing.T) {
	// Lose every other packet in each direction, starting with the first.
	everyOther := func(_ bool, n int) bool { return n%2 == 1 }
	cases := []struct {
		name        string
		interactive bool
		toTheirs    int
		toOurs      int
		drop        func(bool, int) bool
		maxRounds   int
	}{
		{"batch/ours-to-theirs", false, 10, 0, nil, 20},
		{"batch/theirs-to-ours", false, 0, 10, nil, 20},
		{"batch/both", false, 10, 10, nil, 20},
		{"batch/both-lossy", false, 10, 10, everyOther, 100},
		{"interactive/ours-to-theirs", true, 10, 0, nil, 20},
		{"interactive/theirs-to-ours", true, 0, 10, nil, 20},
		{"interactive/both", true, 10, 10, nil, 20},
		{"interactive/both-lossy", true, 10, 10, everyOther, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPair(t, c.interactive)
			p.b.drop = c.drop
			want := map[ds.MessageID][]byte{}
			for i := 0; i < c.toTheirs; i++ {
				body := []byte(fmt.Sprintf("statusd → mvds #%d", i))
				id, err := p.ours.Append(p.ctx, p.group, body)
				if err != nil {
					t.Fatal(err)
				}
				want[id] = body
			}
			theirIDs := map[ds.MessageID]bool{}
			for i := 0; i < c.toOurs; i++ {
				id, err := p.theirs.appendMessage(state.GroupID(p.group), []byte(fmt.Sprintf("mvds → statusd #%d", i)))
				if err != nil {
					t.Fatal(err)
				}
				theirIDs[ds.MessageID(id)] = true
			}
			rounds := p.settle(c.maxRounds, c.toOurs, c.toTheirs)
			p.check(want, theirIDs)
			s := p.b.snapshot()
			distinct, total := p.theirs.deliveries()
			t.Logf("settled in %d rounds; ours→theirs %+v; theirs→ours %+v; vacp2p/mvds delivered %d messages %d times",
				rounds, s[0], s[1], distinct, total)
			if c.interactive && c.toTheirs > 0 && (s[0].offers == 0 || s[1].requests == 0) {
				t.Fatalf("interactive mode without offers from us or requests from them: %+v %+v", s[0], s[1])
			}
			if c.interactive && c.toOurs > 0 && (s[1].offers == 0 || s[0].requests == 0) {
				t.Fatalf("interactive mode without offers from them or requests from us: %+v %+v", s[0], s[1])
			}
		})
	}
}

// check compares deliveries with what was appended on the other side.
func (p *pair) check(toTheirs map[ds.MessageID][]byte, toOurs map[ds.MessageID]bool) {
	t := p.t
	t.Helper()
	p.mu.Lock()
	for id, n := range p.delivered {
		if !toOurs[id] || n != 1 {
			t.Fatalf("our driver delivered %s %d times (expected: %v)", id, n, toOurs[id])
		}
	}
	p.mu.Unlock()
	p.theirs.mu.Lock()
	for id, body := range toTheirs {
		if got := p.theirs.bodies[state.MessageID(id)]; string(got) != string(body) {
			t.Fatalf("their node got %q for %s, want %q", got, id, body)
		}
	}
	p.theirs.mu.Unlock()
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	for _, err := range p.b.errs {
		t.Error(err)
	}
	for i, s := range p.b.stats {
		if s.reencoded != s.reencodedIdentical {
			t.Errorf("direction %d: %d of %d payloads re-encode to different bytes", i, s.reencoded-s.reencodedIdentical, s.reencoded)
		}
	}
}

func (b *bridge) snapshot() [2]dirStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}
