// Package mailserver exposes the mailserver client role
// (transport/mailserver.Client, docs/PROTOCOL.md §4.5) over JSON-RPC.
//
//   - Service.RequestMessages and Service.RequestMessagesSync implement the
//     status-go methods shhext_requestMessages and shhext_requestMessagesSync
//     with the shapes of §7.1 (MessagesRequest, RetryConfig,
//     MessagesResponse). They are registered under "shhext" by package
//     api/shhext (Service.SetMailserver), where a frontend expects them.
//   - Service.InitiateHistoryRequests, Service.CompleteRequest and
//     Service.SyncMessages implement status-go v0.35's stateful history
//     methods (over a HistoryStore, storage/topichistory in the node) and
//     mailserver-to-mailserver sync (over a Syncer, the node's mailserver),
//     registered under "shhext" the same way.
//   - API is the "mailserver" namespace: per-topic history bookkeeping
//     (mailserver_coveredRanges, mailserver_gaps, mailserver_fillGaps,
//     mailserver_track, mailserver_tracked) and mailserver_subscribe("events"),
//     which pushes request completion and expiry (the §7.3 signals) and
//     gap found / gap filled events.
//
// The namespace consumes the client through the Client interface
// (*mailserver.Client in the node, a fake in tests).
//
// Errors go through one function, rpcError (an api.ErrorMap): a bad request field is -32602
// "invalid params: <field>: <cause>"; a request without completion in time
// is -32002; a stopped client is -32000 "service unavailable"; anything
// else goes through api.RPCError.
//
// Goroutines: shhext_requestMessages returns once the request is sent and
// waits for its completion on a goroutine. The calls that run long —
// mailserver_fillGaps, shhext_requestMessagesSync, shhext_syncMessages,
// and the requests of shhext_initiateHistoryRequests — run on the
// service's context, not the call's (Service.detach): a caller that
// disconnects or times out ends its call, never the fetch it started, so
// no page is lost half-way; the events say when it is done. Each events
// subscription runs one goroutine. Service.Close cancels the former, ends the latter and
// waits for all of them; call it after the RPC server stopped and before
// the client stops.
package mailserver
