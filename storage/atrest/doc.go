// Package atrest keeps statusd's database unreadable without the account
// password: every file goleveldb writes (tables, journal, manifest) is
// encrypted with AES-256-CTR under a key derived from the account key
// (DeriveKey), behind a per-file header of magic, random nonce and key
// check. goleveldb's block checksums catch a modified file; its info log,
// which holds keys in plain text, is not written.
//
// What stays visible to someone holding the files without the password:
// the number, names and sizes of the database files and when they were
// written (so roughly how much was stored and when), and the name of the
// current manifest (CURRENT). Message texts, chat names, contacts, keys
// and record layouts are not: keys and values are only ever written
// encrypted, after goleveldb's own compression.
//
// Open also converts a plaintext database written before encryption at
// rest, record by record, and survives a crash at any step of it.
package atrest
