// Package interop holds statusd's Whisper v6 interoperability tests and
// benchmarks against go-ethereum v1.9.20's whisperv6 (the last go-ethereum
// release with Whisper), in a module of its own so that go-ethereum v1.9.20
// never enters statusd's build.
//
// cmd/refnode runs the reference as a process (devp2p and JSON-RPC on
// 127.0.0.1, shh_ and a small admin_ namespace; see its doc comment). The
// harness and the checks live in ../whispersuite, a standard-library-only
// module shared with ../whisper-status; geth_test.go calls into it. The
// tests start the reference next to statusd (built from ../..) and next to
// the status-im/whisper v1.6.2 reference of ../whisper-status, connect
// them over loopback and run the checks both ways through the nodes' shh_
// APIs: TestReferences (geth ↔ status-im/whisper, proving the harness) and
// TestStatusd (statusd ↔ geth). TestPublicChat has the reference post a
// status-react style public chat message that statusd's messenger must
// show, and read statusd's with an shh_ filter; go-ethereum v1.9.20's
// crypto package supplies the Keccak-256 and signature recovery it needs.
//
// bench_test.go compares statusd with the reference fed the same envelopes
// over the wire: `make bench-interop-whisper` at the repository root.
//
// mailserver_test.go checks history against go-ethereum's
// whisper/mailserver (cmd/refnode -mailserver.password; its
// debug_requestHistory sends a request as geth's whisperv6 client does).
// What overlaps: the P2P Request (126) carrying one signed envelope sealed
// with PBKDF2(password) (same key derivation both sides), the archive keyed
// by sent time, trust (a request marks the server trusted) and delivery as
// one envelope per P2P Message (127) to allowP2P filters. So geth's client
// fetches from statusd --mailserver: its binary lower ‖ upper ‖ bloom
// payload is statusd's legacy form (limit 0 = server default, no cursor,
// no Batch, so single-envelope 127s); statusd's trailing 125 completion is
// an unknown code to geth, ignored. What does not: statusd's client
// (shhext_requestMessages, like status-go since 2018-12) writes the RLP
// payload, which geth reads as binary, so lower = the list header's bytes
// ≥ 0xc0000000 > upper: geth finds nothing, and, having no 125, answers
// nothing; statusd reports the request expired (requestMessagesSync:
// -32002) and keeps the peer. With "legacy": true in the request statusd
// sends the binary form instead and gets the history; with no 125 from
// geth, such a request counts as done when its timeout passes. Requests encrypted to the node key (no
// symKeyID), limits, cursors and Batch are not understood by geth's
// mailserver either; a direct MessagesRequest (form B, which statusd's
// client never sends) does not decode as an envelope there.
//
// go-ethereum v1.9.20's whisperv6.New takes a *node.Node, and its node
// package imports internal/debug, which imports github.com/fjl/memsize. The
// real memsize uses //go:linkname into the runtime, which Go ≥ 1.23 refuses
// to link; memsize-stub is a local module with the same API (memsize.Scan,
// Sizes, HumanSize; memsizeui.Handler with Add and ServeHTTP) and no
// behaviour, put in its place by a replace directive in go.mod.
package interop
