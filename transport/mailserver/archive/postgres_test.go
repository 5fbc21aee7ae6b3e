package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Environment of the PostgreSQL tests.
const (
	// envPostgres holds the DSN of a throwaway database (scripts/postgres.sh).
	envPostgres = "STATUSD_TEST_POSTGRES"
	// envSkipPostgres=1 skips the PostgreSQL tests instead of failing them.
	envSkipPostgres = "STATUSD_SKIP_POSTGRES"
)

// postgresDSN returns the test database or stops the test: it fails when
// the DSN is missing (never a silent skip), unless STATUSD_SKIP_POSTGRES=1.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	if dsn := os.Getenv(envPostgres); dsn != "" {
		return dsn
	}
	const how = envPostgres + " is not set: run the tests with `make test`, or `scripts/postgres.sh run go test ./...`, " +
		"or `eval \"$(scripts/postgres.sh start)\"` first"
	if os.Getenv(envSkipPostgres) == "1" {
		tb.Skip("PostgreSQL tests skipped (" + envSkipPostgres + "=1); " + how)
	}
	tb.Fatal(how + "; set " + envSkipPostgres + "=1 to skip them")
	return ""
}

var schemaSeq atomic.Int64

// newSchemaName returns a schema name unique to this test process.
func newSchemaName(tb testing.TB) string {
	name := strings.ToLower(fmt.Sprintf("t%d_%d_%s", os.Getpid(), schemaSeq.Add(1), tb.Name()))
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
	return name[:min(len(name), 63)]
}

// dropSchema removes a test schema and its tables.
func dropSchema(tb testing.TB, dsn, schema string) {
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}

// openPostgresSchema opens the archive in a fresh schema dropped at cleanup.
func openPostgresSchema(tb testing.TB, dsn, schema string) *Postgres {
	tb.Helper()
	a, err := OpenPostgres(context.Background(), dsn, PostgresOptions{Schema: schema})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	return a
}

func TestPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	schemas := map[Archive]string{}
	runSuite(t, backend{
		open: func(t *testing.T) Archive {
			s := newSchemaName(t)
			t.Cleanup(func() { dropSchema(t, dsn, s) })
			a := openPostgresSchema(t, dsn, s)
			schemas[a] = s
			return a
		},
		reopen: func(t *testing.T, a Archive) Archive {
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			b := openPostgresSchema(t, dsn, schemas[a])
			schemas[b] = schemas[a]
			return b
		},
	})
}

func TestPostgresFormatVersion(t *testing.T) {
	dsn := postgresDSN(t)
	s := newSchemaName(t)
	t.Cleanup(func() { dropSchema(t, dsn, s) })
	openPostgresSchema(t, dsn, s).Close()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "UPDATE "+pgx.Identifier{s, "meta"}.Sanitize()+" SET value = 99"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPostgres(ctx, dsn, PostgresOptions{Schema: s}); !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
}

func TestPostgresBadDSN(t *testing.T) {
	if _, err := OpenPostgres(ctx, "postgres://nobody@/x?host=/nonexistent&connect_timeout=1", PostgresOptions{}); !errors.Is(err, ErrBackend) {
		t.Fatalf("err = %v, want ErrBackend", err)
	}
}
