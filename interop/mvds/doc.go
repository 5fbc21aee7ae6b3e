// Package mvds is the interoperability test between statusd's MVDS
// (protocol/datasync, run by the internal/datasync driver) and vacp2p/mvds
// at v0.0.24-0.20201124060106-26d8e94130d8, the pseudo-version status-go
// used (2019 field numbers 5001…/6001…, fixed retransmission). It is its own
// Go module so that vacp2p/mvds is never linked into statusd; run it with
// `make interop`.
//
// The tests (all in _test.go files) join one driver and one vacp2p/mvds
// node in a 1:1 group through an in-memory bridge that carries protobuf
// bytes: our payloads are parsed by vacp2p/mvds's generated code, theirs
// are marshalled by it and parsed by our decoder, and each side's bytes are
// checked to re-encode identically on the other side. Both sides' epochs are
// stepped by the test: ours with a ManualClock, theirs by gating the
// SyncState.Map call that starts each of its epochs; the test also waits
// until vacp2p/mvds has finished handling each payload (it does so in a
// goroutine per payload) by counting its store and state calls. Nothing
// sleeps.
package mvds
