// Package api is statusd's JSON-RPC server and its namespaces.
//
// A Server exposes services registered with Register over three transports,
// all built on go-ethereum's rpc package:
//
//   - HTTP: POST JSON-RPC (single calls and batches), guarded by a bearer
//     token, a Host allow-list (vhosts), CORS for browser origins and a request
//     body limit.
//   - WebSocket: the same namespaces and token, with an Origin check during the
//     handshake and a per-message size limit.
//   - IPC: a Unix socket created mode 0600 (its parent directory 0700 when the
//     server creates it). File permissions are the guard, so no token is asked
//     for, and every registered namespace is reachable, as in geth.
//
// HTTP and WS expose only the namespaces listed in Config.Modules (plus geth's
// built-in "rpc" namespace). Every answered call is counted in the metrics
// registry as rpc_requests_total{method,status} (see metrics.go).
//
// Services return errors through RPCError (errors.go), the one place where
// internal errors become JSON-RPC error codes. Each namespace classifies
// its backend's sentinel errors with an ErrorMap (caller input -32602,
// timeout -32002, unavailable -32000) and names the request field at fault
// with Invalid or ErrorMap.Fail; the messages are "invalid params: <field>:
// <cause>" and "service unavailable: <cause>".
//
// rpc_discover (discover.go) answers an OpenRPC document of every registered
// method and event: which methods exist and their schemas by reflection
// (catalog.go, schema.go, with go-ethereum's rules), descriptions from the
// doc comments that internal/tools/apidoc extracts into api/apidocs.
//
// Lifecycle: NewServer, Register each namespace, Start, and finally Stop,
// which is idempotent and returns only when every goroutine the server started
// has exited and the IPC socket file is gone.
package api
