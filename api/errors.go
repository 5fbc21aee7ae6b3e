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

// invalidParams builds an ErrInvalidParams error whose message is
// "invalid params: <what>: <cause>".
func invalidParams(what string, cause error) error {
	return RPCError(fmt.Errorf("%w: %s: %w", ErrInvalidParams, what, cause))
}
