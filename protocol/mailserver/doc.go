// Package mailserver is the pure wire codec of the Status mailserver
// protocol (docs/PROTOCOL.md §4.5, §5.1, §8, §9 items 11–12): history
// requests in both forms, the envelope checks a server applies to them,
// cursors, the request-complete payload and the packing of archived
// envelopes into P2P Message packets. Section numbers in comments refer to
// that file.
//
// The package does no I/O, reads no clock and starts no goroutines: time
// arrives as `now`, randomness as an io.Reader. The archive lives in
// transport/mailserver/archive; the server and client roles that plug into
// the Whisper router live in transport/mailserver.
//
// # Packets (§5.1)
//
//	126 P2P Request          form (A) one envelope, or form (B) MessagesRequest
//	127 P2P Message          one envelope, or an RLP list of envelopes (Batch)
//	125 P2P Request Complete one RLP byte string (see Completion)
//
// # Request forms (§4.5)
//
// Form (A), FormEnvelope / FormLegacy: the code-126 body is one Whisper
// envelope, signed with the requester's node key and encrypted with
// PBKDF2(mailserver password) or to the server's node key. The server checks
// PoW ≥ its minimum (CheckRequestEnvelope), decrypts and requires a
// signature (OpenRequest). The plaintext payload is
//
//	RLP [Lower uint32, Upper uint32, Bloom bytes(64), Limit uint32, Cursor bytes(0|36), Batch bool]
//
// (Batch optional on input) or, when that does not decode, the legacy binary
//
//	Lower(4 BE) ‖ Upper(4 BE) [‖ Bloom(64) [‖ Limit(4 BE) [‖ Cursor(40)]]]
//
// where 8 bytes mean the full bloom and the range may span at most 24 h.
// Upper 0 means now + 60 s, Limit 0 means 2000. The request ID is the
// envelope hash.
//
// Form (B), FormDirect: the code-126 body is the unencrypted, unsigned
//
//	RLP [ID bytes(32), From uint32, To uint32, Limit uint32, Cursor bytes(0|36), Bloom bytes(64)]
//
// with From ≤ To, Limit ≤ 1000 (0 means 1000) and a non-empty bloom. The
// request ID is ID. DecodeRequestPacket tries (A) and then (B), as servers do.
//
// # Cursor and completion (§4.5)
//
// A cursor is Time(4 BE) ‖ EnvelopeHash(32): the position of the last
// envelope delivered when the page limit was hit. It is server-specific;
// statusd's servers put their archive time in it (see
// transport/mailserver/archive). The completion body is an RLP byte string
// holding RequestID(32) ‖ LastEnvelopeHash(32) ‖ Cursor(0|36) on success, or
// "ERROR=" ‖ RequestID(32) ‖ text on failure; an empty cursor means done.
//
// # Limits
//
// Every decoder checks the input length before it allocates: request
// payloads ≤ MaxPayloadSize, form (B) bodies ≤ MaxDirectRequestSize,
// completions ≤ MaxCompletionSize, envelopes ≤ the caller's max message
// size. Hostile input yields an error wrapping a package sentinel
// ("mailserver: …"), never a panic (fuzzed: FuzzDecodeRequestPayload,
// FuzzDecodeMessagesRequest, FuzzDecodeRequestPacket, FuzzDecodeCompletion).
//
// Contracts: functions are safe for concurrent use on distinct values;
// a Batcher is not safe for concurrent use. Returned values and slices
// belong to the caller and never alias the input.
package mailserver
