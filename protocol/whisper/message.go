package whisper

import (
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/crypto"
)

// The plaintext inside an envelope's Data (docs/PROTOCOL.md §5.5):
//
//	flags(1) ‖ payload size (1–3 bytes, little-endian) ‖ payload ‖ padding ‖ [signature(65)]
//
// flags bits 0–1 hold the length of the size field, bit 2 marks a signature.

// payloadSizeFieldLen is the minimal number of bytes holding n (at least 1,
// so an empty payload gets the one-byte field 00).
func payloadSizeFieldLen(n int) int {
	s := 1
	for ; n >= 256; n /= 256 {
		s++
	}
	return s
}

// buildPlaintext returns flags ‖ size ‖ payload ‖ padding, unsigned. When
// padding is nil it reads random padding from rand so that the plaintext,
// counting a signature when signed is true, fills a whole number of 256-byte
// blocks (a full extra block when it is already aligned), as §5.5 says.
// Supplied padding is used as is.
func buildPlaintext(payload, padding []byte, signed bool, rand io.Reader) ([]byte, error) {
	if len(payload) > MaxPayloadSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrPayloadTooLarge, len(payload))
	}
	fieldLen := payloadSizeFieldLen(len(payload))
	size := FlagsLength + fieldLen + len(payload)
	if signed {
		size += SignatureLength
	}
	padLen := len(padding)
	if padding == nil {
		padLen = PaddingSizeLimit - size%PaddingSizeLimit
	}
	raw := make([]byte, 0, size+padLen+SignatureLength)
	raw = append(raw, byte(fieldLen))
	var field [4]byte
	binary.LittleEndian.PutUint32(field[:], uint32(len(payload)))
	raw = append(raw, field[:fieldLen]...)
	raw = append(raw, payload...)
	if padding != nil {
		return append(raw, padding...), nil
	}
	pad := raw[len(raw) : len(raw)+padLen]
	if _, err := io.ReadFull(rand, pad); err != nil {
		return nil, fmt.Errorf("%w: padding: %w", ErrRandom, err)
	}
	return raw[:len(raw)+padLen], nil
}

// signPlaintext sets the signature flag (before hashing, as peers do), signs
// keccak256 of the plaintext with key and appends R‖S‖V (V ∈ {0,1}, §0).
// raw is modified and may be reallocated.
func signPlaintext(raw []byte, key *ecdsa.PrivateKey) ([]byte, error) {
	raw[0] |= SignatureFlag
	sig, err := crypto.Sign(crypto.Keccak256(raw), key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSign, err)
	}
	return append(raw, sig...), nil
}

// Plaintext is a parsed message plaintext. Its slices alias the bytes given
// to ParsePlaintext.
type Plaintext struct {
	Flags     byte
	Payload   []byte
	Padding   []byte
	Signature []byte           // 65 bytes, nil when unsigned
	Src       *ecdsa.PublicKey // recovered signer, nil when unsigned
}

// ParsePlaintext splits a decrypted plaintext (§5.5) with strict bounds:
// the payload must end before the signature, the size field must be
// present, and a signature's V must be 0 or 1 and recover a public key.
// A size-field length of 0 is accepted and means "no payload, all padding",
// as in the reference parser; flag bits 3–7 are ignored. It never panics.
func ParsePlaintext(raw []byte) (*Plaintext, error) {
	p, err := splitPlaintext(raw)
	if err != nil {
		return nil, err
	}
	if p.Signature != nil {
		if p.Src, err = recoverSigner(raw[:len(raw)-SignatureLength], p.Signature); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// splitPlaintext is ParsePlaintext without the signature recovery: a
// signature's length and V are checked, Src is left nil.
func splitPlaintext(raw []byte) (*Plaintext, error) {
	if len(raw) < FlagsLength {
		return nil, fmt.Errorf("%w: empty", ErrMessageMalformed)
	}
	p := &Plaintext{Flags: raw[0]}
	end := len(raw)
	signed := raw[0]&SignatureFlag != 0
	if signed {
		end -= SignatureLength
		if end <= FlagsLength {
			return nil, fmt.Errorf("%w: %d bytes too short for a signature", ErrMessageMalformed, len(raw))
		}
	}
	beg := FlagsLength
	fieldLen := int(raw[0] & SizeMask)
	size := 0
	if fieldLen > 0 {
		if beg+fieldLen > end {
			return nil, fmt.Errorf("%w: size field past end", ErrMessageMalformed)
		}
		var field [4]byte
		copy(field[:], raw[beg:beg+fieldLen])
		size = int(binary.LittleEndian.Uint32(field[:]))
		beg += fieldLen
		if size > end-beg {
			return nil, fmt.Errorf("%w: payload size %d exceeds %d bytes", ErrMessageMalformed, size, end-beg)
		}
	}
	p.Payload = raw[beg : beg+size : beg+size]
	p.Padding = raw[beg+size : end : end]
	if signed {
		p.Signature = raw[end:]
		if err := checkSignatureForm(p.Signature); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkSignatureForm checks what a signature's bytes alone tell: 65
// bytes with V ∈ {0, 1} (§0).
func checkSignatureForm(sig []byte) error {
	if len(sig) != SignatureLength || sig[SignatureLength-1] > 1 {
		return fmt.Errorf("%w: bad length or V", ErrInvalidSignature)
	}
	return nil
}

// recoverSigner recovers the public key that signed keccak256(signed).
func recoverSigner(signed, sig []byte) (*ecdsa.PublicKey, error) {
	if err := checkSignatureForm(sig); err != nil {
		return nil, err
	}
	pub, err := crypto.SigToPub(crypto.Keccak256(signed), sig)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSignature, err)
	}
	return pub, nil
}
