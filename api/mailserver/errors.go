package mailserver

import (
	"errors"

	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/transport/mailserver"
)

// ErrTooSoon refuses a non-forced request for a topic set requested less
// than Config.RequestDelay ago (status-go's RequestsRegistry, §7.1).
var ErrTooSoon = errors.New("mailserver: a request for the same topics was sent too recently; set force to send it anyway")

// errs classifies the client's sentinels (see the package doc).
var errs = api.ErrorMap{
	Invalid:     []error{mailserver.ErrInvalidParams},
	Timeout:     []error{mailserver.ErrTimeout, mailserver.ErrSyncTimeout},
	Unavailable: []error{mailserver.ErrStopped, errClosed},
}

// rpcError is the package's one mapping to JSON-RPC errors
// (api.ErrorMap.Map; see the package doc).
func rpcError(err error) error { return errs.Map(err) }

// invalid attributes err to a request field; rpcError turns it into -32602.
func invalid(field string, err error) error { return api.Invalid(field, err) }
