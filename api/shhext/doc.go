// Package shhext is the "shhext" JSON-RPC namespace: the status-go v0.35
// methods a frontend needs over the messenger (internal/messenger), with
// the names and request/result shapes of docs/PROTOCOL.md §7.1–7.2
// (shhext_post, sendPublicMessage, sendDirectMessage, loadFilters, chats,
// chatMessages, …). Where statusd's messenger has no exact equivalent, the
// method's doc comment says what it does instead. The friendlier "statusd"
// namespace is package api/statusd.
//
// The namespace consumes narrow interfaces (service.go): Messenger, the
// Whisper SymKeys store, the Poster that answers shhext_post (the shh
// namespace) and the MailRequester behind shhext_requestMessages (the
// mailserver namespace). The node passes the real services.
//
// Errors go through one function, rpcError: the messenger's caller-input
// sentinels (unknown chat or message, bad public key or chat name, invalid
// text, not a group member…) become -32602 with a message naming the
// request field; a stopped messenger is -32000 "service unavailable";
// anything else goes through api.RPCError.
//
// shhext_subscribe("signals") streams status-go v0.35.1's signals
// (signals.go) from the messenger's and the mailserver client's events
// (Service.SetSignalSources); each subscription has one goroutine, which
// ends when the client unsubscribes or leaves, when a source closes, or
// at Service.Close, which waits for it. The namespace starts no other
// goroutines.
package shhext
