// Package apidocs holds the documentation of statusd's JSON-RPC services,
// extracted from the doc comments of the packages under api/ by
// internal/tools/apidoc (`make docs`, or `go generate ./api`). The node
// passes Catalog to api.Server.SetDocs, and rpc_discover serves it as part of
// its OpenRPC document.
//
// Do not edit apidocs_gen.go: edit the doc comments and regenerate. A test in
// internal/tools/apidoc fails when the file is stale.
package apidocs
