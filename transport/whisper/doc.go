// Package whisper is statusd's Whisper v6 router (docs/PROTOCOL.md §4.6,
// §4.7, §5): the shh/6 devp2p sub-protocol, the envelope pool, forwarding,
// per-peer rate limits, filters, the key store, and the parallel PoW
// sealer. The wire formats and acceptance rules come from the pure
// protocol/whisper package; this one adds the clock, goroutines and sockets.
//
// Goroutines and owners. Whisper.Start starts the expiry sweeper (every
// second, §5.8). p2p calls Protocol().Run on a goroutine per peer: it does
// the Status handshake, then reads packets and ingests envelopes on that
// goroutine (decode, rate limit, dedupe, §5.8 checks, pool, forwarding,
// filter matching and decryption). The PoW of a packet's new envelopes is
// computed together (protocol/whisper.PoWBatch: eight Keccak lanes at a
// time on AVX-512, four on AVX2), on up to Config.IngestWorkers short-lived goroutines
// for a large packet, before the envelopes are taken in order. Each peer has one writer goroutine fed
// by a bounded queue; forwarding only enqueues and never blocks. When a
// queue is full the envelope is left in the pool and the peer marked
// behind; once its queue drains, the writer sends it what the pool holds
// that it has not had (nothing is dropped for a slow peer, our own posts
// included). The queue is one FIFO per source (the peer an envelope came
// from, or us) served round-robin, so a flooding source delays only its
// own envelopes. We tell each untrusted peer our rate (code 20, §4.6) and
// pace ourselves to a rate a peer told us, after a burst, so a flood we
// forward does not fill the connection ahead of other traffic.
// Whisper.Stop waits for all of them. Settle waits for the deliveries
// to filters under way when it is called (not for later ones).
//
// Forwarding is event-driven instead of the reference's 300 ms cycle: an
// accepted envelope is offered at once to every peer that does not have it
// and whose bloom and PoW requirement it meets; the writer batches whatever
// has queued into one Messages packet. A peer that connects first receives
// the pool's current envelopes.
//
// Hostile peers. A bad Status, a wrong version or bloom size, malformed
// RLP, a packet over the max message size, an envelope below the minimum
// PoW, outside the bloom or too large disconnect the peer (§5.1, §5.2,
// §5.8). Envelopes from the future and expired ones are dropped and
// counted without disconnecting. Unknown codes are counted and ignored.
//
// Rate limits are budgets, not drop thresholds (RateLimit): past a burst
// that covers a pool sync or history pages, the peer's read loop waits
// before reading on, so TCP flow control slows a fast sender and nothing
// it sent is lost. Input no honest peer sends — an envelope it already
// sent on the connection, envelopes from the future — raises an abuse
// score that disconnects it (ErrAbusivePeer).
// Trusted peers are exempt from rate limits and may send P2P messages
// (code 127); P2P requests (code 126) go to the handler set with
// SetP2PRequestHandler. Mailserver sync (codes 123/124, §4.5): requests
// from any peer go to SetSyncRequestHook's handler, responses only from
// trusted peers to SetSyncResponseHook's.
package whisper
