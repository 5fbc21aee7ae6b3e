// Package datasyncstore persists the state of an MVDS node
// (protocol/datasync) in statusd's key-value store: the epoch, the send
// records, the stored messages, the group memberships, and the messages
// persisted but not yet handed to the application.
//
// The driver (internal/datasync) is the only caller. It calls ApplyReady
// with each Ready's changes before sending anything of that Ready (persist
// before send), Delivered once the application has the messages, and Load
// and Pending once at start-up.
//
// Key layout, inside the table the caller passes (statusd uses
// storage.NewTable(db, TableName)):
//
//	"e"                      epoch: uint64 big-endian
//	"r" ‖ peer(65) ‖ id(32)  record: type(1) ‖ send count(8 BE) ‖ send epoch(8 BE)
//	"m" ‖ id(32)             message: group(32) ‖ timestamp(8 BE, two's complement) ‖ body,
//	                         or, for a released message (the ID alone, kept
//	                         for dedupe), its release time: Unix seconds
//	                         (8 BE, two's complement; empty in version 1)
//	"g" ‖ group(32) ‖ peer(65) membership: empty value
//	"p" ‖ id(32)             pending delivery: the sender's peer ID (65), or
//	                         empty (written before senders were recorded)
//	"\x00format"             BE32 format version of this table (storage.Migrate)
//
// A message's key is checked against the hash of its value on Load, so a
// damaged message is reported as ErrCorrupt instead of restored. A released
// message's row is deleted when the node forgets the ID
// (Changes.ForgetMessages, after internal/datasync's Config.RetainReleased),
// in the same batch as the rest of that Ready's changes.
//
// # Format versions
//
// The table carries its own format version (Version); Migrate brings an
// older table to it before the first Load.
//
//	0  the table before it had a version key: the rows above, every
//	   message with its body.
//	1  a message row may be empty: the node released the message's body
//	   (protocol/datasync Node.Release) and keeps its ID for dedupe. The
//	   migration only stamps the table. A build of version 0 reports such
//	   a row as corrupt.
//	2  a released message's row holds its release time (8 bytes), so that
//	   the ID can be forgotten a horizon later. The migration rewrites
//	   every empty message row with the time passed to Migrate: IDs
//	   released before the upgrade are kept one horizon from it. Load
//	   reports an empty message row as corrupt.
//
// A change to the bytes of a row is a new version: bump Version, append a
// migration, and add testdata/golden/v<Version>.txt (TestGolden writes it
// with -update and fails without it); keep every older golden file.
package datasyncstore
