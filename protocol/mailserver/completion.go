package mailserver

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// Completion is the body of a P2P Request Complete packet (code 125,
// docs/PROTOCOL.md §4.5), sent by the server after the last code-127 packet
// of a request. On the wire it is one RLP byte string (not a list) holding
//
//	success: RequestID(32) ‖ LastEnvelopeHash(32) ‖ Cursor(0 or 36)
//	failure: "ERROR=" ‖ RequestID(32) ‖ UTF-8 error text
//
// A nil Cursor means the request is done; otherwise the client resends the
// request with it to get the next page.
type Completion struct {
	RequestID        common.Hash
	LastEnvelopeHash common.Hash // zero when nothing was sent
	Cursor           *Cursor     // nil: no more pages
	// Error, when not empty, makes this a failure completion; the other
	// fields but RequestID are then unused. At most MaxErrorTextLength
	// bytes are sent; invalid UTF-8 is replaced.
	Error string
}

// Failed reports whether c is an ERROR= completion.
func (c *Completion) Failed() bool { return c.Error != "" }

// EncodeCompletion returns the code-125 body of c.
func EncodeCompletion(c *Completion) []byte {
	var payload []byte
	if c.Failed() {
		text := errorText(c.Error)
		payload = make([]byte, 0, len(errorPrefix)+RequestIDLength+len(text))
		payload = append(payload, errorPrefix...)
		payload = append(payload, c.RequestID[:]...)
		payload = append(payload, text...)
	} else {
		payload = make([]byte, 0, completionSuccessMax)
		payload = append(payload, c.RequestID[:]...)
		payload = append(payload, c.LastEnvelopeHash[:]...)
		if c.Cursor != nil {
			payload = c.Cursor.AppendBytes(payload)
		}
	}
	b, err := rlp.EncodeToBytes(payload)
	if err != nil {
		panic("mailserver: encoding a byte string failed: " + err.Error()) // unreachable
	}
	return b
}

// errorText makes s valid UTF-8 of at most MaxErrorTextLength bytes,
// cutting on a rune boundary.
func errorText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxErrorTextLength {
		return s
	}
	cut := MaxErrorTextLength
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// DecodeCompletion parses a code-125 body. The body is bounded by
// MaxCompletionSize before anything is copied. A success payload is 32
// (RequestID only), 64 (with LastEnvelopeHash) or 100 bytes (with a
// cursor); anything longer is an error, as in status-go. A failure payload
// must hold a whole RequestID; its text is made valid UTF-8. Errors wrap
// ErrCompletionMalformed or ErrInvalidCursor.
func DecodeCompletion(b []byte) (*Completion, error) {
	if len(b) > MaxCompletionSize {
		return nil, fmt.Errorf("%w: %d bytes > %d", ErrCompletionMalformed, len(b), MaxCompletionSize)
	}
	payload, rest, err := rlp.SplitString(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCompletionMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCompletionMalformed, len(rest))
	}
	// A success whose request ID starts with "ERROR=" (chance 2^-48) reads as
	// a failure, as it does in status-go.
	if bytes.HasPrefix(payload, []byte(errorPrefix)) {
		return decodeFailure(payload[len(errorPrefix):])
	}
	return decodeSuccess(payload)
}

func decodeFailure(p []byte) (*Completion, error) {
	if len(p) < RequestIDLength {
		return nil, fmt.Errorf("%w: error completion of %d bytes lacks a request ID", ErrCompletionMalformed, len(p))
	}
	c := &Completion{Error: strings.ToValidUTF8(string(p[RequestIDLength:]), "\uFFFD")}
	copy(c.RequestID[:], p)
	if c.Error == "" {
		c.Error = "unknown error" // keep Failed() true for an empty text
	}
	return c, nil
}

func decodeSuccess(p []byte) (*Completion, error) {
	switch len(p) {
	case RequestIDLength, 2 * RequestIDLength, completionSuccessMax:
	default:
		return nil, fmt.Errorf("%w: %d bytes, want %d, %d or %d", ErrCompletionMalformed,
			len(p), RequestIDLength, 2*RequestIDLength, completionSuccessMax)
	}
	c := new(Completion)
	copy(c.RequestID[:], p)
	if len(p) >= 2*RequestIDLength {
		copy(c.LastEnvelopeHash[:], p[RequestIDLength:])
	}
	if len(p) == completionSuccessMax {
		cur, err := ParseCursor(p[2*RequestIDLength:])
		if err != nil {
			return nil, err
		}
		c.Cursor = cur
	}
	return c, nil
}
