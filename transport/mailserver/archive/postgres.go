package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/statusnode/statusd/protocol/whisper"
)

// PostgreSQL schema, format version 1 (see doc.go). {S} is replaced by
// the quoted schema name.
const pgSchemaV1 = `
CREATE SCHEMA IF NOT EXISTS {S};
CREATE TABLE IF NOT EXISTS {S}.meta (
	key   TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {S}.envelopes (
	topic    BYTEA  NOT NULL CHECK (octet_length(topic) = 4),
	time     BIGINT NOT NULL CHECK (time BETWEEN 0 AND 4294967295),
	hash     BYTEA  NOT NULL CHECK (octet_length(hash) = 32),
	envelope BYTEA  NOT NULL,
	PRIMARY KEY (topic, time, hash)
);
CREATE UNIQUE INDEX IF NOT EXISTS envelopes_hash ON {S}.envelopes (hash);
CREATE INDEX IF NOT EXISTS envelopes_time ON {S}.envelopes (time);
CREATE TABLE IF NOT EXISTS {S}.topics (
	topic BYTEA PRIMARY KEY CHECK (octet_length(topic) = 4)
);
INSERT INTO {S}.meta (key, value) VALUES ('format', 1) ON CONFLICT DO NOTHING;
`

const pgFormat = 1

// pgChunk bounds the rows of one INSERT statement inside a Put.
const pgChunk = 5000

// PostgresOptions configure OpenPostgres. The zero value is usable.
type PostgresOptions struct {
	// Schema holds the archive's tables; default "mailserver". Several
	// archives (e.g. tests) may share a database with distinct schemas.
	Schema string
	// MaxConns bounds the connections kept open; default 4.
	MaxConns int
}

// Postgres is the PostgreSQL Archive (github.com/jackc/pgx/v5), for
// mailservers that keep history in a database server. Every Put and Prune
// is one transaction; queries read one consistent snapshot each.
type Postgres struct {
	pool *connPool
	sql  pgStatements
}

type pgStatements struct {
	insertTopics, insertEnvelopes, topics, query, prune, pruneTopics, count string
}

var _ Archive = (*Postgres)(nil)

// OpenPostgres connects to dsn (a postgres:// URL or key=value string) and
// creates or checks the schema. Concurrent opens of the same schema are
// serialised by an advisory lock. A schema of another format version is
// refused with ErrFormat.
func OpenPostgres(ctx context.Context, dsn string, opts PostgresOptions) (*Postgres, error) {
	if opts.Schema == "" {
		opts.Schema = "mailserver"
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 4
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBackend, err)
	}
	p := &Postgres{pool: newConnPool(cfg, opts.MaxConns), sql: newPgStatements(opts.Schema)}
	if err := p.migrate(ctx, opts.Schema); err != nil {
		p.pool.close()
		return nil, err
	}
	return p, nil
}

func newPgStatements(schema string) pgStatements {
	s := pgx.Identifier{schema}.Sanitize()
	r := strings.NewReplacer("{S}", s)
	return pgStatements{
		insertTopics: r.Replace(`INSERT INTO {S}.topics (topic)
			SELECT DISTINCT t FROM unnest($1::bytea[]) AS t ON CONFLICT DO NOTHING`),
		insertEnvelopes: r.Replace(`INSERT INTO {S}.envelopes (topic, time, hash, envelope)
			SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bytea[], $4::bytea[])
			ON CONFLICT DO NOTHING`),
		topics: r.Replace(`SELECT topic FROM {S}.topics`),
		// One index range scan per topic, each cut at the limit, merged.
		query: r.Replace(`SELECT e.time, e.hash, e.envelope
			FROM unnest($1::bytea[]) AS q(topic)
			CROSS JOIN LATERAL (
				SELECT time, hash, envelope FROM {S}.envelopes
				WHERE topic = q.topic AND time >= $2 AND time <= $3 AND (time, hash) > ($4, $5)
				ORDER BY time, hash LIMIT $6
			) AS e
			ORDER BY e.time, e.hash LIMIT $6`),
		prune: r.Replace(`DELETE FROM {S}.envelopes WHERE time < $1`),
		pruneTopics: r.Replace(`DELETE FROM {S}.topics AS t
			WHERE NOT EXISTS (SELECT 1 FROM {S}.envelopes AS e WHERE e.topic = t.topic)`),
		count: r.Replace(`SELECT count(*) FROM {S}.envelopes`),
	}
}

func (p *Postgres) migrate(ctx context.Context, schema string) error {
	ddl := strings.ReplaceAll(pgSchemaV1, "{S}", pgx.Identifier{schema}.Sanitize())
	meta := pgx.Identifier{schema, "meta"}.Sanitize()
	return p.pool.with(ctx, func(c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('statusd.archive.' || $1::text))`, schema); err != nil {
				return fmt.Errorf("%w: lock: %w", ErrBackend, err)
			}
			if _, err := tx.Exec(ctx, ddl); err != nil {
				return fmt.Errorf("%w: schema: %w", ErrBackend, err)
			}
			var v int64
			if err := tx.QueryRow(ctx, `SELECT value FROM `+meta+` WHERE key = 'format'`).Scan(&v); err != nil {
				return fmt.Errorf("%w: format: %w", ErrBackend, err)
			}
			if v != pgFormat {
				return fmt.Errorf("%w: %d, want %d", ErrFormat, v, pgFormat)
			}
			return nil
		})
	})
}

// Put implements Archive in one transaction; rows whose hash is already
// archived are skipped by ON CONFLICT DO NOTHING. Rows go in in hash order,
// so concurrent Puts of overlapping envelopes take the unique-index locks in
// the same order and cannot deadlock.
func (p *Postgres) Put(ctx context.Context, arrived time.Time, envs ...*whisper.Envelope) error {
	recs := newRecords(arrived, envs)
	slices.SortFunc(recs, func(a, b record) int { return bytes.Compare(a.hash[:], b.hash[:]) })
	return p.pool.with(ctx, func(c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			for len(recs) > 0 {
				n := min(len(recs), pgChunk)
				if err := p.insert(ctx, tx, recs[:n]); err != nil {
					return err
				}
				recs = recs[n:]
			}
			return nil
		})
	})
}

func (p *Postgres) insert(ctx context.Context, tx pgx.Tx, recs []record) error {
	topics := make([][]byte, len(recs))
	times := make([]int64, len(recs))
	hashes := make([][]byte, len(recs))
	raws := make([][]byte, len(recs))
	for i := range recs {
		topics[i], times[i], hashes[i], raws[i] = recs[i].topic[:], int64(recs[i].time), recs[i].hash[:], recs[i].raw
	}
	if _, err := tx.Exec(ctx, p.sql.insertTopics, topics); err != nil {
		return fmt.Errorf("%w: insert topics: %w", ErrBackend, err)
	}
	if _, err := tx.Exec(ctx, p.sql.insertEnvelopes, topics, times, hashes, raws); err != nil {
		return fmt.Errorf("%w: insert envelopes: %w", ErrBackend, err)
	}
	return nil
}

// Query implements Archive with one statement: a LATERAL index range scan
// per selected topic over the (topic, time, hash) primary key.
func (p *Postgres) Query(ctx context.Context, q *Query) (*Page, error) {
	explicit, err := q.validate()
	if err != nil {
		return nil, err
	}
	var page *Page
	err = p.pool.with(ctx, func(c *pgx.Conn) error {
		topics, err := q.selectTopics(explicit, func() ([]whisper.Topic, error) { return p.knownTopics(ctx, c) })
		if err != nil {
			return err
		}
		page, err = p.query(ctx, c, q, topics)
		return err
	})
	return page, err
}

func (p *Postgres) query(ctx context.Context, c *pgx.Conn, q *Query, topics []whisper.Topic) (*Page, error) {
	if len(topics) == 0 {
		return &Page{}, nil
	}
	arg := make([][]byte, len(topics))
	for i := range topics {
		arg[i] = topics[i][:]
	}
	start, after := q.start()
	afterTime, afterHash := int64(start.Time), start.Hash[:]
	if !after {
		afterTime, afterHash = int64(q.From)-1, []byte{}
	}
	rows, err := c.Query(ctx, p.sql.query, arg, int64(q.From), int64(q.To), afterTime, afterHash, q.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("%w: query: %w", ErrBackend, err)
	}
	defer rows.Close()
	out := make([]Entry, 0, min(q.Limit+1, 1024))
	var t int64
	var hash, raw []byte
	for rows.Next() {
		if err := rows.Scan(&t, &hash, &raw); err != nil {
			return nil, fmt.Errorf("%w: scan: %w", ErrBackend, err)
		}
		e, err := decodeEntry(uint32(t), hash, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: query: %w", ErrBackend, err)
	}
	return finishPage(out, q.Limit), nil
}

func (p *Postgres) knownTopics(ctx context.Context, c *pgx.Conn) ([]whisper.Topic, error) {
	rows, err := c.Query(ctx, p.sql.topics)
	if err != nil {
		return nil, fmt.Errorf("%w: topics: %w", ErrBackend, err)
	}
	defer rows.Close()
	var out []whisper.Topic
	var b []byte
	for rows.Next() {
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("%w: topics: %w", ErrBackend, err)
		}
		t, err := whisper.TopicFromBytes(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: topics: %w", ErrBackend, err)
	}
	return out, nil
}

// Prune implements Archive in one transaction, using the time index; topics
// left without envelopes are forgotten.
func (p *Postgres) Prune(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := p.pool.with(ctx, func(c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, p.sql.prune, int64(unixSeconds(before)))
			if err != nil {
				return fmt.Errorf("%w: prune: %w", ErrBackend, err)
			}
			n = tag.RowsAffected()
			if _, err := tx.Exec(ctx, p.sql.pruneTopics); err != nil {
				return fmt.Errorf("%w: prune topics: %w", ErrBackend, err)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// Count implements Archive with count(*), which reads the whole table:
// call it for metrics, not per request.
func (p *Postgres) Count(ctx context.Context) (int, error) {
	var n int64
	err := p.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, p.sql.count).Scan(&n)
	})
	if err != nil {
		if errors.Is(err, ErrClosed) {
			return 0, err
		}
		return 0, fmt.Errorf("%w: count: %w", ErrBackend, err)
	}
	return int(n), nil
}

// Close implements Archive: idle connections are closed at once, busy ones
// when their operation ends.
func (p *Postgres) Close() error {
	p.pool.close()
	return nil
}
