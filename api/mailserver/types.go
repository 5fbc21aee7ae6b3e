package mailserver

import "time"

// MessagesRequest is shhext_requestMessages' parameter, status-go's shape
// (docs/PROTOCOL.md §7.1).
type MessagesRequest struct {
	// MailServerPeer is the mailserver's enode URL; empty tries the known
	// mailservers (mailserver_mailservers) in order.
	MailServerPeer string `json:"mailServerPeer"`
	// From is the lower bound, Unix seconds of the envelopes' sent time
	// (default: To − 24 h).
	From uint32 `json:"from"`
	// To is the upper bound, Unix seconds (default: now).
	To uint32 `json:"to"`
	// Limit is the page size; 0 lets the server choose (2000).
	Limit uint32 `json:"limit"`
	// Cursor resumes a previous page: hex (with or without 0x) of 36 bytes,
	// or empty.
	Cursor string `json:"cursor"`
	// Topic is a single 4-byte hex topic (deprecated: use Topics).
	Topic string `json:"topic"`
	// Topics are the 4-byte hex topics wanted; at least one of Topic and
	// Topics is required.
	Topics []string `json:"topics"`
	// SymKeyID is a Whisper key ID (shh_generateSymKeyFromPassword of the
	// mailserver password) to encrypt the request with; empty encrypts to
	// the mailserver's node key from its enode.
	SymKeyID string `json:"symKeyID"`
	// Timeout is how long to wait for the completion, in seconds
	// (default: [mailserver] timeout).
	Timeout uint32 `json:"timeout"`
	// Force sends the request even if one for the same topics was sent
	// less than 3 s ago.
	Force bool `json:"force"`
	// Legacy (a statusd extension) sends the 2018 binary request that
	// go-ethereum v1.9.20's whisper/mailserver reads. Such a server sends
	// no completion and knows no limit or cursor: the request counts as
	// done when its timeout passes, and the envelopes arrive meanwhile.
	Legacy bool `json:"legacy"`
}

// RetryConfig is shhext_requestMessagesSync's first parameter, status-go's
// shape: attempt n (from 0) waits BaseTimeout + n·StepTimeout for the
// completion; after MaxRetries further attempts the call fails. The JSON
// keys are the Go names (matched case-insensitively); durations are
// integers in nanoseconds, and less than a second counts as 1 s.
type RetryConfig struct {
	BaseTimeout time.Duration
	StepTimeout time.Duration
	MaxRetries  int
}

// MessagesResponse is shhext_requestMessagesSync's result.
type MessagesResponse struct {
	// Cursor is the hex (no 0x, as status-go) of the cursor to pass to the
	// next request, empty when the server has nothing more.
	Cursor string `json:"cursor"`
	// Error is the server's failure text ("ERROR=" completion), empty on
	// success.
	Error string `json:"error"`
}

// Range is an inclusive span of Unix seconds.
type Range struct {
	From uint32 `json:"from"`
	To   uint32 `json:"to"`
}

// TopicRanges is one topic's ranges: covered ones (mailserver_coveredRanges)
// or missing ones (mailserver_gaps, mailserver_fillGaps). Ranges is sorted
// and never null.
type TopicRanges struct {
	Topic  string  `json:"topic"`
	Ranges []Range `json:"ranges"`
}

// FillGapsRequest is mailserver_fillGaps' parameter.
type FillGapsRequest struct {
	// MailServerPeer is the mailserver's enode URL; empty tries the known
	// mailservers (mailserver_mailservers) in order.
	MailServerPeer string `json:"mailServerPeer"`
	// Topics are the 4-byte hex topics to fill; required.
	Topics []string `json:"topics"`
	// From is the start of the window, Unix seconds (default: To − 24 h).
	From uint32 `json:"from"`
	// To is the end of the window, Unix seconds (default: now).
	To uint32 `json:"to"`
}
