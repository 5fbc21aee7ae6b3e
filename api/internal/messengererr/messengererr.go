// Package messengererr classifies the messenger's sentinel errors for the
// two namespaces over the messenger, api/shhext and api/statusd, so that
// both answer the same JSON-RPC error for the same failure.
package messengererr

import (
	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
)

// Errors is the classification: the messenger's and encryption layer's
// caller-input sentinels (unknown chat, message or installation, bad
// public key or chat name, invalid text, not a group member…) are
// -32602; a messenger that is not running is -32000 "service unavailable".
// It is read-only.
var Errors = api.ErrorMap{
	Invalid: []error{
		messenger.ErrChatNotFound, messenger.ErrMessageNotFound, messenger.ErrInvalidChatName,
		messenger.ErrInvalidPublicKey, messenger.ErrInvalidMessage, messenger.ErrNotMember,
		messenger.ErrNotAllowed, messenger.ErrInvalidCursor, messenger.ErrInvalidProfile,
		messenger.ErrNoContactRequest, messenger.ErrContactBlocked,
		encryption.ErrInstallationNotFound, encryption.ErrDeviceNotFound, encryption.ErrTooManyInstallations,
	},
	Unavailable: []error{messenger.ErrNotStarted, messenger.ErrStopped},
}
