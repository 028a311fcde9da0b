// Package vigiltest holds helpers shared by Vigil's tests: real databases
// (a temporary SQLite file, a fresh PostgreSQL schema) and the shared data
// set. It is imported by tests only.
package vigiltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx database/sql driver for schema setup

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/postgres"
	"github.com/vigil-med/vigil/internal/store/sqlite"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
)

var dump = flag.Bool("dump", false, "keep test SQLite databases and print their paths")

// MustOpenSQLite opens a store on a new SQLite file in a temporary
// directory. With -dump the file is kept and its path logged.
func MustOpenSQLite(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	dir := tb.TempDir()
	if *dump {
		var err error
		if dir, err = os.MkdirTemp("", "vigil-test-"); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("SQLite database kept at %s", filepath.Join(dir, "vigil.db"))
	}
	return MustOpenSQLitePath(tb, filepath.Join(dir, "vigil.db"))
}

// MustOpenSQLitePath opens a store on the SQLite file at path.
func MustOpenSQLitePath(tb testing.TB, path string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// PostgresURL returns the test PostgreSQL address: $VIGIL_TEST_POSTGRES, or
// the local server at 127.0.0.1:5432, database test. When the variable is
// unset and nothing listens there, the test is skipped with a message; when
// it is set, PostgreSQL is required and its absence fails the test.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("VIGIL_TEST_POSTGRES")
	if url == "" {
		c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second)
		if err != nil {
			tb.Skip("PostgreSQL tests skipped: VIGIL_TEST_POSTGRES is unset and nothing listens on 127.0.0.1:5432")
		}
		c.Close()
		url = "postgres://127.0.0.1:5432/test?sslmode=disable"
	}
	return url
}

// MustPostgresSchema creates a fresh schema in the test PostgreSQL
// database, drops it when the test ends, and returns a connection URL whose
// search_path selects it.
func MustPostgresSchema(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL(tb)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	tb.Cleanup(func() { admin.Close() })
	schema := "vigil_test_" + randHex(6)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("postgres at %s: %v (set VIGIL_TEST_POSTGRES to a reachable database)", base, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Logf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// MustOpenPostgres opens a store on a fresh schema of the test PostgreSQL
// database; the schema is dropped when the test ends.
func MustOpenPostgres(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), MustPostgresSchema(tb))
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Context returns a context with a CLI actor and, when tenantID > 0, the
// tenant scope.
func Context(tenantID int64) context.Context {
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "tester"})
	if tenantID > 0 {
		ctx = domain.WithTenant(ctx, tenantID)
	}
	return ctx
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// SharedData returns the path of a file under ../shared/data (relative to
// the repository root) and fails the test loudly when it is missing: the
// data set is required, never optional.
func SharedData(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(RepoRoot(tb), "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared data file missing: %s (the tests need ../shared/data next to the repository): %v", p, err)
	}
	return p
}
