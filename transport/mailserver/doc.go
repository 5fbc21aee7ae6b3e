// Package mailserver runs the two roles of the Status mailserver protocol
// (docs/PROTOCOL.md §4.5, §8) on top of the Whisper router
// (transport/whisper), with the wire codec in protocol/mailserver and the
// envelope store in transport/mailserver/archive.
//
// Server archives the envelopes the router accepts (all topics, or a
// configured set; when the archive falls behind, Accept holds the
// accepting peer's reads for a while rather than drop an envelope) and answers P2P Request packets (code 126) in both forms:
// form (A) envelopes must reach the minimum PoW, open with the mailserver
// password or the node key and be signed; form (B) requests are checked as
// status-im/whisper does. Each answer is one page: the archived envelopes as
// code-127 packets (RLP lists when Batch was asked, each within the router's
// max message size) and a code-125 completion carrying the cursor of the
// next page. A request that decodes far enough to have an ID but fails a
// check gets an "ERROR=" completion; a body that is neither form, and
// requests over the per-peer rate limit or the queue, are dropped and
// counted (mailserver_requests_total{result}). A prune loop deletes what is
// older than the retention window.
//
// Trust: the server cannot see whether a requester marked it trusted; a
// client that did not drops the server's 125/127 packets itself (the
// router counts them as untrusted_p2p / untrusted_complete), so only peers
// that marked us trusted are effectively served (§4.5).
//
// Sync (sync.go): the server also answers mailserver-to-mailserver Sync
// Requests (code 123) from any peer, as status-im/whisper v1.6 did, under
// the same rate and range limits, and Server.Sync asks another mailserver
// for a range of its archive and archives the Sync Responses (code 124) of
// that peer while it waits; responses nobody waits for are dropped.
//
// Client sends form (A) requests signed with the node key (encrypted to the
// mailserver's node key, or with the mailserver password), marks the
// mailserver trusted, waits for each completion and pages through cursors.
// It dedupes envelopes it has already seen (live or from an earlier
// request) before they reach the P2P filters, and keeps a gap tracker:
// per topic, the time ranges it fetched or was online for, stored in a
// storage.Table (see gaps.go for the layout).
//
// Nothing is recorded as handled before it is: every covered range (a
// page's, a request's, the online coverage) and every batch of seen
// hashes is written only once ClientConfig.Settle returned — everything
// the router delivered to filters before the call has been handled by the
// consumer (the messenger) and written — and the store was synced, so
// that what the consumer wrote survives a power loss before the record
// that stands for it can. A page's range
// is recorded on a goroutine of the request's while the next page is
// fetched; seen hashes stay seen in memory while they wait, and are
// written at most once a second (ClientConfig.SeenFlushEvery), since
// every batch costs a settle and an fsync on the ingest path. When Settle
// fails (the messenger stopped, the client stops), nothing is recorded:
// a later fill fetches those envelopes again and the messenger's dedupe by
// message ID drops what it already stored. So a process killed between a
// delivery and the messenger's write loses no message for good.
//
// Gap fills (FillGaps, the backfill) are built to finish: a page counts as
// lost only when its mailserver stays silent for the page timeout (a page
// still flowing to a slow receiver is not), and is then asked again from
// the same cursor; every completed page records the time before its
// cursor as covered (once settled), so a fill that ends early (its context ended, the
// mailserver failed) is resumed where it stopped by the next fill of the
// topic; and fills of one topic run one at a time. The RPC layer runs
// them on the node's lifetime, not on the calling request's.
//
// Selection (StartSelection, selection.go), as status-go and status-react
// did it in 2019: the client keeps one of its mailservers connected through
// the devp2p server — the one selected last (remembered in its table), else
// the fastest to answer a TCP ping — and sends it the requests that name no
// mailserver. Its mailservers are the configured ones, then those discovery
// found (AddMailserver), which it remembers too. After MaxFailures failed
// requests in a row (timeouts, or not connected within ConnectTimeout) it
// drops that one and connects the fastest of the others; RequestAny goes on
// with the new one.
//
// Lifecycle: New…, Start before peers connect, Stop (idempotent, blocks
// until the component's goroutines exit). The router's envelope hook is
// shared: install EnvelopeHook(server, client) once.
package mailserver
