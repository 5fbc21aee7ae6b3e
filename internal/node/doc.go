// Package node assembles a statusd from its components and owns their
// lifecycle: Start brings them up in order — data directory lock, keys,
// database, Whisper, the messenger, devp2p, JSON-RPC, metrics — and Stop takes them down in reverse.
// If any step fails, everything already started is stopped again, so a
// failed Start leaves nothing running and the data directory unlocked.
//
// With a TLS certificate configured, the HTTP and WebSocket endpoints serve
// TLS only; ReloadTLS swaps the certificate for new connections (statusd
// calls it on SIGHUP).
package node
