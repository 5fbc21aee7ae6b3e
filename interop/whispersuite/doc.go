// Package whispersuite is the harness and the checks of statusd's Whisper
// v6 interoperability tests, shared by the modules interop/whisper-geth
// (go-ethereum v1.9.20's whisperv6) and interop/whisper-status
// (status-im/whisper v1.6.2). Those two are separate modules because they
// need different go-ethereum versions; their test files are thin calls
// into this package, which is its own module with the standard library
// only, so that either can require it (through a replace to
// ../whispersuite) without a dependency conflict.
//
// The harness builds statusd (from the repository root) and the two
// reference nodes (cmd/refnode of each module) once per test binary run
// (Build; Main removes the binaries), starts them as processes on
// loopback (StartNode: devp2p and HTTP JSON-RPC on free ports, no
// discovery; statusd without fleet and SNTP), connects them (Connect)
// and talks to them only over JSON-RPC (Node.Call), so it depends on no
// go-ethereum API. Build finds the repository root by walking up from
// the working directory, which go test sets to the consuming module's
// directory, to the go.mod of module github.com/statusnode/statusd.
//
// RunPair runs the Whisper checks (suite.go) between two node kinds in
// both directions, through their shh_ APIs (docs/PROTOCOL.md §5.11).
// PublicChat (chat.go) has a reference node post a status-react style
// public chat message that statusd's messenger must show, and read
// statusd's with an shh_ filter; the Keccak-256 and secp256k1 recovery it
// needs come from the caller's go-ethereum (Crypto).
//
// Every function that takes a testing.TB or *testing.T fails it on error
// and must be called on that test's goroutine, unless its comment says
// otherwise; processes it starts are killed when the test ends.
package whispersuite
