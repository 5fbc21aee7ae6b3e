// Package message holds Status 2019 payloads above Transit: the v1 wrapper
// (StatusProtocolMessage, fields 4001/4002), typed records (c4/c7 chat
// messages, c2/c3/c6 contact messages, c5, legacy c1, p1/p2 pairing, g5
// group membership updates), membership signatures and group replay, the
// §1.8 validator, message IDs and the Lamport clock. It follows
// docs/PROTOCOL.md §0–§1.10 (the 2019 Transit era; §1.11 protobufs are out
// of scope). Pure: no I/O, no clock reads (now is an argument), no
// goroutines; functions are safe for concurrent use, Clock values are not.
//
// Receive path: Receive(bytes, whisperSigner, Context) = Unwrap (wrapper
// if it parses and has a payload field, else bare bytes, §0) → author
// (wrapper signature, else Whisper signer) → ID → Decode → Validate. Every
// rejection is a *RuleError whose Rule names the check (RuleOf, Rule.String
// for metric labels; errors.Is with the Err… sentinels).
//
// Choices, and the code each follows:
//   - c4 writing: status-react transit.cljs — 6 elements for text/plain, 5
//     with the content map first otherwise; c7 read and written in layout
//     (b). Reading takes element 5 or 0 and coerces text/plain non-map
//     content to {:text (str v)}. Content keys keep their wire order.
//   - Replies: response-to-v2 wins over response-to (status-react reader;
//     the 2019 Go decoder read only response-to, §9.9). Either must be a
//     message ID ("0x" + 64 hex, RuleResponseTo).
//   - Content types: the receive set of the status-react build pinned to
//     status-go v0.35.1 (text/plain, emoji, sticker, command,
//     command-request); status only with Context.AllowSpecContentTypes
//     (spec MAY, §9.10). Commands follow its spec (command-path
//     [name #{scope…}], params with keyword keys) and its sender's amount
//     check (ValidAmount).
//   - Sending kinds (kinds.go): builders write each kind's content in that
//     build's key order, commands with the legacy keys of its Transit
//     writer and, past eight keys, in ClojureScript hash-map order
//     (cljsorder.go); testdata/kinds.json holds its bytes per kind.
//   - Contacts: c2/c3/c6 written as [name image address nil nil]
//     (status-react); 3–5 elements read. p2 written with 4 elements.
//   - Unknown tags decode to *Unsupported and fail validation
//     (RuleUnsupported); c1 decodes but is rejected as 2019 readers no longer
//     act on it; c5 decodes and validates (readers may ignore it).
//   - Clock: status-react rule (§1.6 rule 1): Next = max(last, now_ms×100)+1
//     = max(last+1, now_ms×100+1); Observe = min(max(v,last), MaxClock).
//     Accepted clocks: 0 < v ≤ (now_ms + 31 days)×100 (status-react's guard;
//     the 120 s bound of 2020 is not used because 2019 clocks are ×100 bids).
//     Any smaller positive value is accepted (plain-ms and counter clocks).
//   - Timestamp: null/0 means absent; negative or non-integer is rejected.
//   - Text: non-blank after trimming, at most MaxTextBytes = 64 KiB
//     (UNCONFIRMED: no 2019 limit found; Whisper's 1 MiB is the hard cap).
//   - Chat IDs (§1.7): public names are [a-z0-9-] and not a key; 1:1 chat =
//     author key, or content chat-id when the author is us; group IDs end
//     with a key and are longer (both the "uuid0x04…" and "uuid-0x04…" forms).
//     Joined/member checks are optional callbacks in Context.
//   - Wrapper: accepted on receive only if it parses and has a non-empty
//     payload; an empty signature means "author = Whisper signer"; a bad
//     signature is RuleSignature (not a fallback). V ∈ {27,28} tolerated.
//   - Message ID: keccak256(author65 ‖ bytes) over the whole wrapper bytes
//     when wrapped (status-protocol-go), else the bare payload.
//   - g5 signing string: JSON.stringify escaping (status-react); differs
//     from status-protocol-go's encoding/json only for '<' '>' '&' U+2028/9
//     (UNCONFIRMED which 2019 clients produced for such names). A g5 holding
//     chat-created is replayed and rejected if any event breaks the
//     permission rules; partial histories are checked for shape, clocks,
//     signatures and the creator rule only (Group.Replay is exported for
//     the messenger to merge with stored state).
package message
