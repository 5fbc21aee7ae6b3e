// Package mailservers persists the frontend-owned mailserver state of the
// "mailservers" JSON-RPC namespace (api/mailservers) in statusd's key-value
// store: the user's mailservers, the request gaps of each chat, the
// mailserver topics and the chat request ranges. statusd only stores these
// records; the frontend decides what they mean (status-go v0.35 kept the
// same four tables in its SQL database).
//
// The namespace is the only caller. Every method is safe for concurrent
// use; writes of one call are applied in one atomic batch.
//
// Key layout (format 1), inside the table the caller passes (statusd uses
// storage.NewTable(db, TableName), so every key starts "mailservers:"):
//
//	"m" ‖ id                         mailserver: JSON {id,name,address,password,fleet}
//	"g" ‖ len(chatID) (BE16) ‖ chatID ‖ id   request gap: JSON {id,chatId,from,to}
//	"G" ‖ id                         gap index: the gap's chat ID (raw bytes)
//	"t" ‖ topic                      mailserver topic: JSON {topic,chatIds,lastRequest}
//	"r" ‖ chatID                     chat request range: JSON {chatId,lowest,highest}
//
// The length prefix keeps one chat's gaps contiguous and, inside a chat,
// ordered by gap ID. Lists come back in key order, which is the order
// status-go's WITHOUT ROWID tables returned them in: by ID, topic or chat
// ID, compared byte by byte. A topic's chat IDs keep the difference between
// null and an empty list. IDs, topics and chat IDs may be empty (status-go
// accepted them); longer than MaxKeyLen bytes they are refused with
// ErrInvalid.
package mailservers
