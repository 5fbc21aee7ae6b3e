// Package topichistory persists the per-topic history bookkeeping behind
// shhext_initiateHistoryRequests and shhext_completeRequest (docs/API.md),
// as status-go v0.35 kept it in its "topic history" and "history request"
// buckets.
//
// A History is one (topic, duration) pair the frontend asked for: Current
// is how far the topic's history is complete (the end of the last
// completed request), First the start of the first request, End the upper
// bound of the request in flight and RequestID that request's ID (zero
// when none is pending). A Request ties a request ID to the histories it
// covers until shhext_completeRequest finishes it.
//
// The api/mailserver service is the only caller. Every method is safe for
// concurrent use; the writes of one call are applied in one atomic batch.
//
// Key layout (format 1), inside the table the caller passes (statusd uses
// storage.NewTable(db, TableName), so every key starts "topichistory:"):
//
//	"h" ‖ topic (4 bytes) ‖ duration (BE64, nanoseconds)   History: JSON
//	"r" ‖ request ID (32 bytes)                            Request: JSON
//
// Times are stored as Unix seconds, 0 meaning unset; request IDs as 0x hex.
// One topic's histories are contiguous and ordered by duration.
package topichistory
