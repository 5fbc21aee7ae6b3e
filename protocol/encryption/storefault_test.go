package encryption_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// faultPair is alice and bob, bob's store failing on demand, after bob's
// bundle reached alice.
type faultPair struct {
	t          *testing.T
	c          *et.Clock
	r          io.Reader
	alice, bob *et.Device
	fs         *et.FaultStore
	n          int
}

func newFaultPair(t *testing.T, seed uint64) *faultPair {
	r := et.NewRand(seed)
	fs := et.NewFaultStore(et.NewMemoryStore())
	p := &faultPair{t: t, c: et.NewClock(), r: r, fs: fs,
		alice: et.NewDevice(t, "alice", et.MustKey(t, r), et.NewMemoryStore()),
		bob:   et.NewDevice(t, "bob", et.MustKey(t, r), fs)}
	et.ExchangeBundle(t, p.c, r, p.bob, p.alice)
	return p
}

// send returns a new message from one device to the other and its text.
func (p *faultPair) send(from, to *et.Device) (raw, text []byte) {
	p.t.Helper()
	p.n++
	text = fmt.Appendf(nil, "%s->%s #%d", from.Name, to.Name, p.n)
	out, err := from.M.SendDirect(p.c.Tick(), p.r, to.Pub(), text)
	if err != nil || len(out) != 1 {
		p.t.Fatalf("send %s: %d messages, %v", text, len(out), err)
	}
	return out[0].Payload, text
}

// receive has to handle raw from from and checks that it decrypts to text.
func (p *faultPair) receive(from, to *et.Device, raw, text []byte) {
	p.t.Helper()
	res, err := to.M.HandleMessage(p.c.Tick(), p.r, from.Pub(), raw)
	if err != nil {
		p.t.Fatalf("%s handles %q: %v", to.Name, text, err)
	}
	if !res.Direct || !bytes.Equal(res.Plaintext, text) {
		p.t.Fatalf("%s got %q, want %q", to.Name, res.Plaintext, text)
	}
}

// TestHandleCommitFailureRetries: a message whose Commit fails is not
// lost: Handle reports ErrStore, and the same message handled again once
// the store works decrypts, as do the later messages of the session both
// ways — the failed call advanced nothing of bob's.
func TestHandleCommitFailureRetries(t *testing.T) {
	p := newFaultPair(t, 7)
	for i := 0; i < 3; i++ { // the X3DH message, a DR message, one after a ratchet step
		raw, text := p.send(p.alice, p.bob)
		p.fs.FailCommits(0, 2)
		for try := 0; try < 2; try++ {
			_, err := p.bob.M.HandleMessage(p.c.Tick(), p.r, p.alice.Pub(), raw)
			if !errors.Is(err, encryption.ErrStore) || !errors.Is(err, et.ErrFault) || errors.Is(err, encryption.ErrCorrupt) {
				t.Fatalf("message %d try %d: err = %v, want ErrStore wrapping the fault", i, try, err)
			}
		}
		p.receive(p.alice, p.bob, raw, text)
		if _, err := p.bob.M.HandleMessage(p.c.Tick(), p.r, p.alice.Pub(), raw); !et.IsRejection(err) {
			t.Fatalf("message %d handled twice: err = %v", i, err)
		}
		if i == 1 {
			raw, text := p.send(p.bob, p.alice)
			p.receive(p.bob, p.alice, raw, text)
		}
	}
	for i := 0; i < 3; i++ {
		raw, text := p.send(p.alice, p.bob)
		p.receive(p.alice, p.bob, raw, text)
		raw, text = p.send(p.bob, p.alice)
		p.receive(p.bob, p.alice, raw, text)
	}
}

// TestHandleReadFailureIsStoreFailure: whichever Get or Iterate of Handle
// fails — also those the doubleratchet library makes, whose errors it
// turns into text — the error wraps ErrStore, and the message handled
// again decrypts. The sweep fails the k-th read of a fresh message, for
// every k up to the number Handle makes, on X3DH, DR and ratchet-step
// messages.
func TestHandleReadFailureIsStoreFailure(t *testing.T) {
	for _, method := range []string{"get", "iterate"} {
		t.Run(method, func(t *testing.T) {
			p := newFaultPair(t, 8)
			failed := 0
			for k := 0; ; k++ {
				raw, text := p.send(p.alice, p.bob)
				before := p.fs.Failed()
				if method == "get" {
					p.fs.FailGets(k, 1)
				} else {
					p.fs.FailIterates(k, 1)
				}
				_, err := p.bob.M.HandleMessage(p.c.Tick(), p.r, p.alice.Pub(), raw)
				p.fs.FailGets(0, 0)
				p.fs.FailIterates(0, 0)
				if p.fs.Failed() == before { // Handle made fewer than k+1 such reads
					if err != nil {
						t.Fatalf("k=%d: %v without a fault", k, err)
					}
					break
				}
				failed++
				if !errors.Is(err, encryption.ErrStore) || !errors.Is(err, et.ErrFault) {
					t.Fatalf("k=%d: err = %v, want ErrStore wrapping the fault", k, err)
				}
				p.receive(p.alice, p.bob, raw, text)
				if k%3 == 2 { // a reply: alice's next message steps the ratchet
					raw, text := p.send(p.bob, p.alice)
					p.receive(p.bob, p.alice, raw, text)
				}
			}
			if failed == 0 {
				t.Fatal("no read failed")
			}
		})
	}
}

// TestHandleCorruptRecord: a session record that does not decode is
// ErrCorrupt, not ErrStore: retrying cannot mend it.
func TestHandleCorruptRecord(t *testing.T) {
	p := newFaultPair(t, 9)
	raw, text := p.send(p.alice, p.bob)
	p.receive(p.alice, p.bob, raw, text)
	ms := p.fs.Store.(*et.MemoryStore)
	var ops []encryption.Op
	if err := ms.Iterate(encryption.KindSession, nil, func(k, _ []byte) error {
		ops = append(ops, encryption.Op{Kind: encryption.KindSession, Key: bytes.Clone(k), Value: []byte("{not json")})
		return nil
	}); err != nil || len(ops) == 0 {
		t.Fatalf("sessions: %d, %v", len(ops), err)
	}
	if err := ms.Commit(ops); err != nil {
		t.Fatal(err)
	}
	raw, _ = p.send(p.alice, p.bob)
	_, err := p.bob.M.HandleMessage(p.c.Tick(), p.r, p.alice.Pub(), raw)
	if !errors.Is(err, encryption.ErrCorrupt) || errors.Is(err, encryption.ErrStore) {
		t.Fatalf("err = %v, want ErrCorrupt and not ErrStore", err)
	}
}

// TestSendCommitFailure: SendDirect whose Commit fails returns ErrStore
// and nothing to send; the next call sends, and the peer decrypts it.
func TestSendCommitFailure(t *testing.T) {
	p := newFaultPair(t, 10)
	raw, text := p.send(p.alice, p.bob)
	p.receive(p.alice, p.bob, raw, text)
	p.fs.FailCommits(0, 1)
	out, err := p.bob.M.SendDirect(p.c.Tick(), p.r, p.alice.Pub(), []byte("lost?"))
	if !errors.Is(err, encryption.ErrStore) || out != nil {
		t.Fatalf("SendDirect = %d messages, %v; want none and ErrStore", len(out), err)
	}
	raw, text = p.send(p.bob, p.alice)
	p.receive(p.bob, p.alice, raw, text)
}

// unreadable is a Store whose Get of one kind says the record cannot be
// read (as storage/sessions does for a sealed value that fails
// authentication).
type unreadable struct {
	encryption.Store
	kind encryption.Kind
}

func (s unreadable) Get(k encryption.Kind, key []byte) ([]byte, error) {
	if k == s.kind {
		return nil, fmt.Errorf("%w: sealed value fails authentication", encryption.ErrCorrupt)
	}
	return s.Store.Get(k, key)
}

// TestHandleUnreadableRecord: a record the Store reports unreadable
// (ErrCorrupt) is ErrCorrupt for Handle, not ErrStore.
func TestHandleUnreadableRecord(t *testing.T) {
	p := newFaultPair(t, 11)
	raw, text := p.send(p.alice, p.bob)
	p.receive(p.alice, p.bob, raw, text)
	p.bob.Restart(t, unreadable{Store: p.fs, kind: encryption.KindSession})
	raw, _ = p.send(p.alice, p.bob)
	_, err := p.bob.M.HandleMessage(p.c.Tick(), p.r, p.alice.Pub(), raw)
	if !errors.Is(err, encryption.ErrCorrupt) || errors.Is(err, encryption.ErrStore) {
		t.Fatalf("err = %v, want ErrCorrupt and not ErrStore", err)
	}
}
