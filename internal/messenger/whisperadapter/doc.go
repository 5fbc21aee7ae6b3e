// Package whisperadapter implements messenger.Transport over statusd's
// Whisper router (transport/whisper), for one identity.
//
// Post wraps each envelope signed with the identity key, encrypts it
// (AES-GCM with the envelope's symmetric key, or ECIES to its public key),
// seals it with the proof of work Status used — target 0.002, up to 5 s of
// work (docs/PROTOCOL.md §4.4, status-protocol-go) — and hands it to the
// router with the messenger's TTL (default 15 s, §4.4).
//
// Envelope events come from the router's lossless event queue
// (SubscribeEventQueue): the first time an envelope we posted is written to
// a peer that does not confirm, or acknowledged by one that does, it is
// reported EnvelopeSent; each acknowledgement and refusal is reported too;
// when the router's sweeper drops it after its TTL it is reported
// EnvelopeExpired (whether or not it was ever sent). With
// Config.MailServerConfirmations only mailservers' writes and
// acknowledgements count (status-go's setting of that name). Envelopes
// posted by anyone else through the router (shh_post) are not reported.
//
// No envelope event is lost, and the router never waits for the messenger:
// the router appends to its queue, the event goroutine drains it at once
// and keeps what the messenger has not taken yet in a FIFO that holds each
// fact once (pendingEvents: per envelope one sent, one expired, one
// acknowledgement and one refusal per peer), and hands the events to
// EnvelopeEvents in order, blocking only itself. The FIFO grows only while
// the messenger does not read, by a few events for each envelope posted
// meanwhile.
//
// Received messages: every subscription (JoinSymmetric, JoinAsymmetric) is
// a router sink filter. The router's delivering goroutine converts each
// message and calls the messenger's Sink itself — no queue and no goroutine
// in between — and waits while the Sink blocks on the messenger's full
// inbound queue (back-pressure; nothing is dropped). Envelopes the adapter
// posted itself are skipped, so a local Post never waits on the messenger.
//
// Goroutines: Start starts one event goroutine. Stop removes every
// subscription still open, ends the event goroutine (discarding the events
// the messenger did not take) and waits for it. Stop the adapter after the
// messenger and before the router.
package whisperadapter
