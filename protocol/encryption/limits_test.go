package encryption_test

import (
	"errors"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// mutate decodes raw, applies f to bob's entry and re-encodes.
func mutate(t *testing.T, raw []byte, inst string, f func(m *encryption.ProtocolMessage, dm *encryption.DirectMessage)) []byte {
	t.Helper()
	m, err := encryption.DecodeProtocolMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	dm := *m.Direct[inst]
	hdr := *dm.DR
	dm.DR = &hdr
	dm.Payload = append([]byte{}, dm.Payload...)
	m.Direct = map[string]*encryption.DirectMessage{inst: &dm}
	f(m, &dm)
	out, err := encryption.EncodeProtocolMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLimits: each hostile input gives a typed error, commits nothing and
// leaves the store unchanged, and the genuine message still decrypts after.
func TestLimits(t *testing.T) {
	w, a1, _, b1 := et.Setup(t, 3, memStores)
	w.Send(a1, b1)
	w.Send(b1, a1)
	w.Drain() // sessions established and confirmed both ways
	out, err := a1.M.SendDirect(w.C.Tick(), w.R, b1.Pub(), []byte("genuine"))
	if err != nil {
		t.Fatal(err)
	}
	raw := out[0].Payload
	badBundle := mutate(t, raw, b1.Installation, func(m *encryption.ProtocolMessage, _ *encryption.DirectMessage) {
		b := *m.Bundles[0]
		b.Timestamp++
		m.Bundles = []*encryption.Bundle{&b}
	})
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"jump beyond MaxSkip", mutate(t, raw, b1.Installation, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			dm.DR.N += encryption.MaxSkip + 1
		}), encryption.ErrTooManySkipped},
		{"tampered ciphertext", mutate(t, raw, b1.Installation, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			dm.Payload[len(dm.Payload)/2] ^= 1
		}), encryption.ErrDecrypt},
		{"truncated ciphertext", mutate(t, raw, b1.Installation, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			dm.Payload = dm.Payload[:10]
		}), encryption.ErrDecrypt},
		{"tampered header n", mutate(t, raw, b1.Installation, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			dm.DR.N++
		}), encryption.ErrDecrypt},
		{"tampered header pn", mutate(t, raw, b1.Installation, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			dm.DR.PN++
		}), encryption.ErrDecrypt},
		{"tampered ratchet key", mutate(t, raw, b1.Installation, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			k := append([]byte{}, dm.DR.Key...)
			k[5] ^= 1
			dm.DR.Key = k
		}), encryption.ErrDecrypt},
		{"tampered bundle id", mutate(t, raw, b1.Installation, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			k := append([]byte{}, dm.DR.ID...)
			k[7] ^= 1
			dm.DR.ID = k
		}), encryption.ErrSessionNotFound},
		{"bad bundle signature", badBundle, encryption.ErrInvalidBundleSignature},
		{"unknown installation", mutate(t, raw, b1.Installation, func(m *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
			m.Direct = map[string]*encryption.DirectMessage{"someone-else": dm}
		}), encryption.ErrDeviceNotFound},
	}
	for _, tc := range cases {
		before, commits := memStore(b1).Snapshot(), memStore(b1).Commits()
		_, err := b1.M.HandleMessage(w.C.Tick(), w.R, a1.Pub(), tc.raw)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if !et.SameSnapshot(before, memStore(b1).Snapshot()) || memStore(b1).Commits() != commits {
			t.Errorf("%s: store changed", tc.name)
		}
	}
	res, err := b1.M.HandleMessage(w.C.Tick(), w.R, a1.Pub(), raw)
	if err != nil || string(res.Plaintext) != "genuine" {
		t.Fatalf("genuine message after the attacks: %v %q", err, res.Plaintext)
	}
	if _, err := b1.M.HandleMessage(w.C.Tick(), w.R, a1.Pub(), raw); !errors.Is(err, encryption.ErrReplay) {
		t.Fatalf("replay: err = %v, want ErrReplay", err)
	}
}

// TestUnpairedOwnDevice: a message from our own identity without an entry
// for us is ErrNotPairedDevice; a bundle naming another identity is refused.
func TestUnpairedOwnDevice(t *testing.T) {
	w, a1, _, b1 := et.Setup(t, 4, memStores)
	a3 := et.NewDevice(t, "alice3", a1.Identity, et.NewMemoryStore())
	et.ExchangeBundle(t, w.C, w.R, b1, a3)
	out, err := a1.M.SendDirect(w.C.Tick(), w.R, b1.Pub(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	self := out[len(out)-1]
	if !self.Recipient.Equal(a1.Pub()) {
		t.Fatal("no copy for alice's other device")
	}
	if _, err := a3.M.HandleMessage(w.C.Tick(), w.R, a1.Pub(), self.Payload); !errors.Is(err, encryption.ErrNotPairedDevice) {
		t.Fatalf("err = %v, want ErrNotPairedDevice", err)
	}
	if _, err := a3.M.HandleMessage(w.C.Tick(), w.R, b1.Pub(), out[0].Payload); !errors.Is(err, encryption.ErrBundleIdentity) {
		t.Fatalf("err = %v, want ErrBundleIdentity", err)
	}
}
