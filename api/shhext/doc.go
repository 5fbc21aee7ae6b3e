// Package shhext exposes the messenger (internal/messenger) over JSON-RPC
// in two namespaces:
//
//   - "shhext": the status-go v0.35 methods a frontend needs, with the
//     names and request/result shapes of docs/PROTOCOL.md §7.1–7.2
//     (shhext_post, sendPublicMessage, sendDirectMessage, loadFilters,
//     chats, chatMessages, …). Where statusd's messenger has no exact
//     equivalent, the method's doc comment says what it does instead.
//   - "statusd": a smaller, friendlier set for scripts and new frontends
//     (statusd_joinPublicChat, statusd_startOneToOne, statusd_createGroup,
//     statusd_sendText, statusd_chats, statusd_messages,
//     statusd_deliveryState, statusd_chatKey, …) with the messenger's own
//     JSON shapes, and statusd_subscribe("events"), which pushes every
//     messenger and router event over WebSocket and IPC (events.go).
//
// Errors go through one function, rpcError: the messenger's caller-input
// sentinels (unknown chat or message, bad public key or chat name, invalid
// text, not a group member…) become -32602 with a message naming the
// request field; a stopped messenger is -32000 "service unavailable";
// anything else goes through api.RPCError.
//
// Goroutines: each statusd_subscribe subscription runs one goroutine that
// ends when the client unsubscribes or disconnects, when the messenger or
// router stops, or on Service.Close, which waits for all of them.
package shhext
