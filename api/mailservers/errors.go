package mailservers

import (
	"github.com/statusnode/statusd/api"
	store "github.com/statusnode/statusd/storage/mailservers"
)

// errs classifies the store's sentinels (see the package doc).
var errs = api.ErrorMap{Invalid: []error{store.ErrInvalid}}

// rpcError is the package's one mapping to JSON-RPC errors
// (api.ErrorMap.Map).
func rpcError(err error) error { return errs.Map(err) }

// fail attributes a store error to the request field named field.
func fail(field string, err error) error { return errs.Fail(field, err) }

// invalid attributes err to a request field; rpcError turns it into -32602.
func invalid(field string, err error) error { return api.Invalid(field, err) }
