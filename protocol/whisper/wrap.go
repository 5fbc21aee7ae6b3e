package whisper

import (
	"crypto/ecdsa"
	"fmt"
	"io"
	"math"
	"time"
)

// MessageParams describes a message to send (shh_post's NewMessage, §5.11).
// Exactly one of Dst and KeySym must be set (§5.6).
type MessageParams struct {
	TTL      uint32            // seconds; 0 means DefaultTTL (§5.11)
	Src      *ecdsa.PrivateKey // signing key; nil sends unsigned
	Dst      *ecdsa.PublicKey  // recipient for ECIES, or …
	KeySym   *SymKey           // … AES-256-GCM key
	Topic    Topic
	WorkTime uint32  // seconds allowed for PoW; added to Expiry when PoW < 0
	PoW      float64 // target; 0: no work; < 0: best nonce within WorkTime
	Payload  []byte
	Padding  []byte // nil: random padding to a 256-byte multiple (§5.5)
}

func (p *MessageParams) validate() error {
	switch {
	case p.Dst == nil && p.KeySym == nil:
		return ErrNoKey
	case p.Dst != nil && p.KeySym != nil:
		return ErrBothKeys
	case p.Dst != nil && !ValidatePublicKey(p.Dst):
		return ErrInvalidPublicKey
	case p.KeySym != nil && !p.KeySym.Valid():
		return ErrInvalidSymKey
	case p.Src != nil && !ValidatePrivateKey(p.Src):
		return ErrInvalidPrivateKey
	case math.IsNaN(p.PoW) || math.IsInf(p.PoW, 0):
		return fmt.Errorf("%w: target %v", ErrInvalidPoW, p.PoW)
	}
	return nil
}

func (p *MessageParams) ttl() uint32 {
	if p.TTL == 0 {
		return DefaultTTL
	}
	return p.TTL
}

// SentMessage is an unsigned, unencrypted plaintext (§5.5) ready to be wrapped.
type SentMessage struct {
	raw []byte
}

// NewSentMessage builds the plaintext of p: flags, size field, payload and
// p.Padding, or random padding read from rand (sized for a signature when
// p.Src is set). It does not sign or encrypt; Wrap does.
func NewSentMessage(p *MessageParams, rand io.Reader) (*SentMessage, error) {
	raw, err := buildPlaintext(p.Payload, p.Padding, p.Src != nil, rand)
	if err != nil {
		return nil, err
	}
	return &SentMessage{raw: raw}, nil
}

// Raw returns the unsigned plaintext. The caller must not modify it.
func (m *SentMessage) Raw() []byte { return m.raw }

// Wrap signs (when p.Src is set) and encrypts the message and returns an
// envelope with Expiry = now + TTL (+ WorkTime when p.PoW < 0) and Nonce 0.
// It does no proof of work: call SealNonces here, or the parallel sealer in
// transport/whisper, next. m is not modified and may be wrapped again.
func (m *SentMessage) Wrap(p *MessageParams, now time.Time, rand io.Reader) (*Envelope, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	raw := append(make([]byte, 0, len(m.raw)+SignatureLength), m.raw...)
	var err error
	if p.Src != nil {
		if raw, err = signPlaintext(raw, p.Src); err != nil {
			return nil, err
		}
	}
	var data []byte
	if p.Dst != nil {
		data, err = EncryptAsymmetric(p.Dst, raw, rand)
	} else {
		data, err = EncryptSymmetric(p.KeySym, raw, rand)
	}
	if err != nil {
		return nil, err
	}
	if EnvelopeHeaderLength+len(data) > int(MaxMessageSize) {
		return nil, fmt.Errorf("%w: size %d", ErrEnvelopeTooLarge, EnvelopeHeaderLength+len(data))
	}
	e := &Envelope{
		Expiry: uint32(now.Unix()) + p.ttl(),
		TTL:    p.ttl(),
		Topic:  p.Topic,
		Data:   data,
	}
	if p.PoW < 0 {
		e.Expiry += p.WorkTime
	}
	return e, nil
}

// Wrap builds, signs and encrypts a message in one step (NewSentMessage +
// SentMessage.Wrap). The envelope is not sealed yet (Nonce 0).
func Wrap(p *MessageParams, now time.Time, rand io.Reader) (*Envelope, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	m, err := NewSentMessage(p, rand)
	if err != nil {
		return nil, err
	}
	return m.Wrap(p, now, rand)
}

// Seal is Wrap followed by the serial SealNonces with a budget of maxNonces
// nonces instead of p.WorkTime (this package has no clock). With p.PoW = 0
// the envelope is returned unsealed. On ErrPoWTargetMissed the envelope with
// the best nonce found is returned together with the error.
func Seal(p *MessageParams, now time.Time, rand io.Reader, maxNonces uint64) (*Envelope, error) {
	e, err := Wrap(p, now, rand)
	if err != nil {
		return nil, err
	}
	return e, SealNonces(e, p.PoW, maxNonces)
}
