// Package messengertest is the in-memory stand-in for internal/messenger
// that the tests of the two namespaces over the messenger, api/shhext and
// api/statusd, serve their JSON-RPC methods from.
//
// Messenger holds what both namespaces' fakes keep the same way (chats,
// messages, contacts and installations in memory, deterministic IDs,
// clocks and times, the messenger's sentinel errors) and the methods whose
// behaviour both rely on being identical. Each test package embeds it in
// its own fake and adds or overrides what its namespace needs differently.
// The package is for tests only; nothing in the node imports it.
package messengertest
