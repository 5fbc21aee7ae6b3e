package statusd

import (
	"errors"
	"fmt"

	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
)

// fieldError marks err as caused by the named request field.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// invalid attributes err to a request field; rpcError turns it into -32602.
func invalid(field string, err error) error { return &fieldError{field: field, err: err} }

// callerErrors are the messenger and encryption sentinels that mean the
// caller's input was wrong.
var callerErrors = []error{
	messenger.ErrChatNotFound, messenger.ErrMessageNotFound, messenger.ErrInvalidChatName,
	messenger.ErrInvalidPublicKey, messenger.ErrInvalidMessage, messenger.ErrNotMember,
	messenger.ErrNotAllowed, messenger.ErrInvalidCursor,
	encryption.ErrInstallationNotFound, encryption.ErrDeviceNotFound, encryption.ErrTooManyInstallations,
}

// fail attributes err to field when it is a caller-input error, then maps
// it with rpcError.
func fail(field string, err error) error {
	if err == nil {
		return nil
	}
	for _, s := range callerErrors {
		if errors.Is(err, s) {
			return rpcError(invalid(field, err))
		}
	}
	return rpcError(err)
}

// rpcError is the package's one mapping to JSON-RPC errors: field errors
// and caller sentinels are -32602 "invalid params: <field>: <cause>"; a
// messenger that is not running is api.ErrUnavailable (-32000); the rest
// goes through api.RPCError.
func rpcError(err error) error {
	if err == nil {
		return nil
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return api.RPCError(fmt.Errorf("%w: %w", api.ErrInvalidParams, err))
	}
	for _, s := range callerErrors {
		if errors.Is(err, s) {
			return api.RPCError(fmt.Errorf("%w: %w", api.ErrInvalidParams, err))
		}
	}
	if errors.Is(err, messenger.ErrNotStarted) || errors.Is(err, messenger.ErrStopped) {
		return api.RPCError(fmt.Errorf("%w: %w", api.ErrUnavailable, err))
	}
	return api.RPCError(err)
}
