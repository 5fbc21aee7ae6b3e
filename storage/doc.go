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
// format version as a big-endian uint32 (see migrate.go). A table may keep
// a version of its own the same way, by running Migrate over the Table
// (key "<table>:\x00format"), so one consumer's records can change format
// without touching the others: storage/messengerstore does.
//
// dump.go reads and writes a text dump of key-value pairs, the format of
// the fixtures and golden files in the stores' testdata.
package storage
