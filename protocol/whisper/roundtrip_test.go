package whisper

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

var rtNow = time.Unix(1565000000, 0)

func TestRoundTrip(t *testing.T) {
	alice, _ := crypto.GenerateKey()
	bob, _ := crypto.GenerateKey()
	key, _ := GenerateSymKey(rand.Reader)
	r := mrand.New(mrand.NewPCG(7, 8))
	for _, asym := range []bool{false, true} {
		for _, signed := range []bool{false, true} {
			for _, n := range []int{0, 1, 200, 255, 256, 5000} {
				payload := make([]byte, n)
				for i := range payload {
					payload[i] = byte(r.UintN(256))
				}
				p := &MessageParams{TTL: 15, Topic: TopicFromName("rt"), Payload: payload, PoW: 0.001}
				if signed {
					p.Src = alice
				}
				if asym {
					p.Dst = &bob.PublicKey
				} else {
					p.KeySym = &key
				}
				env, err := Seal(p, rtNow, rand.Reader, 1<<16)
				if err != nil {
					t.Fatalf("asym %v signed %v n %d: %v", asym, signed, n, err)
				}
				// Through the wire form and back.
				wire, err := DecodeEnvelope(env.AppendRLP(nil), DefaultMaxMessageSize)
				if err != nil {
					t.Fatal(err)
				}
				var msg *ReceivedMessage
				if asym {
					msg, err = OpenAsymmetric(wire, bob, rtNow)
				} else {
					msg, err = OpenSymmetric(wire, &key, rtNow)
				}
				if err != nil {
					t.Fatalf("open asym %v signed %v n %d: %v", asym, signed, n, err)
				}
				checkReceived(t, msg, env, payload, signed, alice)
				if asym && msg.Dst != &bob.PublicKey {
					t.Error("Dst not set")
				}
				if !asym && msg.SymKeyHash != crypto.Keccak256Hash(key[:]) {
					t.Error("SymKeyHash not set")
				}
			}
		}
	}
}

func checkReceived(t *testing.T, msg *ReceivedMessage, env *Envelope, payload []byte, signed bool, signer *ecdsa.PrivateKey) {
	t.Helper()
	if !bytes.Equal(msg.Payload, payload) {
		t.Fatalf("payload differs (%d vs %d bytes)", len(msg.Payload), len(payload))
	}
	total := 1 + payloadSizeFieldLen(len(payload)) + len(payload) + len(msg.Padding)
	if signed {
		total += SignatureLength
	}
	if total%PaddingSizeLimit != 0 || total != len(msg.Raw) {
		t.Fatalf("plaintext %d bytes not padded to 256", total)
	}
	if msg.Signed() != signed || (signed && !msg.SignedBy(&signer.PublicKey)) {
		t.Fatalf("signed %v, want %v", msg.Signed(), signed)
	}
	if msg.Topic != env.Topic || msg.TTL != 15 || msg.Sent != uint32(rtNow.Unix()) || msg.EnvelopeHash != env.Hash() {
		t.Fatal("envelope facts differ")
	}
	if msg.PoW < 0.001 {
		t.Fatalf("PoW %v below the 0.001 target", msg.PoW)
	}
}

func TestOpenWrongKey(t *testing.T) {
	bob, _ := crypto.GenerateKey()
	eve, _ := crypto.GenerateKey()
	k1, _ := GenerateSymKey(rand.Reader)
	k2, _ := GenerateSymKey(rand.Reader)
	sym, _ := Wrap(&MessageParams{KeySym: &k1, Payload: []byte("x")}, rtNow, rand.Reader)
	if _, err := OpenSymmetric(sym, &k2, rtNow); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong sym key: %v", err)
	}
	asym, _ := Wrap(&MessageParams{Dst: &bob.PublicKey, Payload: []byte("x")}, rtNow, rand.Reader)
	if _, err := OpenAsymmetric(asym, eve, rtNow); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong private key: %v", err)
	}
	if _, err := OpenAsymmetric(sym, bob, rtNow); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("sym envelope opened asymmetrically: %v", err)
	}
	asym.Data[70] ^= 1
	if _, err := OpenAsymmetric(asym, bob, rtNow); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("tampered ECIES: %v", err)
	}
}

func TestWrapParams(t *testing.T) {
	bob, _ := crypto.GenerateKey()
	key, _ := GenerateSymKey(rand.Reader)
	var zero SymKey
	for _, c := range []struct {
		name string
		p    MessageParams
		want error
	}{
		{"no key", MessageParams{}, ErrNoKey},
		{"both keys", MessageParams{KeySym: &key, Dst: &bob.PublicKey}, ErrBothKeys},
		{"zero sym key", MessageParams{KeySym: &zero}, ErrInvalidSymKey},
		{"bad pub", MessageParams{Dst: &ecdsa.PublicKey{}}, ErrInvalidPublicKey},
		{"NaN PoW", MessageParams{KeySym: &key, PoW: zero64() / zero64()}, ErrInvalidPoW},
	} {
		if _, err := Wrap(&c.p, rtNow, rand.Reader); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	e, err := Wrap(&MessageParams{KeySym: &key, PoW: -1, WorkTime: 5}, rtNow, rand.Reader)
	if err != nil || e.TTL != DefaultTTL || e.Expiry != uint32(rtNow.Unix())+DefaultTTL+5 {
		t.Fatalf("default TTL / WorkTime on Expiry: %+v %v", e, err)
	}
	if _, err := Wrap(&MessageParams{KeySym: &key}, rtNow, bytes.NewReader(nil)); !errors.Is(err, ErrRandom) {
		t.Fatalf("failing rand: %v", err)
	}
	m, _ := NewSentMessage(&MessageParams{Payload: []byte("a")}, rand.Reader)
	before := append([]byte{}, m.Raw()...)
	alice, _ := crypto.GenerateKey()
	if _, err := m.Wrap(&MessageParams{KeySym: &key, Src: alice}, rtNow, rand.Reader); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, m.Raw()) {
		t.Fatal("Wrap modified the SentMessage")
	}
}

func TestSymKeyHelpers(t *testing.T) {
	if _, err := SymKeyFromBytes(make([]byte, 31)); !errors.Is(err, ErrInvalidSymKey) {
		t.Fatal("31-byte key accepted")
	}
	if _, err := SymKeyFromBytes(make([]byte, 32)); !errors.Is(err, ErrInvalidSymKey) {
		t.Fatal("zero key accepted")
	}
	k, _ := GenerateSymKey(rand.Reader)
	k2, err := SymKeyFromBytes(k[:])
	if err != nil || !k.Equal(&k2) || len(k.String()) != len("symkey:")+8 {
		t.Fatalf("%v %s", err, k.String())
	}
	if _, err := GenerateSymKey(bytes.NewReader(make([]byte, 32))); !errors.Is(err, ErrRandom) {
		t.Fatal("all-zero random key accepted")
	}
}

func zero64() float64 { return 0 }
