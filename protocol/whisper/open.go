package whisper

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"crypto/ecdsa"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// ReceivedMessage is an opened envelope: the decrypted plaintext split per
// §5.5, plus the envelope facts the shh_ RPC Message carries (§5.11). All
// byte slices alias Raw, which belongs to the message.
type ReceivedMessage struct {
	Raw       []byte // decrypted plaintext
	Payload   []byte
	Padding   []byte
	Signature []byte           // nil when unsigned
	Src       *ecdsa.PublicKey // signer recovered from Signature; nil when unsigned
	Dst       *ecdsa.PublicKey // our key for asymmetric messages; nil otherwise

	SymKeyHash   common.Hash // keccak256 of the symmetric key; zero for asymmetric
	Topic        Topic
	TTL          uint32
	Expiry       uint32
	Sent         uint32 // Expiry − TTL, Unix seconds
	PoW          float64
	EnvelopeHash common.Hash
}

// OpenSymmetric decrypts e with key and parses the plaintext. now is used
// only for the PoW figure (§5.4 diff rule). Errors wrap ErrDecrypt,
// ErrMessageMalformed or ErrInvalidSignature; e is not modified.
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
	return m, nil
}

// OpenAsymmetric decrypts e with priv (ECIES) and parses the plaintext, as
// OpenSymmetric does.
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
// envelope's PoW and hash given by the caller; the result is the same.
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
// given by the caller.
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
	p, err := ParsePlaintext(raw)
	if err != nil {
		return nil, err
	}
	return &ReceivedMessage{
		Raw:          raw,
		Payload:      p.Payload,
		Padding:      p.Padding,
		Signature:    p.Signature,
		Src:          p.Src,
		Topic:        e.Topic,
		TTL:          e.TTL,
		Expiry:       e.Expiry,
		Sent:         e.Sent(),
		PoW:          k.PoW,
		EnvelopeHash: k.Hash,
	}, nil
}

// Signed reports whether the message carried a valid signature.
func (m *ReceivedMessage) Signed() bool { return m.Src != nil }

// SignerPublicKey returns the signer's 65-byte uncompressed key (the RPC
// `sig` field), or nil when unsigned.
func (m *ReceivedMessage) SignerPublicKey() []byte {
	if m.Src == nil {
		return nil
	}
	return crypto.FromECDSAPub(m.Src)
}

// SignedBy reports whether the message was signed by pub (filters with an
// expected signer, §5.8).
func (m *ReceivedMessage) SignedBy(pub *ecdsa.PublicKey) bool {
	if m.Src == nil || pub == nil || pub.X == nil || pub.Y == nil {
		return false
	}
	return m.Src.X.Cmp(pub.X) == 0 && m.Src.Y.Cmp(pub.Y) == 0
}

// String is a short description for logs; it prints no payload or key.
func (m *ReceivedMessage) String() string {
	return fmt.Sprintf("whisper message %x topic %s sent %d signed %t", m.EnvelopeHash[:4], m.Topic, m.Sent, m.Signed())
}
