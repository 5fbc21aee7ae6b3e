// Package sessions persists the conversational-security state of
// protocol/encryption (sessions, message keys, prekeys, bundles,
// installations, negotiated-secret agreements) in statusd's key-value store.
// It implements encryption.Store over a storage.KV; every test runs against
// both storage.NewMemory() and goleveldb, starting with the encryption.Store
// conformance suite of protocol/encryption/encryptiontest. The tests here
// are of the store (persistence across restarts, passwords, encryption at
// rest); the Manager's behaviour is tested in protocol/encryption.
//
// Key layout (format 1), all in table "encryption" of the shared store:
//
//	"encryption:" ‖ 0x00 ‖ "salt"        16-byte random KDF salt
//	"encryption:" ‖ 0x00 ‖ "iterations"  BE32 PBKDF2 iteration count
//	"encryption:" ‖ 0x00 ‖ "check"       sealed known constant (password check)
//	"encryption:" ‖ kind (1 byte) ‖ key  one record; kinds and key layouts
//	                                      are documented on encryption.Kind
//
// Encryption at rest: values of secret kinds (Kind.Secret: ratchet state,
// message keys, our prekeys, session SKs) are sealed with AES-256-GCM under
// a key derived from the account password with PBKDF2-HMAC-SHA256 (stdlib
// crypto/pbkdf2), random 12-byte nonce stored before the ciphertext, and
// the record's kind‖key as associated data so sealed values cannot be moved
// between records. The iteration count is chosen when the store is created
// (Options.KDFIterations, default 210000, the OWASP 2023 figure) and is read
// back from the store afterwards; tests use a small count to stay fast.
// PBKDF2 was chosen over scrypt because it is in the standard library.
//
// Durability: Commit writes one storage.Batch, which both backends apply
// atomically; goleveldb writes it to its journal before returning, so a
// killed process loses no committed batch.
package sessions
