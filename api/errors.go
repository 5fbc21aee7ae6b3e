package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rpc"
)

// JSON-RPC 2.0 error codes used by statusd. The -32000…-32099 range is
// "server error" in the JSON-RPC specification; statusd uses -32000 for
// errors that have no more precise code, as geth does.
const (
	CodeParseError     = -32700 // invalid JSON (answered by go-ethereum's rpc)
	CodeInvalidRequest = -32600 // not a JSON-RPC request
	CodeMethodNotFound = -32601 // unknown method or namespace not exposed
	CodeInvalidParams  = -32602 // the caller's input is wrong
	CodeInternal       = -32603 // a bug on our side
	CodeServer         = -32000 // any other failure
	CodeTimeout        = -32002 // request timed out (geth's code)
)

// Sentinel errors. Wrap them with %w to choose the JSON-RPC code RPCError
// gives; never compare error strings.
var (
	// ErrInvalidParams marks bad input from the caller (-32602).
	ErrInvalidParams = errors.New("invalid params")
	// ErrUnavailable means the service needed to answer is not running (-32000).
	ErrUnavailable = errors.New("service unavailable")
	// ErrUnauthorized is the answer to a missing or wrong bearer token.
	ErrUnauthorized = errors.New("unauthorized: missing or invalid bearer token")
	// ErrBodyTooLarge is the answer to a request over Config.MaxBodyBytes.
	ErrBodyTooLarge = errors.New("request too large")
	// ErrForbiddenHost is the answer to an HTTP Host header not in Config.VHosts.
	ErrForbiddenHost = errors.New("invalid host specified")
)

// Error is a JSON-RPC error: a code and a message. It implements go-ethereum's
// rpc.Error, so returning one from a service method sets the "code" field of
// the answer. Err, when set, is the cause; errors.Is and errors.As see it.
type Error struct {
	Code int
	Msg  string
	Err  error
}

var _ rpc.Error = (*Error)(nil)

// Error returns the message sent to the client.
func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

// ErrorCode returns the JSON-RPC error code.
func (e *Error) ErrorCode() int { return e.Code }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// RPCError is the one mapping from internal errors to JSON-RPC errors. Service
// methods pass every error they return through it. nil stays nil; an error
// that already carries a code (any rpc.Error, including *Error) keeps it;
// otherwise the sentinel the error wraps picks the code:
//
//	ErrInvalidParams                          -32602
//	context.DeadlineExceeded                  -32002
//	anything else (ErrUnavailable, I/O, ...)  -32000
//
// The message is err.Error(): internal errors must not carry secrets.
func RPCError(err error) error {
	if err == nil {
		return nil
	}
	var coded rpc.Error
	if errors.As(err, &coded) {
		return err
	}
	return &Error{Code: codeOf(err), Msg: err.Error(), Err: err}
}

func codeOf(err error) int {
	switch {
	case errors.Is(err, ErrInvalidParams):
		return CodeInvalidParams
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	default:
		return CodeServer
	}
}

// FieldError attributes a caller's mistake to one request field (a
// parameter name, or a member of an object parameter such as "topics[2]"
// or "chats[0].chatId"). Its message is "<field>: <cause>"; ErrorMap.Map
// answers it with -32602 "invalid params: <field>: <cause>".
type FieldError struct {
	Field string
	Err   error
}

// Error returns "<field>: <cause>".
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Invalid attributes err to the request field named field; a nil err stays
// nil.
func Invalid(field string, err error) error {
	if err == nil {
		return nil
	}
	return &FieldError{Field: field, Err: err}
}

// ErrorMap is how a namespace classifies the sentinel errors of the
// backend it consumes; Map and Fail are the namespaces' one mapping from
// errors to JSON-RPC errors. A zero ErrorMap knows no sentinels. Its
// slices are read, never written, so one value may be shared.
type ErrorMap struct {
	// Invalid are the sentinels that mean the caller's input was wrong
	// (unknown ID, malformed key, …): -32602.
	Invalid []error
	// Timeout are the sentinels of an operation that ran out of time:
	// -32002 with the error's own message.
	Timeout []error
	// Unavailable are the sentinels of a backend that is not running:
	// -32000 "service unavailable: <err>".
	Unavailable []error
}

// Map turns err into the error a service method returns, checking in
// order:
//
//	a *FieldError in the chain, or an Invalid sentinel  -32602 "invalid params: <err>"
//	a Timeout sentinel                                  -32002 "<err>"
//	an Unavailable sentinel                             -32000 "service unavailable: <err>"
//	anything else                                       RPCError(err)
//
// nil stays nil.
func (m ErrorMap) Map(err error) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	switch {
	case errors.As(err, &fe), isAny(err, m.Invalid):
		return RPCError(fmt.Errorf("%w: %w", ErrInvalidParams, err))
	case isAny(err, m.Timeout):
		return &Error{Code: CodeTimeout, Msg: err.Error(), Err: err}
	case isAny(err, m.Unavailable):
		return RPCError(fmt.Errorf("%w: %w", ErrUnavailable, err))
	}
	return RPCError(err)
}

// Fail is Map for an error a backend returned while serving the request
// field named field: an Invalid sentinel is attributed to that field
// ("invalid params: <field>: <err>"); anything else is mapped as is.
func (m ErrorMap) Fail(field string, err error) error {
	if isAny(err, m.Invalid) {
		return m.Map(Invalid(field, err))
	}
	return m.Map(err)
}

func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// invalidParams builds an ErrInvalidParams error whose message is
// "invalid params: <what>: <cause>".
func invalidParams(what string, cause error) error {
	return ErrorMap{}.Map(Invalid(what, cause))
}
