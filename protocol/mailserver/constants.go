package mailserver

import (
	"errors"

	"github.com/statusnode/statusd/protocol/whisper"
)

// Sizes and limits of the mailserver wire forms (docs/PROTOCOL.md §4.5).
const (
	// RequestIDLength is the size of a request ID: the request envelope's
	// hash for form (A), the ID field for form (B) (§4.5).
	RequestIDLength = 32
	// CursorLength is a cursor on the wire: time (4, BE) ‖ envelope hash (32) (§4.5).
	CursorLength = 4 + 32
	// LegacyCursorLength is the cursor of the legacy binary request: the
	// status-go DB key time ‖ hash ‖ topic (§4.5); its first 36 bytes are a cursor.
	LegacyCursorLength = CursorLength + whisper.TopicLength
	// DefaultLimit replaces Limit 0 in a form (A) request (§4.5).
	DefaultLimit uint32 = 2000
	// MaxDirectLimit is the largest Limit of a form (B) MessagesRequest (§4.5);
	// it also replaces Limit 0 there.
	MaxDirectLimit uint32 = 1000
	// UpperSlack is added to now when a form (A) request has Upper 0 (§4.5).
	UpperSlack uint32 = 60
	// MaxLegacyRange is the longest Upper−Lower of a legacy binary request,
	// 24 h in seconds (§4.5, §8).
	MaxLegacyRange uint32 = 24 * 60 * 60
	// DefaultRequestTTL is the TTL of a request envelope when none is given (§4.5).
	DefaultRequestTTL = whisper.DefaultTTL
)

// Encoded size bounds, checked before anything is allocated.
const (
	legacyMinLength = 8                                         // Lower ‖ Upper
	legacyBloomEnd  = legacyMinLength + whisper.BloomFilterSize // + Bloom
	legacyLimitEnd  = legacyBloomEnd + 4                        // + Limit
	legacyMaxLength = legacyLimitEnd + LegacyCursorLength       // + Cursor

	// MaxPayloadSize bounds a form (A) request payload (RLP or legacy):
	// list header 2, three uint32 of 5, bloom 66, cursor 41, bool 1.
	MaxPayloadSize = 128
	// MaxDirectRequestSize bounds a form (B) packet body: list header 2,
	// ID 33, three uint32 of 5, cursor 41, bloom 66.
	MaxDirectRequestSize = 160

	// completionSuccessMax is RequestID ‖ LastEnvelopeHash ‖ Cursor (§4.5).
	completionSuccessMax = 2*RequestIDLength + CursorLength
	// MaxErrorTextLength bounds the UTF-8 text of an ERROR= completion.
	MaxErrorTextLength = 1024
	// MaxCompletionSize bounds a code-125 body: RLP string header plus the
	// longest error completion.
	MaxCompletionSize = 3 + len(errorPrefix) + RequestIDLength + MaxErrorTextLength
)

// errorPrefix starts a failed completion (§4.5).
const errorPrefix = "ERROR="

// Sentinel errors. Functions wrap them with %w and context; compare with
// errors.Is, never by string.
var (
	// Decoding.
	ErrRequestMalformed    = errors.New("mailserver: malformed request")
	ErrRequestTooLarge     = errors.New("mailserver: request too large")
	ErrCompletionMalformed = errors.New("mailserver: malformed request completion")
	ErrInvalidCursor       = errors.New("mailserver: invalid cursor")

	// Validation of a decoded request.
	ErrInvalidRange = errors.New("mailserver: invalid time range")
	ErrInvalidLimit = errors.New("mailserver: invalid limit")
	ErrInvalidBloom = errors.New("mailserver: invalid bloom filter")

	// Checks of a form (A) request envelope.
	ErrPoWTooLow   = errors.New("mailserver: request PoW too low")
	ErrNoKey       = errors.New("mailserver: no key to open the request")
	ErrOpenRequest = errors.New("mailserver: cannot open request envelope")
	ErrNoSignature = errors.New("mailserver: request not signed")

	// Delivery.
	ErrEnvelopeTooLarge = errors.New("mailserver: envelope does not fit in a message")
)
