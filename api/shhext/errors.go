package shhext

import (
	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/api/internal/messengererr"
)

// errs is the classification of the messenger's errors shared with the
// other namespace over the messenger (see the package doc).
var errs = messengererr.Errors

// rpcError is the package's one mapping to JSON-RPC errors
// (api.ErrorMap.Map).
func rpcError(err error) error { return errs.Map(err) }

// fail attributes err to field when it is a caller-input error, then maps
// it with rpcError (api.ErrorMap.Fail).
func fail(field string, err error) error { return errs.Fail(field, err) }

// invalid attributes err to a request field; rpcError turns it into -32602.
func invalid(field string, err error) error { return api.Invalid(field, err) }
