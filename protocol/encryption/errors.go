package encryption

import "errors"

// Sentinel errors. Callers compare with errors.Is; errors are wrapped with %w
// and carry detail after the sentinel text. After any error returned by a
// Manager method nothing has been written to the Store and the Manager is
// as it was before the call, so the same call may be made again.
var (
	// ErrNotProtocolMessage: the bytes do not parse as a ProtocolMessage or
	// carry none of its fields; a receiver passes them to the next layer
	// (docs/PROTOCOL.md §0).
	ErrNotProtocolMessage = errors.New("encryption: not a protocol message")

	// ErrMalformed: a field has the wrong size or shape (key lengths,
	// missing headers, truncated ciphertext).
	ErrMalformed = errors.New("encryption: malformed message")

	// ErrInvalidKey: a public key is not a valid compressed secp256k1 point.
	ErrInvalidKey = errors.New("encryption: invalid public key")

	// ErrInvalidBundleSignature: a bundle's signature does not recover to
	// its identity.
	ErrInvalidBundleSignature = errors.New("encryption: invalid bundle signature")

	// ErrBundleIdentity: a bundle attached to a message is not the sender's.
	ErrBundleIdentity = errors.New("encryption: bundle identity is not the sender")

	// ErrDeviceNotFound: the message has no entry for our installation and
	// no DH-only entry (spec "device not found").
	ErrDeviceNotFound = errors.New("encryption: device not found")

	// ErrNotPairedDevice: as ErrDeviceNotFound, from our own identity.
	ErrNotPairedDevice = errors.New("encryption: not paired device")

	// ErrPrivateBundleNotFound: an X3DH header names a signed prekey of
	// ours we do not have.
	ErrPrivateBundleNotFound = errors.New("encryption: signed prekey not found")

	// ErrSessionNotFound: a DR header names a session we do not have.
	ErrSessionNotFound = errors.New("encryption: session not found")

	// ErrSessionExpired: the session was expired more than
	// ExpiredSessionRetention ago.
	ErrSessionExpired = errors.New("encryption: session expired")

	// ErrTooManySkipped: the header's message number jumps more than
	// MaxSkip keys ahead.
	ErrTooManySkipped = errors.New("encryption: too many skipped messages")

	// ErrDecrypt: authentication failed (tampered ciphertext or header,
	// wrong key) or the message key is gone (replay, or a key deleted by
	// the MaxKeep/MaxMessageKeysPerSession limits).
	ErrDecrypt = errors.New("encryption: decryption failed")

	// ErrReplay: the message was already decrypted on this session; its key
	// has been deleted. It wraps ErrDecrypt too.
	ErrReplay = errors.New("encryption: message already processed")

	// ErrTooManyInstallations: enabling one more own installation would
	// exceed MaxInstallations.
	ErrTooManyInstallations = errors.New("encryption: too many installations")

	// ErrInstallationNotFound: an operation names an unknown installation.
	ErrInstallationNotFound = errors.New("encryption: installation not found")

	// ErrInvalidConfig: Config.Validate rejected a setting.
	ErrInvalidConfig = errors.New("encryption: invalid config")

	// ErrStore: the Store itself failed — Get (with an error other than
	// ErrNotFound), Iterate or Commit returned an error (a full disk, a
	// database closed underneath). Such a failure may pass: the operation
	// changed nothing, and the same call with the same input (the same
	// received message) succeeds once the Store works again, so a caller
	// that must not lose the input keeps it and retries. An operation that
	// met a Store failure reports it even when the failure surfaced as
	// another error (a session that did not load, a decryption that failed
	// because a key did not read): the error then wraps ErrStore first.
	ErrStore = errors.New("encryption: store")

	// ErrCorrupt: a stored record does not decode (bad JSON, a malformed
	// stored key or key field), or the Store cannot read it (Store errors
	// wrapping ErrCorrupt). Retrying does not help; the input that needed
	// the record is lost to this installation. It never wraps ErrStore.
	ErrCorrupt = errors.New("encryption: corrupt record")

	// ErrNotFound is what a Store returns for a missing record.
	ErrNotFound = errors.New("encryption: record not found")
)
