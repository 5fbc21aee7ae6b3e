// Package topickeys remembers the symmetric keys the messenger derives
// from topic names, so that a restart does not derive them again.
//
// A public chat's, a contact-code topic's and a negotiated topic's key is
// PBKDF2-SHA256 of the topic's name with 65356 iterations (docs/PROTOCOL.md
// §4.2): 10–30 ms of a core each, and a node with tens of chats and
// contacts joins two or three such topics per chat at every start. The
// store keeps each derived key under the SHA-256 of its name, so the table
// names no chat; the database is encrypted at rest like every other
// table. A stored value that is not a valid key reads as absent and is
// derived and written again.
//
// Every method is safe for concurrent use.
//
// Key layout (format 1), inside the table the caller passes (statusd uses
// storage.NewTable(db, TableName), so every key starts "topickeys:"):
//
//	"k" ‖ SHA-256(name) (32 bytes)   the key (32 bytes)
package topickeys
