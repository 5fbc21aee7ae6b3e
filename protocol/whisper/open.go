package whisper

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"crypto/ecdsa"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// ReceivedMessage is an opened envelope: the decrypted plaintext split per
// §5.5, plus the envelope facts the shh_ RPC Message carries (§5.11). All
// byte slices alias Raw, which belongs to the message. The signer is
// recovered from Signature by Signer, once: the exported fields must not
// change after the open, and the methods are safe for concurrent use.
type ReceivedMessage struct {
	Raw       []byte // decrypted plaintext
	Payload   []byte
	Padding   []byte
	Signature []byte           // 65 bytes, V ∈ {0, 1}; nil when unsigned
	Dst       *ecdsa.PublicKey // our key for asymmetric messages; nil otherwise

	SymKeyHash   common.Hash // keccak256 of the symmetric key; zero for asymmetric
	Topic        Topic
	TTL          uint32
	Expiry       uint32
	Sent         uint32 // Expiry − TTL, Unix seconds
	PoW          float64
	EnvelopeHash common.Hash

	recovery sync.Once // guards src and srcErr
	src      *ecdsa.PublicKey
	srcErr   error
}

// OpenSymmetric decrypts e with key, parses the plaintext and recovers its
// signer. now is used only for the PoW figure (§5.4 diff rule). Errors wrap
// ErrDecrypt, ErrMessageMalformed or ErrInvalidSignature (a signature that
// does not recover); e is not modified.
func OpenSymmetric(e *Envelope, key *SymKey, now time.Time) (*ReceivedMessage, error) {
	raw, err := DecryptSymmetric(key, e.Data)
	if err != nil {
		return nil, err
	}
	m, err := newReceived(e, raw, now)
	if err != nil {
		return nil, err
	}
	m.SymKeyHash = crypto.Keccak256Hash(key[:])
	if err := m.recovered(); err != nil {
		return nil, err
	}
	return m, nil
}

// OpenAsymmetric decrypts e with priv (ECIES), parses the plaintext and
// recovers its signer, as OpenSymmetric does.
func OpenAsymmetric(e *Envelope, priv *ecdsa.PrivateKey, now time.Time) (*ReceivedMessage, error) {
	raw, err := DecryptAsymmetric(priv, e.Data)
	if err != nil {
		return nil, err
	}
	m, err := newReceived(e, raw, now)
	if err != nil {
		return nil, err
	}
	m.Dst = &priv.PublicKey
	if err := m.recovered(); err != nil {
		return nil, err
	}
	return m, nil
}

// Known are facts about an envelope its receiver has already computed, so
// that opening it does not hash it again: PoW as Envelope.PoW(now) gives it
// and Hash as Envelope.Hash() does. A zero Hash is copied as it is into the
// message's EnvelopeHash, for a caller that hashes only what opens.
type Known struct {
	PoW  float64
	Hash common.Hash
}

// OpenSymmetricKnown is OpenSymmetric with a prepared cipher and the
// envelope's PoW and hash given by the caller, and one difference: the
// signature is not recovered here (its length and V are checked) but on
// the first call of Signer, so that a receiver that never needs the
// signer never pays for the recovery (a secp256k1 public-key recovery,
// the dearest step of opening). A signature that does not recover is then
// Signer's error, not the open's. The rest of the result is the same.
func OpenSymmetricKnown(e *Envelope, c *SymCipher, k Known) (*ReceivedMessage, error) {
	raw, err := c.Decrypt(e.Data)
	if err != nil {
		return nil, err
	}
	m, err := newReceivedKnown(e, raw, k)
	if err != nil {
		return nil, err
	}
	m.SymKeyHash = c.keyHash
	return m, nil
}

// OpenAsymmetricKnown is OpenAsymmetric with the envelope's PoW and hash
// given by the caller; like OpenSymmetricKnown, it leaves the signature's
// recovery to Signer.
func OpenAsymmetricKnown(e *Envelope, priv *ecdsa.PrivateKey, k Known) (*ReceivedMessage, error) {
	raw, err := DecryptAsymmetric(priv, e.Data)
	if err != nil {
		return nil, err
	}
	m, err := newReceivedKnown(e, raw, k)
	if err != nil {
		return nil, err
	}
	m.Dst = &priv.PublicKey
	return m, nil
}

func newReceived(e *Envelope, raw []byte, now time.Time) (*ReceivedMessage, error) {
	return newReceivedKnown(e, raw, Known{PoW: e.PoW(now), Hash: e.Hash()})
}

func newReceivedKnown(e *Envelope, raw []byte, k Known) (*ReceivedMessage, error) {
	p, err := splitPlaintext(raw)
	if err != nil {
		return nil, err
	}
	return &ReceivedMessage{
		Raw:          raw,
		Payload:      p.Payload,
		Padding:      p.Padding,
		Signature:    p.Signature,
		Topic:        e.Topic,
		TTL:          e.TTL,
		Expiry:       e.Expiry,
		Sent:         e.Sent(),
		PoW:          k.PoW,
		EnvelopeHash: k.Hash,
	}, nil
}

// HasSignature reports whether the message carries a signature, valid or
// not; it recovers nothing.
func (m *ReceivedMessage) HasSignature() bool { return m.Signature != nil }

// Signer returns the key that signed the message: (nil, nil) when it is
// unsigned, an error wrapping ErrInvalidSignature when the signature does
// not recover a key. The first call recovers it from Signature over
// keccak256 of the plaintext before the signature (§5.5); every call
// returns that first result. Safe for concurrent use: calls racing with
// the first wait for it. The key belongs to the message; do not modify it.
func (m *ReceivedMessage) Signer() (*ecdsa.PublicKey, error) {
	m.recovery.Do(func() {
		if m.Signature != nil {
			m.src, m.srcErr = recoverSigner(m.Raw[:len(m.Raw)-len(m.Signature)], m.Signature)
		}
	})
	return m.src, m.srcErr
}

// recovered is the error of Signer, for the opens that recover at once.
func (m *ReceivedMessage) recovered() error {
	_, err := m.Signer()
	return err
}

// Signed reports whether the message carries a signature that recovers a
// key (it recovers it, see Signer).
func (m *ReceivedMessage) Signed() bool {
	src, _ := m.Signer()
	return src != nil
}

// SignerPublicKey returns the signer's 65-byte uncompressed key (the RPC
// `sig` field), or nil when unsigned or when the signature does not
// recover (see Signer).
func (m *ReceivedMessage) SignerPublicKey() []byte {
	src, _ := m.Signer()
	if src == nil {
		return nil
	}
	return crypto.FromECDSAPub(src)
}

// SignedBy reports whether the message was signed by pub (filters with an
// expected signer, §5.8); it recovers the signer (see Signer).
func (m *ReceivedMessage) SignedBy(pub *ecdsa.PublicKey) bool {
	src, _ := m.Signer()
	if src == nil || pub == nil || pub.X == nil || pub.Y == nil {
		return false
	}
	return src.X.Cmp(pub.X) == 0 && src.Y.Cmp(pub.Y) == 0
}

// String is a short description for logs; it prints no payload or key and
// recovers nothing ("signed" tells whether a signature is present).
func (m *ReceivedMessage) String() string {
	return fmt.Sprintf("whisper message %x topic %s sent %d signed %t", m.EnvelopeHash[:4], m.Topic, m.Sent, m.HasSignature())
}
