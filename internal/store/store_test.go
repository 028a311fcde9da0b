package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/postgres"
	"github.com/vigil-med/vigil/internal/store/sqlite"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
)

func names(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	var out []string
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// Ensure both engines carry the same numbered migrations.
func TestMigrations_SameOnBothEngines(t *testing.T) {
	a, b := names(t, sqlite.Migrations()), names(t, postgres.Migrations())
	if !reflect.DeepEqual(a, b) || len(a) == 0 {
		t.Fatalf("sqlite migrations %v, postgres %v", a, b)
	}
	for _, n := range a {
		if len(n) < 7 || strings.Trim(n[:5], "0123456789") != "" || n[5] != '_' || !strings.HasSuffix(n, ".sql") {
			t.Fatalf("migration %q is not named NNNNN_description.sql", n)
		}
	}
}

func rawSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Ensure a database left half migrated is reported out of date and then
// brought up to date on open.
func TestMigrate_Partial(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	db := rawSQLite(t, path)
	// The version table as goose leaves it before any migration ran.
	if _, err := db.Exec(`CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL,
		is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')));
		INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1)`); err != nil {
		t.Fatal(err)
	}
	err := sqlstore.SchemaCurrent(ctx, db, goose.DialectSQLite3, sqlite.Migrations())
	if err == nil || !strings.Contains(err.Error(), "out of date") {
		t.Fatalf("SchemaCurrent on an unmigrated database = %v", err)
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("after open: %v", err)
	}
}

// Ensure a database migrated by a newer vigil (an unknown version, or a
// history this binary cannot account for) is refused, not written to.
func TestMigrate_ErrUnknownVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawSQLite(t, path)
	if _, err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)"); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(ctx, path)
	if domain.ErrorCode(err) != domain.CodeInternal || !strings.Contains(err.Error(), "99999") || !strings.Contains(err.Error(), "newer vigil") {
		t.Fatalf("open of a newer schema = %v", err)
	}
}
