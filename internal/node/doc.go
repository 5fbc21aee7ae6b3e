// Package node assembles a statusd from its components and owns their
// lifecycle: Start brings them up in order — data directory lock, keys,
// database, the SNTP-corrected clock, Whisper, the mailserver roles, the
// messenger, devp2p, mailserver selection, JSON-RPC, metrics — and Stop
// takes them down in reverse. If any step fails, everything already
// started is stopped again, so a failed Start leaves nothing running and
// the data directory unlocked.
//
// Every component that stamps or judges wall-clock times takes them from
// the node's clock (Node.Clock), never from time.Now directly.
//
// With a TLS certificate configured, the HTTP and WebSocket endpoints serve
// TLS only; ReloadTLS swaps the certificate for new connections (statusd
// calls it on SIGHUP).
package node
