package shh

import (
	"errors"

	"github.com/statusnode/statusd/api"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// ErrPrivateKeyExportDisabled answers shh_getPrivateKey unless the node
// was started with --shh.getprivatekey.
var ErrPrivateKeyExportDisabled = errors.New("shh: shh_getPrivateKey is disabled (enable with --shh.getprivatekey)")

// ErrTooManySubscriptions answers shh_subscribe past the per-connection
// limit.
var ErrTooManySubscriptions = errors.New("shh: too many subscriptions")

// errs classifies the router and codec sentinels: those that mean the
// caller's input was wrong are -32602; everything else goes through
// api.RPCError (-32000, or -32002 for timeouts).
var errs = api.ErrorMap{Invalid: []error{
	whisper.ErrKeyNotFound, whisper.ErrFilterNotFound, whisper.ErrInvalidFilter,
	whisper.ErrInvalidSetting, whisper.ErrPeerNotFound,
	wproto.ErrInvalidSymKey, wproto.ErrInvalidPublicKey, wproto.ErrInvalidPrivateKey,
	wproto.ErrInvalidTopic, wproto.ErrInvalidBloom, wproto.ErrInvalidPoW, wproto.ErrNoKey,
	wproto.ErrBothKeys, wproto.ErrPayloadTooLarge, wproto.ErrEnvelopeTooLarge, wproto.ErrPoWTooLow,
}}

// rpcError is the namespace's one mapping from errors to JSON-RPC errors
// (api.ErrorMap.Map): errors attributed to a field (invalid) and the
// caller-input sentinels become -32602 "invalid params: <field>: <cause>".
func rpcError(err error) error { return errs.Map(err) }

// invalid attributes err to a request field; rpcError turns it into -32602.
func invalid(field string, err error) error { return api.Invalid(field, err) }
