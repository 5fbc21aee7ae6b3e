// Package transporttest is an in-memory Whisper network for messenger
// tests: every Endpoint implements messenger.Transport for one identity,
// and the Network they share can drop, delay (and so reorder) and
// partition envelopes, take endpoints offline, inject hand-made envelopes,
// and expire envelopes on a manual clock.
//
// Semantics, kept close to a Whisper router's: Post delivers the envelope
// to every other online endpoint it is not partitioned from (endpoints of
// the same identity included: they are our other devices), each of them
// passing it to its subscriptions whose topic and key match (symmetric:
// same topic and key; asymmetric: one of the topics and addressed to the
// endpoint's identity). The poster then gets EnvelopeSent if at least one
// endpoint was reachable. Network.Advance moves the clock and reports
// EnvelopeExpired for every envelope whose TTL has passed. An endpoint
// that comes back online does not receive envelopes posted while it was
// away (no pool sync): MVDS retransmission has to bring them.
//
// Post never blocks: every endpoint has its own delivery goroutine (the
// stand-in for its router's) that calls the matching Sinks, waiting while a
// Sink blocks, so a slow messenger slows only its own deliveries and loses
// nothing. A full event channel drops (and counts) like a router's bounded
// event queue. Delayed deliveries run on timers; Network.Close cancels those
// not yet fired, stops the delivery goroutines and waits for all of them.
package transporttest
