package sessions

import (
	"errors"
	"fmt"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/storage"
)

func snapshot(t testing.TB, kv storage.KV) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := kv.Iterate(nil, nil, func(k, v []byte) error { out[string(k)] = string(v); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(a, b map[string]string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

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

// TestLimits: each hostile input gives a typed error, leaves the store
// byte-for-byte unchanged, and the genuine message still decrypts after.
func TestLimits(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			w, a1, _, b1 := setup(t, be, 3)
			w.send(a1, b1)
			w.send(b1, a1)
			w.drain() // sessions established and confirmed both ways
			out, err := a1.m.SendDirect(w.c.tick(), w.r, b1.pub(), []byte("genuine"))
			if err != nil {
				t.Fatal(err)
			}
			raw := out[0].Payload
			badBundle := mutate(t, raw, b1.inst, func(m *encryption.ProtocolMessage, _ *encryption.DirectMessage) {
				b := *m.Bundles[0]
				b.Timestamp++
				m.Bundles = []*encryption.Bundle{&b}
			})
			cases := []struct {
				name string
				raw  []byte
				want error
			}{
				{"jump beyond MaxSkip", mutate(t, raw, b1.inst, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					dm.DR.N += encryption.MaxSkip + 1
				}), encryption.ErrTooManySkipped},
				{"tampered ciphertext", mutate(t, raw, b1.inst, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					dm.Payload[len(dm.Payload)/2] ^= 1
				}), encryption.ErrDecrypt},
				{"truncated ciphertext", mutate(t, raw, b1.inst, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					dm.Payload = dm.Payload[:10]
				}), encryption.ErrDecrypt},
				{"tampered header n", mutate(t, raw, b1.inst, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					dm.DR.N++
				}), encryption.ErrDecrypt},
				{"tampered header pn", mutate(t, raw, b1.inst, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					dm.DR.PN++
				}), encryption.ErrDecrypt},
				{"tampered ratchet key", mutate(t, raw, b1.inst, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					k := append([]byte{}, dm.DR.Key...)
					k[5] ^= 1
					dm.DR.Key = k
				}), encryption.ErrDecrypt},
				{"tampered bundle id", mutate(t, raw, b1.inst, func(_ *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					k := append([]byte{}, dm.DR.ID...)
					k[7] ^= 1
					dm.DR.ID = k
				}), encryption.ErrSessionNotFound},
				{"bad bundle signature", badBundle, encryption.ErrInvalidBundleSignature},
				{"unknown installation", mutate(t, raw, b1.inst, func(m *encryption.ProtocolMessage, dm *encryption.DirectMessage) {
					m.Direct = map[string]*encryption.DirectMessage{"someone-else": dm}
				}), encryption.ErrDeviceNotFound},
			}
			for _, tc := range cases {
				before := snapshot(t, b1.db)
				_, err := b1.m.HandleMessage(w.c.tick(), w.r, a1.pub(), tc.raw)
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
				}
				if !sameSnapshot(before, snapshot(t, b1.db)) {
					t.Errorf("%s: store changed", tc.name)
				}
			}
			res, err := b1.m.HandleMessage(w.c.tick(), w.r, a1.pub(), raw)
			if err != nil || string(res.Plaintext) != "genuine" {
				t.Fatalf("genuine message after the attacks: %v %q", err, res.Plaintext)
			}
			if _, err := b1.m.HandleMessage(w.c.tick(), w.r, a1.pub(), raw); !errors.Is(err, encryption.ErrReplay) {
				t.Fatalf("replay: err = %v, want ErrReplay", err)
			}
		})
	}
}

// TestUnpairedOwnDevice: a message from our own identity without an entry
// for us is ErrNotPairedDevice; a bundle naming another identity is refused.
func TestUnpairedOwnDevice(t *testing.T) {
	be := backends()[0]
	w, a1, _, b1 := setup(t, be, 4)
	a3 := newDevice(t, be, "alice3", a1.identity)
	exchangeBundle(t, w.c, w.r, b1, a3)
	out, err := a1.m.SendDirect(w.c.tick(), w.r, b1.pub(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	self := out[len(out)-1]
	if !self.Recipient.Equal(a1.pub()) {
		t.Fatal("no copy for alice's other device")
	}
	if _, err := a3.m.HandleMessage(w.c.tick(), w.r, a1.pub(), self.Payload); !errors.Is(err, encryption.ErrNotPairedDevice) {
		t.Fatalf("err = %v, want ErrNotPairedDevice", err)
	}
	if _, err := a3.m.HandleMessage(w.c.tick(), w.r, b1.pub(), out[0].Payload); !errors.Is(err, encryption.ErrBundleIdentity) {
		t.Fatalf("err = %v, want ErrBundleIdentity", err)
	}
}
