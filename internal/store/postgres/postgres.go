// Package postgres opens Vigil's store on PostgreSQL through pgx, for
// larger installations and several `vigil serve` replicas sharing one
// database.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

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

// Open connects to the PostgreSQL database named by the URL, applies
// pending migrations and returns the store.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "bad PostgreSQL address: %v", err)
	}
	// A modest pool: each replica of vigil serve holds its own.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, domain.Errorf(domain.CodeInvalid, "cannot connect to PostgreSQL at %s: %v", Redact(url), err)
	}
	if err := sqlstore.Migrate(ctx, db, goose.DialectPostgres, Migrations()); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(db, db, dialect{}), nil
}

// IsURL reports whether url names a PostgreSQL database.
func IsURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Redact hides a password in a connection URL, for messages and logs.
func Redact(url string) string {
	at := strings.LastIndexByte(url, '@')
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	cred := url[scheme+3 : at]
	if user, _, ok := strings.Cut(cred, ":"); ok {
		return url[:scheme+3] + user + ":***" + url[at:]
	}
	return url
}

type dialect struct{}

func (dialect) Name() string             { return "postgres" }
func (dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }
func (dialect) ForUpdate() string        { return " FOR UPDATE OF d" }
func (dialect) MaxParams() int           { return 65535 }

// BulkInsert streams rows with COPY on the transaction's connection,
// several times faster than multi-row INSERTs for an import.
func (dialect) BulkInsert(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return sqlstore.ErrNoBulk
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
}

// auditLockKey is an arbitrary constant naming the advisory lock that
// serialises audit chain appends across connections and replicas.
const auditLockKey = 7_451_203_911

func (dialect) LockAuditChain(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", auditLockKey)
	return err
}

// ReserveIDs reserves a consecutive block of n ids from the table's
// identity sequence. Sequences hand out values to concurrent sessions
// interleaved, so allocators take a transaction-scoped advisory lock named
// after the table first; every explicit-id insert goes through here.
func (dialect) ReserveIDs(ctx context.Context, tx *sql.Tx, table string, n int) (int64, error) {
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "vigil.ids."+table); err != nil {
		return 0, err
	}
	var first int64
	err := tx.QueryRowContext(ctx, "SELECT nextval(pg_get_serial_sequence($1, 'id'))", table).Scan(&first)
	if err != nil {
		return 0, err
	}
	if n > 1 {
		_, err = tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence($1, 'id'), $2)", table, first+int64(n)-1)
	}
	return first, err
}

// Search matches each word at the start of a word of the search text, like
// the SQLite index: it must start the text or follow a non-alphanumeric.
func (dialect) Search(sp sqlstore.SearchSpec) sqlstore.SearchSQL {
	conds := make([]string, len(sp.Words))
	args := make([]any, len(sp.Words))
	for i, w := range sp.Words {
		conds[i] = "d.search_text ~ ?"
		args[i] = `(^|[^[:alnum:].])` + regexp.QuoteMeta(w)
	}
	return sqlstore.SearchSQL{Cond: strings.Join(conds, " AND "), Args: args}
}

// Optimize refreshes the statistics autovacuum would refresh later.
func (dialect) Optimize(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "ANALYZE devices, device_identities")
	return err
}

func (dialect) Ping(ctx context.Context, db *sql.DB) error {
	return sqlstore.SchemaCurrent(ctx, db, goose.DialectPostgres, Migrations())
}

// Translate maps SQLSTATE codes to domain codes.
func (dialect) Translate(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &domain.Error{Code: domain.CodeConflict, Message: "duplicate value", Err: err}
		case "23503":
			return &domain.Error{Code: domain.CodeConflict, Message: "the object is still referenced", Err: err}
		case "40001", "40P01":
			return &domain.Error{Code: domain.CodeInternal, Message: "the database is busy; try again", Err: err}
		}
		return &domain.Error{Code: domain.CodeInternal, Message: "database error " + pe.Code, Err: err}
	}
	return err
}
