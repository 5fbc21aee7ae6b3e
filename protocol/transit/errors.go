package transit

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of
// them (use errors.Is); the wrapping text adds the offset or the offending
// value. Never compare error strings.
var (
	// ErrTooLarge: the input is longer than Limits.MaxBytes.
	ErrTooLarge = errors.New("transit: input too large")
	// ErrTooDeep: arrays/objects are nested deeper than Limits.MaxDepth.
	ErrTooDeep = errors.New("transit: nesting too deep")
	// ErrSyntax: the input is not well-formed JSON (RFC 8259) or not UTF-8.
	ErrSyntax = errors.New("transit: invalid JSON")
	// ErrMalformed: well-formed JSON that is not valid Transit (bad cache
	// reference, tag outside a tagged value, bad ~i integer, odd map, ...).
	ErrMalformed = errors.New("transit: malformed value")
	// ErrDuplicateKey: a map holds the same key twice.
	ErrDuplicateKey = errors.New("transit: duplicate map key")
	// ErrUnsupportedType: Encode was given a Go value it cannot represent.
	ErrUnsupportedType = errors.New("transit: unsupported Go type")
	// ErrInvalidString: Encode was given a string or keyword that is not valid UTF-8.
	ErrInvalidString = errors.New("transit: string is not valid UTF-8")
)
