// Package mailservers is the "mailservers" JSON-RPC namespace of
// status-go v0.35.1, which frontends of that era call at login and around
// every history fetch: the user's mailservers, the request gaps of each
// chat, the mailserver topics, the chat request ranges (records the
// frontend owns and statusd only keeps), and mailservers_ping, a TCP
// connect check of mailserver addresses that the frontend uses to pick the
// fastest one.
//
// Method names, parameter and result shapes are status-go's: JSON field
// names (including the dashed "chat-ids", "last-request", "chat-id",
// "lowest-request-from" and "highest-request-to"), lists that are null
// when empty (ping's is [] when empty), writes that answer null, and
// replace-by-ID semantics. Lists are ordered by ID, topic or chat ID, as
// status-go's tables returned them; ping answers in the order of its
// addresses, where status-go's order was random. testdata/schemas holds a
// JSON schema of each method's result, checked against every answer of the
// transcripts in testdata.
//
// The namespace consumes two narrow interfaces (service.go): Store (the
// records, *storage/mailservers.Store in the node) and Pinger (one TCP
// connect check, TCPPinger in the node). Tests use hand-written fakes; the
// TCPPinger tests reach only loopback listeners.
//
// Errors go through one function, rpcError: a record the store refuses
// (an ID over its length limit) and a bad ping query are -32602 "invalid
// params: <field>: <cause>"; anything else goes through api.RPCError
// (-32000). Malformed parameters are answered by go-ethereum's rpc
// package as in status-go ("invalid argument 0: …", "missing value for
// required argument 0").
//
// Goroutines: mailservers_ping checks its addresses concurrently, one
// goroutine each, and returns once all have ended (each is bounded by the
// query's timeout and the call's context). Nothing outlives a call.
package mailservers
