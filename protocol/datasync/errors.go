package datasync

import "errors"

// Sentinel errors. Callers compare with errors.Is; messages are wrapped with
// %w and carry detail after the sentinel text.
var (
	// ErrNotPayload: the bytes are not an MVDS payload (they do not parse as
	// protobuf, or carry none of the known fields). A receiver trial-parsing
	// per docs/PROTOCOL.md §0 passes such bytes through to the next layer.
	ErrNotPayload = errors.New("datasync: not an MVDS payload")

	// ErrMalformedPayload: the bytes carry MVDS fields but break the format
	// (wrong ID length, wrong wire type, truncated field).
	ErrMalformedPayload = errors.New("datasync: malformed payload")

	// ErrTooLarge: an input exceeds a configured size or count limit. It is
	// detected before anything is allocated for the input.
	ErrTooLarge = errors.New("datasync: input exceeds limit")

	// ErrEmptyPayload: an attempt to encode a payload that carries nothing.
	ErrEmptyPayload = errors.New("datasync: empty payload")

	// ErrInvalidConfig: Config.Validate rejected a setting.
	ErrInvalidConfig = errors.New("datasync: invalid config")

	// ErrDuplicateMessage: Append of a message whose ID is already known.
	ErrDuplicateMessage = errors.New("datasync: duplicate message")

	// ErrSelf: an operation named the node's own peer ID where another peer
	// is required.
	ErrSelf = errors.New("datasync: peer is the local node")

	// ErrInvalidState: a snapshot given to RestartNode is inconsistent.
	ErrInvalidState = errors.New("datasync: invalid state")

	// ErrInvalidKey: a public key has the wrong length or prefix.
	ErrInvalidKey = errors.New("datasync: invalid public key")
)
