// Package shh is the geth-compatible Whisper v6 JSON-RPC namespace "shh"
// (docs/PROTOCOL.md §5.11): keys, filters, posting and the "messages"
// subscription, with the request and result shapes of status-im/whisper so
// that existing clients work unchanged. It is a thin layer over the
// Whisper router, which it consumes through the Backend interface
// (*whisper.Whisper in the node, a fake in tests).
//
// Errors go through one function, rpcError (an api.ErrorMap), which maps
// bad input (unknown key or filter IDs, malformed hex, a PoW target below
// the node minimum…) to JSON-RPC -32602 with a message naming the field,
// and anything else to the api package's codes. Subscriptions push each message as soon as it
// is matched (no 250 ms polling); each runs one goroutine that Service.Close
// waits for.
package shh
