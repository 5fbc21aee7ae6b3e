package sessions

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// envelope is one ProtocolMessage in flight to one device.
type envelope struct {
	to      *device
	from    *device
	payload []byte
	id      string // the plaintext, unique per sent message
}

// world is a tiny network: a pool of envelopes delivered in random order,
// with loss and duplication, and a ledger of what each device decrypted.
type world struct {
	t         testing.TB
	c         *clock
	rng       *rand.Rand
	r         io.Reader // key material; one stream, so no two keys repeat
	devices   []*device
	pool      []envelope
	delivered []envelope
	got       map[string]map[string]int // device -> message id -> count
	want      map[string]map[string]bool
	lost      map[string]map[string]bool
	seq       int
}

func newWorld(t testing.TB, seed uint64, devs ...*device) *world {
	w := &world{t: t, c: newClock(), rng: rand.New(rand.NewPCG(seed, 1)), r: newRand(seed + 100), devices: devs,
		got: map[string]map[string]int{}, want: map[string]map[string]bool{}, lost: map[string]map[string]bool{}}
	for _, d := range devs {
		w.got[d.name], w.want[d.name], w.lost[d.name] = map[string]int{}, map[string]bool{}, map[string]bool{}
	}
	return w
}

// send makes from send a new message to peer; every device of the
// recipient identities except the sender gets an envelope.
func (w *world) send(from, peer *device) {
	w.seq++
	id := fmt.Sprintf("%s->%s #%d", from.name, peer.name, w.seq)
	out, err := from.m.SendDirect(w.c.tick(), w.r, peer.pub(), []byte(id))
	if err != nil {
		w.t.Fatalf("send %s: %v", id, err)
	}
	for _, o := range out {
		for _, d := range w.devices {
			if d == from || !d.identity.PublicKey.Equal(o.Recipient) {
				continue
			}
			w.want[d.name][id] = true
			w.pool = append(w.pool, envelope{to: d, from: from, payload: o.Payload, id: id})
		}
	}
}

func (w *world) deliver(e envelope) error {
	res, err := e.to.m.HandleMessage(w.c.tick(), w.r, e.from.pub(), e.payload)
	if err != nil {
		return err
	}
	if !res.Direct || !bytes.Equal(res.Plaintext, []byte(e.id)) {
		w.t.Fatalf("%s got %q, want %q", e.to.name, res.Plaintext, e.id)
	}
	w.got[e.to.name][e.id]++
	return nil
}

// step delivers, drops or duplicates one random envelope of the pool.
func (w *world) step(lossPct, dupPct int) {
	i := w.rng.IntN(len(w.pool))
	e := w.pool[i]
	w.pool = append(w.pool[:i], w.pool[i+1:]...)
	switch p := w.rng.IntN(100); {
	case p < lossPct:
		w.lost[e.to.name][e.id] = true
		return
	case p < lossPct+dupPct:
		w.pool = append(w.pool, e) // delivered again later
	}
	if err := w.deliver(e); err != nil {
		if w.got[e.to.name][e.id] > 0 && isRejection(err) {
			return // the duplicate of something already decrypted
		}
		w.t.Fatalf("%s: deliver %q: %v", e.to.name, e.id, err)
	}
	w.delivered = append(w.delivered, e)
}

func (w *world) drain() {
	for len(w.pool) > 0 {
		w.step(0, 0)
	}
}

// check: every message decrypted exactly once on every intended device,
// except the ones the network lost.
func (w *world) check() {
	for _, d := range w.devices {
		for id := range w.want[d.name] {
			n := w.got[d.name][id]
			if w.lost[d.name][id] && n == 0 {
				continue
			}
			if n != 1 {
				w.t.Errorf("%s decrypted %q %d times", d.name, id, n)
			}
		}
		for id := range w.got[d.name] {
			if !w.want[d.name][id] {
				w.t.Errorf("%s decrypted %q, not meant for it", d.name, id)
			}
		}
	}
}

// replayAll redelivers every delivered envelope; each must be rejected.
func (w *world) replayAll() {
	for _, e := range w.delivered {
		_, err := e.to.m.HandleMessage(w.c.tick(), w.r, e.from.pub(), e.payload)
		if !isRejection(err) {
			w.t.Fatalf("replay of %q at %s: err = %v", e.id, e.to.name, err)
		}
	}
}

// setup creates Alice (two paired installations) and Bob (one), and lets
// them learn each other's bundles from the contact-code topic.
func setup(t testing.TB, be backend, seed uint64) (w *world, a1, a2, b1 *device) {
	r := newRand(seed)
	alice, bob := mustKey(t, r), mustKey(t, r)
	a1, a2, b1 = newDevice(t, be, "alice1", alice), newDevice(t, be, "alice2", alice), newDevice(t, be, "bob1", bob)
	w = newWorld(t, seed, a1, a2, b1)
	pair(t, w.c, r, a1, a2)
	exchangeBundle(t, w.c, r, a1, b1)
	exchangeBundle(t, w.c, r, b1, a1)
	exchangeBundle(t, w.c, r, b1, a2)
	return w, a1, a2, b1
}

func TestConversation(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			w, a1, a2, b1 := setup(t, be, 1)
			// Both sides start at once: concurrent X3DH sessions.
			w.send(a1, b1)
			w.send(b1, a1)
			w.send(a2, b1)
			for i := 0; i < 150; i++ {
				switch w.rng.IntN(3) {
				case 0:
					w.send(a1, b1)
				case 1:
					w.send(a2, b1)
				default:
					w.send(b1, a1)
				}
				for len(w.pool) > 6 {
					w.step(5, 10)
				}
			}
			w.drain()
			// After the loss, a clean round trip still works everywhere.
			w.send(a1, b1)
			w.send(b1, a2)
			w.send(a2, b1)
			w.drain()
			w.check()
			w.replayAll()
			if n := len(w.got["alice2"]); n == 0 {
				t.Fatal("alice2 saw nothing")
			}
			own := 0
			for id := range w.got["alice2"] {
				if bytes.HasPrefix([]byte(id), []byte("alice1->")) {
					own++
				}
			}
			if own == 0 {
				t.Fatal("alice2 never saw alice1's sent messages")
			}
		})
	}
}
