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
//
// # Durability
//
// A write that returned is in the operating system's hands: a crash of
// the process loses none, but a power loss or a kernel crash may lose the
// writes of the last seconds — and not only the latest ones, since the
// disk may receive unsynced pages in any order. Syncing every write would
// cost an fsync each, so a write is synced only where the node promises
// something outward on it: callers call Sync (Syncer) once before the
// promise, and one Sync makes every write acknowledged before it durable,
// whatever table it went to (one database, one journal). LevelDB fsyncs
// its open journal files itself, outside goleveldb's write lock, and
// syncs a journal file when goleveldb closes it for the next one
// (journal.go); concurrent Sync calls share one fsync (sync.go). Memory,
// and any KV that is not a Syncer, treat Sync as done.
//
// The promise points, each synced before it:
//
//   - internal/datasync: a payload carrying MVDS ACKs leaves only after a
//     sync that follows the write marking the acknowledged messages
//     pending; the sender stops retransmitting on the ACK.
//   - transport/mailserver: a covered range or a batch of seen hashes is
//     written only after Settle (the messages are written) and a sync, so
//     that the record never survives the messages it stands for.
//   - internal/messenger: a ratchet-encrypted envelope (1:1, group,
//     pairing) leaves only after a sync that follows the ratchet state's
//     commit, so that a power loss cannot roll the ratchet back and make
//     the next message reuse a message key, nor take from the history a
//     message a peer received. Once per MVDS payload, not per message.
//
// Not synced at once: internal/messenger's Send returns once the message
// is written (measured too costly to sync per send; see Messenger.Send);
// it syncs the database about a second after a send, once for the sends of
// that second, unless a sync for one of the points above came first. The mailserver's archive (transport/mailserver/archive)
// promises nothing outward and is not synced; PostgreSQL commits durably.
package storage
