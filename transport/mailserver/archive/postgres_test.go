package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Environment of the PostgreSQL tests.
const (
	// envPostgres holds the DSN of a throwaway database (scripts/postgres.sh).
	envPostgres = "STATUSD_TEST_POSTGRES"
	// envRequirePostgres=1 turns a missing DSN into a failure; CI=true does too.
	envRequirePostgres = "STATUSD_REQUIRE_POSTGRES"
)

// postgresDSN returns the test database or stops the test. With the DSN set
// the server must answer (scripts/postgres.sh sets it, so under `make test` a
// server that does not start is a failure). Without it the test skips with
// one line saying how to run it, unless CI=true or STATUSD_REQUIRE_POSTGRES=1,
// where it fails: CI never skips these tests silently.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	if dsn := os.Getenv(envPostgres); dsn != "" {
		return dsn
	}
	const how = "PostgreSQL not available: run `make test`, or set " + envPostgres +
		" to a DSN (eval \"$(scripts/postgres.sh start)\")"
	if envTrue("CI") || envTrue(envRequirePostgres) {
		tb.Fatal(how + "; required here (CI or " + envRequirePostgres + " set)")
	}
	tb.Skip(how)
	return ""
}

// envTrue reports whether the environment variable holds a true boolean
// ("1", "true", ...).
func envTrue(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
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
