// Package archive stores the envelopes a mailserver archives and answers the
// history queries of docs/PROTOCOL.md §4.5 (and the offline catch-up of §8):
// by archive-time range and topics (or a bloom), in pages with a cursor.
//
// Archive is the interface the mailserver's server role consumes. Three
// implementations share one test suite (suite_test.go), which also checks
// every backend against the naive Memory model on random operations:
//
//   - LevelDB: github.com/syndtr/goleveldb in its own directory, the
//     embedded default.
//   - Postgres: PostgreSQL through github.com/jackc/pgx/v5, for servers that
//     keep history in a database server.
//   - Memory: a linear-scan list; the model and a fake for tests.
//
// # Archive time and order
//
// Every envelope is filed under the time the caller passes to Put — the
// server passes the time the envelope arrived — not the sent time
// Expiry − TTL that status-go keys by (§4.5). Both are within seconds of
// each other for honest senders (§5.8 rejects envelopes from the future),
// but the sent time is the sender's claim: with a large TTL an envelope can
// claim any past second and slip into a range a client has already paged
// through. Arrival time only grows, so a cursor never misses a later
// arrival, and retention counts from when the server got the envelope.
// Cursors are server-specific (§4.5), so the wire format is unchanged:
// mailserver.Cursor carries archive time ‖ hash.
//
// Order is (archive time, envelope hash) ascending on every backend —
// oldest first, as the status-go LevelDB server answers (§9 item 12). An
// envelope hash is archived once: the first arrival wins.
//
// # goleveldb layout, format version 1
//
//	'v'                                → BE32 format version (1)
//	'n'                                → BE64 number of envelopes
//	't' ‖ topic(4)                     → empty: the set of archived topics
//	'i' ‖ topic(4) ‖ BE32 time ‖ hash(32) → envelope RLP
//	'h' ‖ hash(32)                     → topic(4) ‖ BE32 time
//
// A query opens one iterator per selected topic over
// 'i' ‖ topic ‖ [from, to] on one snapshot and merges them with a heap, so
// other topics are never read; a bloom query first picks the matching topics
// from the in-memory topic set. Put writes index, hash entry, new topics and
// the count in one atomic batch after checking 'h' for duplicates (a bloom
// filter keeps that check off disk). Prune deletes topic by topic in atomic
// batches of at most 10,000 envelopes. goleveldb's journal makes every
// acknowledged Put survive a process crash (kill -9, crash_test.go); writes
// are not fsynced, so an OS crash may lose the last ones.
//
// # PostgreSQL schema, format version 1
//
//	CREATE TABLE <schema>.envelopes (
//	    topic    BYTEA  NOT NULL,  -- 4 bytes
//	    time     BIGINT NOT NULL,  -- archive time, 0..2^32−1
//	    hash     BYTEA  NOT NULL,  -- 32 bytes
//	    envelope BYTEA  NOT NULL,  -- RLP
//	    PRIMARY KEY (topic, time, hash));
//	CREATE UNIQUE INDEX envelopes_hash ON <schema>.envelopes (hash);  -- dedupe
//	CREATE INDEX envelopes_time ON <schema>.envelopes (time);         -- prune
//	CREATE TABLE <schema>.topics (topic BYTEA PRIMARY KEY);            -- bloom queries
//	CREATE TABLE <schema>.meta (key TEXT PRIMARY KEY, value BIGINT);   -- 'format' = 1
//
// The schema (default "mailserver") is created on open under an advisory
// lock. A query is one statement: unnest(topics) CROSS JOIN LATERAL an
// index range scan of the primary key per topic, each cut at limit+1, merged
// by ORDER BY time, hash (bytea compares bytewise, as goleveldb does). Put
// and Prune are one transaction each. Count is count(*).
//
// # Tests
//
// The PostgreSQL tests read the DSN from STATUSD_TEST_POSTGRES; `make test`
// provides a throwaway server through scripts/postgres.sh, and a server that
// does not answer fails them. Without the variable they skip, saying in one
// line how to run them; with CI=true or STATUSD_REQUIRE_POSTGRES=1 they fail
// instead, so CI cannot skip them silently. bench_test.go holds the 1,000,000-envelope benchmark
// (size set by STATUSD_ARCHIVE_BENCH_N).
package archive
