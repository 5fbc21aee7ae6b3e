package shh

import (
	"errors"
	"fmt"

	"github.com/statusnode/statusd/api"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// ErrPrivateKeyExportDisabled answers shh_getPrivateKey unless the node
// was started with --shh.getprivatekey.
var ErrPrivateKeyExportDisabled = errors.New("shh: shh_getPrivateKey is disabled (enable with --shh.getprivatekey)")

// fieldError marks err as caused by the named request field.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// invalid attributes err to a request field; rpcError turns it into -32602.
func invalid(field string, err error) error {
	if err == nil {
		return nil
	}
	return &fieldError{field: field, err: err}
}

// callerErrors are the router and codec sentinels that mean the caller's
// input was wrong.
var callerErrors = []error{
	whisper.ErrKeyNotFound, whisper.ErrFilterNotFound, whisper.ErrInvalidFilter,
	whisper.ErrInvalidSetting, whisper.ErrPeerNotFound,
	wproto.ErrInvalidSymKey, wproto.ErrInvalidPublicKey, wproto.ErrInvalidPrivateKey,
	wproto.ErrInvalidTopic, wproto.ErrInvalidBloom, wproto.ErrInvalidPoW, wproto.ErrNoKey,
	wproto.ErrBothKeys, wproto.ErrPayloadTooLarge, wproto.ErrEnvelopeTooLarge, wproto.ErrPoWTooLow,
}

// rpcError is the namespace's one mapping from errors to JSON-RPC errors:
// errors attributed to a field, and the caller-input sentinels above, become
// -32602 "invalid params: <field>: <cause>"; everything else goes through
// api.RPCError (-32000, or -32002 for timeouts).
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
	return api.RPCError(err)
}
