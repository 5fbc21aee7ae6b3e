// Package storage is statusd's embedded key-value store: an ordered
// byte-keyed store with atomic batches, a goleveldb implementation (the
// default, in <datadir>/db) and an in-memory one for tests, prefixed tables
// so each component owns its own key space, and a format-version key with
// migrations.
//
// Consumers define the narrow interface they need (a message store, a
// session store, …) where they are consumed and implement it over a Table.
//
// Key layout: every key starts with a one-component table prefix followed by
// a colon, e.g. "p2p:…", "msg:…". The reserved key "\x00format" holds the
// format version as a big-endian uint32 (see migrate.go).
package storage
