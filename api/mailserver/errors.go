package mailserver

import (
	"errors"
	"fmt"

	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/transport/mailserver"
)

// ErrTooSoon refuses a non-forced request for a topic set requested less
// than Config.RequestDelay ago (status-go's RequestsRegistry, §7.1).
var ErrTooSoon = errors.New("mailserver: a request for the same topics was sent too recently; set force to send it anyway")

// fieldError marks err as caused by the named request field.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// invalid attributes err to a request field; rpcError turns it into -32602.
func invalid(field string, err error) error { return &fieldError{field: field, err: err} }

// rpcError is the package's one mapping to JSON-RPC errors (see the package
// doc).
func rpcError(err error) error {
	if err == nil {
		return nil
	}
	var fe *fieldError
	switch {
	case errors.As(err, &fe), errors.Is(err, mailserver.ErrInvalidParams):
		return api.RPCError(fmt.Errorf("%w: %w", api.ErrInvalidParams, err))
	case errors.Is(err, mailserver.ErrTimeout):
		return &api.Error{Code: api.CodeTimeout, Msg: err.Error(), Err: err}
	case errors.Is(err, mailserver.ErrStopped), errors.Is(err, errClosed):
		return api.RPCError(fmt.Errorf("%w: %w", api.ErrUnavailable, err))
	}
	return api.RPCError(err)
}
