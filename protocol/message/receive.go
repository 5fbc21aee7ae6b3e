package message

import "crypto/ecdsa"

// Received is a payload that passed every check of Receive.
type Received struct {
	Payload Payload
	Author  *ecdsa.PublicKey // wrapper signer, else the Whisper signer
	ID      string           // §1.10 message ID, 0x-prefixed
	ChatID  string           // §1.7 chat the message belongs to ("" if none)
	Wrapped bool             // arrived inside a StatusProtocolMessage
}

// Receive runs the payload end of the receive path (§0): data are the bytes
// left after Whisper, encryption and MVDS. It unwraps a StatusProtocolMessage
// if present (else takes data as a bare payload), picks the author (wrapper
// signature, else whisperSigner), computes the message ID, decodes the
// Transit record and validates it with ctx (ctx.Author is overwritten). Any
// failure is a *RuleError; hostile input never panics. The returned value
// does not alias data.
func Receive(data []byte, whisperSigner *ecdsa.PublicKey, ctx Context) (*Received, error) {
	if len(data) > MaxPayloadBytes {
		return nil, reject(RuleTooLarge, "%d bytes", len(data))
	}
	u, err := Unwrap(data)
	if err != nil {
		return nil, err
	}
	author := u.Author
	if author == nil {
		author = whisperSigner
	}
	p, err := Decode(u.Payload)
	if err != nil {
		return nil, err
	}
	ctx.Author = author
	chatID, err := Validate(p, ctx)
	if err != nil {
		return nil, err
	}
	return &Received{Payload: p, Author: author, ID: ID(author, data), ChatID: chatID, Wrapped: u.Wrapped}, nil
}
