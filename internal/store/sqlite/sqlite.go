// Package sqlite opens Vigil's embedded default database: one SQLite file
// through the pure-Go modernc.org/sqlite driver (no cgo).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// dsn builds the connection string. Pragmas run on every new connection:
//   - busy_timeout first, so the others wait instead of failing while
//     another process holds the lock;
//   - WAL lets readers proceed while one writer writes;
//   - synchronous=NORMAL is durable across application crashes in WAL mode
//     and much faster than FULL (a power cut may lose the last commits, not
//     corrupt the file);
//   - foreign_keys is off by default in SQLite; Vigil relies on it.
//
// Writers use BEGIN IMMEDIATE so a transaction takes the write lock at its
// start rather than failing to upgrade a read lock half way through.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	if writer {
		q.Set("_txlock", "immediate")
		// A larger page cache for the writer keeps the indexes of a bulk
		// import in memory (64 MiB; the default is 2 MiB).
		q.Add("_pragma", "cache_size(-65536)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the SQLite database at path, applies
// pending migrations and returns the store.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "cannot create the data directory %s: %v", dir, err)
		}
	}
	if err := create(ctx, path); err != nil {
		return nil, err
	}
	// One connection writes: SQLite has one writer at a time anyway, and a
	// single pooled writer turns lock contention inside this process into
	// queueing instead of busy retries.
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, domain.Internal(err, "cannot open %s", path)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		w.Close()
		return nil, domain.Internal(err, "cannot open %s", path)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, domain.Errorf(domain.CodeInvalid, "cannot open database %s: %v", path, err)
	}
	if err := sqlstore.Migrate(ctx, w, goose.DialectSQLite3, Migrations()); err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return sqlstore.New(w, r, dialect{}), nil
}

// pageSize is the page size of new databases. Device rows with their JSON
// columns are around a kilobyte; 16 KiB pages keep more of them per page
// and cut the write calls of a bulk import to a quarter of 4 KiB pages.
const pageSize = 16384

// create makes a new, empty database file with Vigil's page size. The page
// size can only be set before the database switches to WAL, which the
// connection pragmas do, so a new file gets its own first connection.
func create(ctx context.Context, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return domain.Internal(err, "cannot create %s", path)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{fmt.Sprintf("PRAGMA page_size = %d", pageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return domain.Errorf(domain.CodeInvalid, "cannot create database %s: %v", path, err)
		}
	}
	return nil
}

type dialect struct{}

func (dialect) Name() string                                  { return "sqlite" }
func (dialect) Placeholder(int) string                        { return "?" }
func (dialect) ForUpdate() string                             { return "" } // the write transaction already holds the database lock
func (dialect) MaxParams() int                                { return 32766 }
func (dialect) LockAuditChain(context.Context, *sql.Tx) error { return nil }

// BulkInsert: multi-row INSERTs are SQLite's fastest path already.
func (dialect) BulkInsert(context.Context, *sql.Conn, string, []string, [][]any) error {
	return sqlstore.ErrNoBulk
}

// ReserveIDs relies on the writer holding the database lock: ids above both
// the AUTOINCREMENT counter and the current maximum are free until commit,
// and inserting them advances the counter.
func (dialect) ReserveIDs(ctx context.Context, tx *sql.Tx, table string, n int) (int64, error) {
	var seq, maxID int64
	err := tx.QueryRowContext(ctx, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), COALESCE((SELECT MAX(id) FROM "+table+"), 0)", table).Scan(&seq, &maxID)
	if err != nil {
		return 0, err
	}
	return max(seq, maxID) + 1, nil
}

// Search matches each word as a word prefix in the FTS5 index and the
// filters as tag tokens, so the index alone can count the matches and list
// their ids (as a JSON array the page query reads with json_each). A word
// with no letters or digits can only be a literal substring, found with
// LIKE, and then the table must be read.
func (dialect) Search(sp sqlstore.SearchSpec) sqlstore.SearchSQL {
	tags := []string{fmt.Sprintf("zt%d", sp.TenantID)}
	if sp.SiteID != 0 {
		tags = append(tags, fmt.Sprintf("zs%d", sp.SiteID))
	}
	if sp.VendorID != 0 {
		tags = append(tags, fmt.Sprintf("zv%d", sp.VendorID))
	}
	if sp.Category != "" {
		tags = append(tags, "zc"+strings.ReplaceAll(sp.Category, "-", ""))
	}
	terms := []string{"tags : (" + strings.Join(tags, " AND ") + ")"}
	var likes []string
	var likeArgs []any
	for _, w := range sp.Words {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			likes = append(likes, `d.search_text LIKE ? ESCAPE '\'`)
			likeArgs = append(likeArgs, "%"+escapeLike(w)+"%")
			continue
		}
		terms = append(terms, `search_text : "`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	match := strings.Join(terms, " AND ")
	col := "d.id"
	if sp.Broad {
		col = "+d.id" // unary plus: not an index term, so the listing index drives
	}
	out := sqlstore.SearchSQL{Cond: col + " IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?)", Args: []any{match}}
	if len(likes) > 0 {
		out.Cond += " AND " + strings.Join(likes, " AND ")
		out.Args = append(out.Args, likeArgs...)
		return out
	}
	out.IDs = "SELECT COUNT(*), COALESCE(json_group_array(rowid), '[]') FROM devices_fts WHERE devices_fts MATCH ?"
	out.IDsArgs = []any{match}
	out.InIDs = "d.id IN (SELECT value FROM json_each(?))"
	out.BroadInIDs = "+d.id IN (SELECT value FROM json_each(?))"
	return out
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Optimize samples at most 1,000 rows per index (milliseconds even at
// 100,000 devices), enough for the planner to see how unselective a
// tenant_id match is next to a search.
func (dialect) Optimize(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "PRAGMA analysis_limit = 1000; ANALYZE")
	return err
}

func (dialect) Ping(ctx context.Context, db *sql.DB) error {
	return sqlstore.SchemaCurrent(ctx, db, goose.DialectSQLite3, Migrations())
}

// Translate maps SQLite result codes to domain codes.
func (dialect) Translate(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &domain.Error{Code: domain.CodeConflict, Message: "duplicate value", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &domain.Error{Code: domain.CodeConflict, Message: "the object is still referenced", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &domain.Error{Code: domain.CodeInternal, Message: "the database is busy; try again", Err: err}
		}
		return &domain.Error{Code: domain.CodeInternal, Message: fmt.Sprintf("database error %d", se.Code()), Err: err}
	}
	return err
}
