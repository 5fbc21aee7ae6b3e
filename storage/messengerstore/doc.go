// Package messengerstore holds the stored records of the messenger
// (internal/messenger): chats, messages and their per-chat index, delivery
// records, contacts, group membership logs, the outbox, and small markers
// and values. The record types here are the on-disk format and nothing
// else: the messenger keeps its own domain types and converts at its store
// layer, so changing a domain or API type cannot change the database.
//
// Every record kind has an explicit encoder and decoder (codec.go). The
// chat, message, delivery and outbox records, written for every message,
// are a compact binary encoding (binary.go, since version 5); the other
// values are JSON whose field names are fixed by the struct tags of the
// record types, exactly as the messenger wrote them before this package
// existed; a few kinds hold raw bytes or nothing.
//
// # Key layout
//
// All keys live in the table TableName ("messenger:" in the node's
// database); the first byte of a key is its Kind:
//
//	"c" ‖ chat ID                          Chat
//	"m" ‖ message ID                       Message
//	"i" ‖ BE16 len(chat ID) ‖ chat ID ‖ BE64(^clock) ‖ message ID
//	                                       index entry, empty value; ascending
//	                                       keys = newest message first
//	"t" ‖ message ID                       processed marker, empty: a deleted
//	                                       message or a non-chat payload already
//	                                       handled (dedupe)
//	"d" ‖ message ID                       Delivery
//	"x" ‖ MVDS message ID (32 bytes)       status message ID (raw string)
//	"k" ‖ contact ID                       Contact
//	"g" ‖ group chat ID                    Group
//	"n" ‖ negotiated topic name            empty: negotiated topics to rejoin
//	"o" ‖ message ID                       Outbox: a direct message stored but
//	                                       not yet handed to MVDS
//	"v" ‖ name                             meta value (raw bytes): MetaInstallation,
//	                                       and OutgoingStatusMeta(message ID) →
//	                                       the frontend's outgoing status string
//	"\x00format"                           BE32 format version of this table
//	                                       (written by storage.Migrate)
//
// # Format versions
//
// The table carries one format version (Version) for all its record kinds,
// kept apart from the database-wide storage.FormatVersion so the messenger
// can change its records without touching other tables. Open runs the
// migrations (migrate.go) that bring an older table to Version; the
// decoders only ever read the current version.
//
//	0  a table written before the version key existed. Its records are
//	   version 1's byte for byte; the migration to 1 only stamps it.
//	1  JSON records as listed above.
//	2  Contact gains request_received (omitted when false). The migration
//	   sets it on every contact with a last_updated, which version 1 wrote
//	   only on receipt of a contact message.
//	3  a message record also holds its whole content map as Transit-JSON
//	   ("content"). The migration gives each version-2 message the content
//	   version 2 still knew: its text and, for a reply, response-to.
//	4  Chat gains "joined" and "membership" (private groups). The
//	   migration gives each group chat the standing a version-3 build
//	   acted on: active → "joined" with every member joined, inactive →
//	   "left".
//	5  Chat, Message, Delivery and Outbox records are binary
//	   (binary.go): hex strings packed, no field names, no base64; a 1:1
//	   message record shrinks from ~940 bytes to ~560, a delivery record
//	   from ~470 (plus ~100 of confirmations apart) to ~280, a 1:1 chat
//	   from ~245 to ~90. A delivery record also holds its Whisper
//	   confirmations, which version 4 kept in the messenger's meta value
//	   "delivery-confirmations/" ‖ message ID (JSON). The migration
//	   rewrites every chat, message, delivery and outbox record field for
//	   field, moving each delivery's confirmations into it and deleting
//	   the meta value. From this version on, a change of delivery state
//	   rewrites the delivery record only: an outgoing message's state is
//	   its delivery record's, the message record's is the state it was
//	   stored with (version 4 wrote both, always equal).
//
// # Changing a record
//
// Any change to the bytes a record encodes to — a renamed, added or removed
// field, a new tag option, a different value encoding — is a new format
// version. TestGolden fails until it ships with one:
//
//  1. Change the record type and its encoder and decoder; bump Version.
//  2. Append a storage.Migration to migrations whose From is the old
//     version and whose Apply rewrites every affected record from the old
//     encoding to the new one (decode the old bytes with a private copy of
//     the old decoder; never call the current decoder on old bytes).
//  3. Update the fixed instances in golden_test.go to the new record
//     values, and write testdata/golden/v<Version>.txt with
//     `go test ./storage/messengerstore -run TestGolden -update` (it never
//     overwrites an existing file). Keep every older golden file: each must
//     still migrate and decode to the fixed instances.
//  4. Describe the version in the list above.
//
// # Record cache
//
// A Store keeps in memory the delivery records ("d") and MVDS mappings
// ("x") it wrote last, at most DefaultCacheEntries of them (cache.go): the
// messenger rewrites a message's delivery record when its envelope is
// confirmed and again when the peer ACKs it, and reads the mapping for
// the ACK, within a second of the write. The cache is written through
// after each successful write. A failed write drops its keys, and so do
// two writes of a key that overlap (the database keeps the one it applied
// last, which the cache cannot tell); Migrate drops everything. It is
// right only while the Store is its table's one writer, which the
// messenger is; NewWithCache(kv, 0) reads everything from the KV.
//
// Concurrency: a Store holds no state beyond its KV and that cache, and is
// safe for concurrent use as far as the KV is. Read-modify-write sequences
// are the caller's to serialise.
package messengerstore
