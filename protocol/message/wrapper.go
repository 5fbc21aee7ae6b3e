package message

import (
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of StatusProtocolMessage (docs/PROTOCOL.md §1.2, §9.2: the
// shipped code uses 4001/4002, not the 1/2 of the July 2019 spec text).
const (
	fieldSignature protowire.Number = 4001
	fieldPayload   protowire.Number = 4002
)

// ErrWrapper: bytes that are not a StatusProtocolMessage. On receive this is
// not a rejection: the bytes are treated as a bare Transit payload (§0).
var ErrWrapper = errors.New("message: not a StatusProtocolMessage")

// Wrapper is the v1 StatusProtocolMessage. Signature is empty or 65 bytes
// over keccak256(Payload).
type Wrapper struct {
	Signature []byte
	Payload   []byte
}

// EncodeWrapper marshals w as protobuf: field 4001 then 4002, empty fields
// omitted (proto3). The result is a new slice.
func EncodeWrapper(w Wrapper) []byte {
	b := make([]byte, 0, len(w.Signature)+len(w.Payload)+10)
	if len(w.Signature) > 0 {
		b = protowire.AppendTag(b, fieldSignature, protowire.BytesType)
		b = protowire.AppendBytes(b, w.Signature)
	}
	if len(w.Payload) > 0 {
		b = protowire.AppendTag(b, fieldPayload, protowire.BytesType)
		b = protowire.AppendBytes(b, w.Payload)
	}
	return b
}

// DecodeWrapper parses data as a StatusProtocolMessage. It succeeds only if
// data is well-formed protobuf (what proto.Unmarshal accepts) and carries a
// non-empty payload field (a Transit payload starts with '[', field 11 /
// start-group, and never parses). Unknown fields are skipped; a repeated
// field keeps the last value. The returned slices alias data. Errors wrap
// ErrWrapper.
func DecodeWrapper(data []byte) (Wrapper, error) {
	var w Wrapper
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return Wrapper{}, fmt.Errorf("%w: %v", ErrWrapper, protowire.ParseError(n))
		}
		if num > protowire.MaxValidNumber { // ConsumeTag allows up to 2³¹−1, protobuf 2²⁹−1
			return Wrapper{}, fmt.Errorf("%w: field number %d out of range", ErrWrapper, num)
		}
		data = data[n:]
		if num == fieldSignature || num == fieldPayload {
			if typ != protowire.BytesType {
				return Wrapper{}, fmt.Errorf("%w: field %d has wire type %d", ErrWrapper, num, typ)
			}
			v, m := protowire.ConsumeBytes(data)
			if m < 0 {
				return Wrapper{}, fmt.Errorf("%w: %v", ErrWrapper, protowire.ParseError(m))
			}
			if num == fieldSignature {
				w.Signature = v
			} else {
				w.Payload = v
			}
			data = data[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, data)
		if m < 0 {
			return Wrapper{}, fmt.Errorf("%w: %v", ErrWrapper, protowire.ParseError(m))
		}
		data = data[m:]
	}
	if len(w.Payload) == 0 {
		return Wrapper{}, fmt.Errorf("%w: no payload field", ErrWrapper)
	}
	return w, nil
}

// Wrap signs payload with key and returns the encoded wrapper.
func Wrap(payload []byte, key *ecdsa.PrivateKey) ([]byte, error) {
	sig, err := crypto.Sign(crypto.Keccak256(payload), key)
	if err != nil {
		return nil, rejectCause(RuleSignature, err, "sign wrapper")
	}
	return EncodeWrapper(Wrapper{Signature: sig, Payload: payload}), nil
}

// RecoverAuthor returns the signer of w, or (nil, nil) when w carries no
// signature (the author is then the Whisper-level signer, §1.2). A
// signature that is not 65 bytes or does not recover is RuleSignature.
func (w Wrapper) RecoverAuthor() (*ecdsa.PublicKey, error) {
	if len(w.Signature) == 0 {
		return nil, nil
	}
	return recoverKey(crypto.Keccak256(w.Payload), w.Signature)
}

// Unwrapped is the result of Unwrap.
type Unwrapped struct {
	Payload []byte           // Transit bytes
	Author  *ecdsa.PublicKey // from the wrapper signature; nil if none
	Wrapped bool             // data was a StatusProtocolMessage
}

// Unwrap applies the receive fallback of §0: if data is a wrapper, return
// its payload and the recovered author; otherwise return data unchanged as
// a bare payload. Only a wrapper whose signature fails to recover is an
// error (RuleSignature): such a message must not be attributed to anyone.
func Unwrap(data []byte) (Unwrapped, error) {
	w, err := DecodeWrapper(data)
	if err != nil {
		return Unwrapped{Payload: data}, nil
	}
	author, err := w.RecoverAuthor()
	if err != nil {
		return Unwrapped{}, err
	}
	return Unwrapped{Payload: w.Payload, Author: author, Wrapped: true}, nil
}
