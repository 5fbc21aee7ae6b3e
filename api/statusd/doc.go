// Package statusd is the "statusd" JSON-RPC namespace: a small, friendly
// API over the messenger (internal/messenger) for scripts and new
// frontends — statusd_joinPublicChat, statusd_startOneToOne,
// statusd_createGroup, statusd_sendText (and statusd_sendReply,
// statusd_sendEmoji, statusd_sendSticker, statusd_sendCommand for the other
// 2019 kinds), statusd_chats, statusd_messages,
// statusd_deliveryState, statusd_chatKey, … — with snake_case JSON shapes,
// and statusd_subscribe("events"), which pushes every messenger and router
// event over WebSocket and IPC (events.go). The status-go compatible
// methods are in package api/shhext.
//
// The namespace consumes two narrow interfaces, Messenger and Router
// (service.go); the node passes the real messenger and Whisper router.
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
package statusd
