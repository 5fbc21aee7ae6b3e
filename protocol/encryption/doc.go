// Package encryption is statusd's conversational-security layer, byte
// compatible with Status in 2019 (status-protocol-go's encryption package
// on github.com/status-im/doubleratchet v3): ProtocolMessage, bundles,
// X3DH without one-time prekeys, the Double Ratchet on secp256k1,
// multi-device, negotiated and partitioned topics (docs/PROTOCOL.md §3,
// §4.3).
//
// The package is pure: no sockets, files, clocks or goroutines. Every
// method takes now and an io.Reader for randomness; all state lives behind
// the Store interface (implemented by storage/sessions; an in-memory one
// and the Store conformance suite are in encryptiontest, on which this
// package's behaviour tests run). Each Manager
// operation collects its writes in an in-memory transaction and commits
// them in one atomic Store.Commit before it returns — the ordering rule is
// persist before send: ratchet state is durable before the ciphertext
// leaves, and a received message key is deleted in the same commit that
// returns its plaintext, so a replay does not decrypt twice. On error,
// nothing is committed and the Manager's memory is as before (its one
// cache, the last bundle it signed, changes only after a commit).
//
// Errors tell the input's fault from the Store's: ErrStore means the Store
// itself failed (a Get other than ErrNotFound, an Iterate or a Commit
// returned an error), which may pass, and the same call made again once it
// works behaves as if made then — a received message is not lost if the
// caller keeps it and handles it again; ErrCorrupt means a stored record
// does not decode, which retrying does not mend. Every other sentinel is
// about the input.
//
// Wire types (package pb) stay inside this package; callers see the
// domain types of wire.go.
//
// Choices for points the spec leaves open (UNCONFIRMED there):
//
//   - Concurrent sessions (§3.7): when two active sessions exist for one
//     peer installation (both sides ran X3DH at once), the one whose SK
//     sorts first byte-wise stays active and the others expire; both sides
//     apply the same rule and converge. Expired sessions keep decrypting.
//   - Expired sessions are kept ExpiredSessionRetention (14 days) for late
//     messages; PruneExpired deletes them afterwards.
//   - Stale installations (§3.7, "not seen in a bundle for 7 days"; no 2019
//     code did it): PruneInstallations drops an installation whose newest
//     bundle is older than StaleInstallationAge once another installation
//     of the same identity was seen since, so a reinstalled peer's dead
//     device is no longer encrypted to while a silent contact keeps its
//     only one; our own are dropped only when disabled.
//   - Own prekey rotation (24 h) expires the sessions built on the old
//     prekey too, so both sides move to fresh sessions; an X3DH message on
//     an expired prekey still creates a (decrypt-only) session.
//   - A received X3DH header never replaces an existing session for the
//     same (identity, installation, prekey); a peer that lost its state
//     shows up as a new installation (account recovery, §3.6).
//   - Message keys: the library keeps the key of every received message
//     until confirmation (§3.4 "key retention"); we delete it atomically
//     with the ratchet step, trading re-decryption after a crash between
//     commit and application processing for replay rejection. Callers
//     that must not lose a message persist the plaintext promptly.
//   - Our bundle is signed when its prekeys change (a new or rotated
//     signed prekey, an installation enabled or disabled) and otherwise
//     again with a fresh nanosecond timestamp only once it is
//     BundleResignInterval (1 h) old; status-protocol-go signed one for
//     every message. An unchanged bundle (same material and signature) is
//     verified once by its receiver and then recognised by digest.
//   - Enabling a fourth own installation fails with ErrTooManyInstallations
//     (§3.6 "up to 3"); for peers the 3 most recent are used.
//   - Installation IDs are random version 4 UUID strings.
//   - Errors: the failure text of the doubleratchet library is not
//     matched; the skip limit and replays are checked before calling it and
//     every other library failure maps to ErrDecrypt.
package encryption
