// Package interop holds statusd's Whisper v6 interoperability tests against
// github.com/status-im/whisper v1.6.2, Status's fork, in a module of its own
// so that neither it nor its go-ethereum enters statusd's build. The fork is
// built against go-ethereum v1.9.5 as Status shipped it: the replace to
// github.com/status-im/go-ethereum v1.9.5-status.4 in go.mod is the one the
// fork's own go.mod carries. Nothing here imports go-ethereum's node
// package, so no memsize stub is needed.
//
// cmd/refnode runs the reference as a process (devp2p and JSON-RPC on
// 127.0.0.1, shh_ and a small admin_ namespace; see its doc comment). It
// keeps the fork's default of sending codes 11 and 12 after every batch it
// receives. The harness and the checks live in ../whispersuite, a
// standard-library-only module shared with ../whisper-geth; status_test.go
// calls into it. The tests start the reference next to statusd (built from
// ../..) and next to the go-ethereum v1.9.20 reference of ../whisper-geth,
// connect them over loopback and run the checks both ways through the
// nodes' shh_ APIs: TestReferences (status-im/whisper ↔ geth) and
// TestStatusd (statusd ↔ status-im/whisper). TestPublicChat has the
// reference post a status-react style public chat message that statusd's
// messenger must show, and read statusd's with an shh_ filter; the
// go-ethereum the fork is built against supplies the Keccak-256 and
// signature recovery it needs.
package interop
