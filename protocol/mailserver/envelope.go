package mailserver

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/statusnode/statusd/protocol/whisper"
)

// RequestEnvelopeParams say how a client seals a form (A) request
// (docs/PROTOCOL.md §4.5): signed with the node key, encrypted either with
// the symmetric key of the mailserver password or to the mailserver's node
// public key (exactly one), with PoW at least the server's minimum.
type RequestEnvelopeParams struct {
	NodeKey   *ecdsa.PrivateKey // signs the request (the devp2p node key, §4.7)
	SymKey    *whisper.SymKey   // PBKDF2(mailserver password), or …
	ServerKey *ecdsa.PublicKey  // … the mailserver's node public key
	TTL       uint32            // 0 means DefaultRequestTTL
	PoW       float64           // target; status-go uses the node's MinPow
	MaxNonces uint64            // nonce budget of the serial sealer
	Topic     whisper.Topic     // irrelevant to the server (§4.3); any value
	// Legacy sends the 2018 binary payload (Lower ‖ Upper ‖ Bloom ‖ Limit),
	// the only form go-ethereum v1.9.20's whisper/mailserver reads (it
	// ignores what follows the bloom); the RLP form otherwise.
	Legacy bool
}

// NewRequestEnvelope builds, signs, encrypts and seals the form (A) request
// envelope carrying p, with Expiry = now + TTL. rand supplies padding, the
// AES-GCM nonce or the ECIES ephemeral key. The envelope's hash is the
// request ID the completion will carry. Errors wrap the whisper sentinels
// (ErrNoKey, ErrBothKeys, ErrPoWTargetMissed, …).
func NewRequestEnvelope(p *RequestPayload, params *RequestEnvelopeParams, now time.Time, rand io.Reader) (*whisper.Envelope, error) {
	if params.NodeKey == nil {
		return nil, fmt.Errorf("%w: a request must be signed", ErrNoSignature)
	}
	ttl := params.TTL
	if ttl == 0 {
		ttl = DefaultRequestTTL
	}
	payload := EncodeRequestPayload(p)
	if params.Legacy {
		payload = EncodeLegacyPayload(p)
	}
	return whisper.Seal(&whisper.MessageParams{
		TTL:     ttl,
		Src:     params.NodeKey,
		Dst:     params.ServerKey,
		KeySym:  params.SymKey,
		Topic:   params.Topic,
		PoW:     params.PoW,
		Payload: payload,
	}, now, rand, params.MaxNonces)
}

// CheckRequestEnvelope is the server's first check of a form (A) request:
// its PoW, computed for now (§5.4), must reach minPoW. A request envelope is
// a p2p packet, so expiry and bloom do not apply (§4.5). The error wraps
// ErrPoWTooLow.
func CheckRequestEnvelope(env *whisper.Envelope, minPoW float64, now time.Time) error {
	if pow := env.PoW(now); pow < minPoW {
		return fmt.Errorf("%w: %g < %g", ErrPoWTooLow, pow, minPoW)
	}
	return nil
}

// OpenRequest decrypts a form (A) request with keys (symmetric first, then
// the node key), requires a valid signature, decodes the payload and applies
// the §4.5 defaults for now. The request ID is the envelope hash. It does
// not check PoW: call CheckRequestEnvelope first. Errors wrap ErrNoKey,
// ErrOpenRequest, ErrNoSignature or a payload decoding/validation sentinel.
func OpenRequest(env *whisper.Envelope, keys RequestKeys, now time.Time) (*Request, error) {
	m, err := openEnvelope(env, keys, now)
	if err != nil {
		return nil, err
	}
	signer, err := m.Signer() // recovered by the open: no error here
	if err != nil || signer == nil {
		return nil, ErrNoSignature
	}
	p, form, err := DecodeRequestPayload(m.Payload)
	if err != nil {
		return nil, err
	}
	r, err := p.normalize(env.Hash(), form, now)
	if err != nil {
		return nil, err
	}
	r.Signer = signer
	return r, nil
}

func openEnvelope(env *whisper.Envelope, keys RequestKeys, now time.Time) (*whisper.ReceivedMessage, error) {
	if keys.Sym == nil && keys.Node == nil {
		return nil, ErrNoKey
	}
	var errs []error
	if keys.Sym != nil {
		m, err := whisper.OpenSymmetric(env, keys.Sym, now)
		if err == nil {
			return m, nil
		}
		errs = append(errs, err)
	}
	if keys.Node != nil {
		m, err := whisper.OpenAsymmetric(env, keys.Node, now)
		if err == nil {
			return m, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("%w: %w", ErrOpenRequest, errors.Join(errs...))
}
