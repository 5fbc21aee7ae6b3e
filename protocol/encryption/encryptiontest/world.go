package encryptiontest

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/statusnode/statusd/protocol/encryption"
)

// Device is one installation: an identity, an installation ID and a
// Manager over its own Store.
type Device struct {
	Name         string
	Identity     *ecdsa.PrivateKey
	Installation string
	Store        encryption.Store
	M            *encryption.Manager
}

// NewDevice starts a Manager for installation name+"-installation" of
// identity over st.
func NewDevice(t testing.TB, name string, identity *ecdsa.PrivateKey, st encryption.Store) *Device {
	t.Helper()
	d := &Device{Name: name, Identity: identity, Installation: name + "-installation"}
	d.Restart(t, st)
	return d
}

// Restart drops the Manager and all its in-memory state and starts a new
// one over st (the same store, or the same data reopened).
func (d *Device) Restart(t testing.TB, st encryption.Store) {
	t.Helper()
	d.M = nil
	d.Store = st
	m, err := encryption.NewManager(encryption.Config{Identity: d.Identity, InstallationID: d.Installation}, st)
	if err != nil {
		t.Fatal(err)
	}
	d.M = m
}

// Pub is the device's identity public key.
func (d *Device) Pub() *ecdsa.PublicKey { return &d.Identity.PublicKey }

// MustKey draws a secp256k1 private key from r.
func MustKey(t testing.TB, r io.Reader) *ecdsa.PrivateKey {
	t.Helper()
	var b [32]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			t.Fatal(err)
		}
		if k, err := crypto.ToECDSA(b[:]); err == nil {
			return k
		}
	}
}

// Clock is a simulated clock; Now is its current time.
type Clock struct{ Now time.Time }

// NewClock starts in August 2019 (a zero time.Time has no Unix ns form).
func NewClock() *Clock { return &Clock{Now: time.Unix(1565000000, 0)} }

// Tick advances the clock by one second and returns the new time.
func (c *Clock) Tick() time.Time {
	c.Now = c.Now.Add(time.Second)
	return c.Now
}

// NewRand returns a deterministic stream of key material for seed.
func NewRand(seed uint64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

// ExchangeBundle delivers from's contact-code message to to.
func ExchangeBundle(t testing.TB, c *Clock, r io.Reader, from, to *Device) *encryption.Received {
	t.Helper()
	raw, err := from.M.BundleMessage(c.Tick(), r)
	if err != nil {
		t.Fatal(err)
	}
	res, err := to.M.HandleMessage(c.Tick(), r, from.Pub(), raw)
	if err != nil {
		t.Fatalf("%s handles %s's bundle: %v", to.Name, from.Name, err)
	}
	return res
}

// Pair makes a and b (same identity) discover and enable each other.
func Pair(t testing.TB, c *Clock, r io.Reader, a, b *Device) {
	t.Helper()
	res := ExchangeBundle(t, c, r, b, a)
	if len(res.NewInstallations) != 1 || res.NewInstallations[0].ID != b.Installation {
		t.Fatalf("%s did not discover %s: %+v", a.Name, b.Name, res.NewInstallations)
	}
	if err := a.M.EnableInstallation(b.Installation); err != nil {
		t.Fatal(err)
	}
	ExchangeBundle(t, c, r, a, b)
	if err := b.M.EnableInstallation(a.Installation); err != nil {
		t.Fatal(err)
	}
}

// IsRejection reports whether err is how a replay or duplicate shows.
func IsRejection(err error) bool {
	return errors.Is(err, encryption.ErrReplay) || errors.Is(err, encryption.ErrDecrypt)
}

// Envelope is one ProtocolMessage in flight to one device.
type Envelope struct {
	To      *Device
	From    *Device
	Payload []byte
	ID      string // the plaintext, unique per sent message
}

// World is a tiny network: a pool of envelopes delivered in random order,
// with loss and duplication, and a ledger of what each device decrypted.
// It is driven from one goroutine.
type World struct {
	T         testing.TB
	C         *Clock
	Rng       *rand.Rand
	R         io.Reader // key material; one stream, so no two keys repeat
	Devices   []*Device
	Pool      []Envelope
	Delivered []Envelope
	Got       map[string]map[string]int // device -> message id -> count
	want      map[string]map[string]bool
	lost      map[string]map[string]bool
	seq       int
}

// NewWorld returns an empty network between devs, seeded by seed.
func NewWorld(t testing.TB, seed uint64, devs ...*Device) *World {
	w := &World{T: t, C: NewClock(), Rng: rand.New(rand.NewPCG(seed, 1)), R: NewRand(seed + 100), Devices: devs,
		Got: map[string]map[string]int{}, want: map[string]map[string]bool{}, lost: map[string]map[string]bool{}}
	for _, d := range devs {
		w.Got[d.Name], w.want[d.Name], w.lost[d.Name] = map[string]int{}, map[string]bool{}, map[string]bool{}
	}
	return w
}

// Send makes from send a new message to peer; every device of the
// recipient identities except the sender gets an envelope in the pool.
func (w *World) Send(from, peer *Device) {
	w.T.Helper()
	w.seq++
	id := fmt.Sprintf("%s->%s #%d", from.Name, peer.Name, w.seq)
	out, err := from.M.SendDirect(w.C.Tick(), w.R, peer.Pub(), []byte(id))
	if err != nil {
		w.T.Fatalf("send %s: %v", id, err)
	}
	for _, o := range out {
		for _, d := range w.Devices {
			if d == from || !d.Identity.PublicKey.Equal(o.Recipient) {
				continue
			}
			w.want[d.Name][id] = true
			w.Pool = append(w.Pool, Envelope{To: d, From: from, Payload: o.Payload, ID: id})
		}
	}
}

func (w *World) deliver(e Envelope) error {
	res, err := e.To.M.HandleMessage(w.C.Tick(), w.R, e.From.Pub(), e.Payload)
	if err != nil {
		return err
	}
	if !res.Direct || !bytes.Equal(res.Plaintext, []byte(e.ID)) {
		w.T.Fatalf("%s got %q, want %q", e.To.Name, res.Plaintext, e.ID)
	}
	w.Got[e.To.Name][e.ID]++
	return nil
}

// Step delivers, drops (lossPct in 100) or duplicates (dupPct in 100) one
// random envelope of the pool.
func (w *World) Step(lossPct, dupPct int) {
	w.T.Helper()
	i := w.Rng.IntN(len(w.Pool))
	e := w.Pool[i]
	w.Pool = append(w.Pool[:i], w.Pool[i+1:]...)
	switch p := w.Rng.IntN(100); {
	case p < lossPct:
		w.lost[e.To.Name][e.ID] = true
		return
	case p < lossPct+dupPct:
		w.Pool = append(w.Pool, e) // delivered again later
	}
	if err := w.deliver(e); err != nil {
		if w.Got[e.To.Name][e.ID] > 0 && IsRejection(err) {
			return // the duplicate of something already decrypted
		}
		w.T.Fatalf("%s: deliver %q: %v", e.To.Name, e.ID, err)
	}
	w.Delivered = append(w.Delivered, e)
}

// Drain delivers everything in the pool, without loss.
func (w *World) Drain() {
	w.T.Helper()
	for len(w.Pool) > 0 {
		w.Step(0, 0)
	}
}

// Check: every message decrypted exactly once on every intended device,
// except the ones the network lost.
func (w *World) Check() {
	w.T.Helper()
	for _, d := range w.Devices {
		for id := range w.want[d.Name] {
			n := w.Got[d.Name][id]
			if w.lost[d.Name][id] && n == 0 {
				continue
			}
			if n != 1 {
				w.T.Errorf("%s decrypted %q %d times", d.Name, id, n)
			}
		}
		for id := range w.Got[d.Name] {
			if !w.want[d.Name][id] {
				w.T.Errorf("%s decrypted %q, not meant for it", d.Name, id)
			}
		}
	}
}

// ReplayAll redelivers every delivered envelope; each must be rejected.
func (w *World) ReplayAll() {
	w.T.Helper()
	for _, e := range w.Delivered {
		_, err := e.To.M.HandleMessage(w.C.Tick(), w.R, e.From.Pub(), e.Payload)
		if !IsRejection(err) {
			w.T.Fatalf("replay of %q at %s: err = %v", e.ID, e.To.Name, err)
		}
	}
}

// Setup creates Alice (two paired installations, alice1 and alice2) and Bob
// (bob1), each device on the store open returns for its name, and lets them
// learn each other's bundles from the contact-code topic.
func Setup(t testing.TB, seed uint64, open func(name string) encryption.Store) (w *World, a1, a2, b1 *Device) {
	t.Helper()
	r := NewRand(seed)
	alice, bob := MustKey(t, r), MustKey(t, r)
	a1 = NewDevice(t, "alice1", alice, open("alice1"))
	a2 = NewDevice(t, "alice2", alice, open("alice2"))
	b1 = NewDevice(t, "bob1", bob, open("bob1"))
	w = NewWorld(t, seed, a1, a2, b1)
	Pair(t, w.C, r, a1, a2)
	ExchangeBundle(t, w.C, r, a1, b1)
	ExchangeBundle(t, w.C, r, b1, a1)
	ExchangeBundle(t, w.C, r, b1, a2)
	return w, a1, a2, b1
}
