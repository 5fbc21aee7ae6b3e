package whisper

import (
	"bytes"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
)

// breakSignature returns a copy of e whose plaintext signature keeps its
// form (65 bytes, V = 0) but recovers no key: R is zero.
func breakSignature(t *testing.T, e *Envelope, key *SymKey) *Envelope {
	t.Helper()
	raw, err := DecryptSymmetric(key, e.Data)
	if err != nil {
		t.Fatal(err)
	}
	sig := raw[len(raw)-SignatureLength:]
	clear(sig[:32])
	sig[SignatureLength-1] = 0
	data, err := EncryptSymmetric(key, raw, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := *e
	c.Data = data
	return &c
}

// The eager opens recover the signer and fail on a signature that does
// not recover; the Known opens leave both to Signer, which recovers once,
// gives every caller the same answer (racing callers included) and never
// runs for an unsigned message.
func TestSignerRecoveredOnFirstUse(t *testing.T) {
	e, err := Wrap(&MessageParams{KeySym: &fuzzSymKey, Payload: []byte("hello"), Src: fuzzAlice, TTL: 10}, fuzzNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewSymCipher(&fuzzSymKey)
	if err != nil {
		t.Fatal(err)
	}
	m, err := OpenSymmetricKnown(e, c, Known{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.HasSignature() {
		t.Fatal("signed message without a signature")
	}
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = m.SignerPublicKey()
		}()
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, got[0]) || !m.SignedBy(&fuzzAlice.PublicKey) {
			t.Fatalf("caller %d: signer %x, want alice's", i, g)
		}
	}

	bad := breakSignature(t, e, &fuzzSymKey)
	if _, err := OpenSymmetric(bad, &fuzzSymKey, fuzzNow); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("OpenSymmetric of a broken signature: %v, want ErrInvalidSignature", err)
	}
	m, err = OpenSymmetricKnown(bad, c, Known{})
	if err != nil {
		t.Fatalf("OpenSymmetricKnown of a broken signature: %v, want the message", err)
	}
	if string(m.Payload) != "hello" || !m.HasSignature() {
		t.Fatalf("opened %q, has signature %t", m.Payload, m.HasSignature())
	}
	if src, err := m.Signer(); src != nil || !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("Signer of a broken signature: %v, %v", src, err)
	}
	if m.Signed() || m.SignerPublicKey() != nil || m.SignedBy(&fuzzAlice.PublicKey) {
		t.Fatal("a broken signature counts as signed")
	}

	u, err := Wrap(&MessageParams{KeySym: &fuzzSymKey, Payload: []byte("anon"), TTL: 10}, fuzzNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if m, err = OpenSymmetricKnown(u, c, Known{}); err != nil {
		t.Fatal(err)
	}
	if src, err := m.Signer(); m.HasSignature() || src != nil || err != nil {
		t.Fatalf("unsigned: has signature %t, signer %v, %v", m.HasSignature(), src, err)
	}
}
