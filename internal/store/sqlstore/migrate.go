package sqlstore

import (
	"context"
	"database/sql"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/vigil-med/vigil/internal/domain"
)

// Migrate applies the embedded migrations in fsys that db has not seen,
// each in its own transaction and recorded by version. It refuses a
// database whose schema is newer than this binary knows, and a history with
// gaps (a migration missing below the current version).
func Migrate(ctx context.Context, db *sql.DB, dialect goose.Dialect, fsys fs.FS) error {
	p, err := goose.NewProvider(dialect, db, fsys)
	if err != nil {
		return domain.Internal(err, "cannot read the embedded migrations")
	}
	if err := checkKnown(ctx, p); err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return domain.Internal(err, "database migration failed")
	}
	return nil
}

// SchemaCurrent reports an error unless every embedded migration is applied
// and none unknown to this binary is.
func SchemaCurrent(ctx context.Context, db *sql.DB, dialect goose.Dialect, fsys fs.FS) error {
	p, err := goose.NewProvider(dialect, db, fsys)
	if err != nil {
		return domain.Internal(err, "cannot read the embedded migrations")
	}
	if err := checkKnown(ctx, p); err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return domain.Internal(err, "cannot read the schema version")
	}
	if pending {
		return domain.Errorf(domain.CodeInternal, "the database schema is out of date; run `vigil migrate`")
	}
	return nil
}

func checkKnown(ctx context.Context, p *goose.Provider) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return domain.Internal(err, "cannot read the schema version")
	}
	sources := p.ListSources()
	latest := int64(0)
	if len(sources) > 0 {
		latest = sources[len(sources)-1].Version
	}
	if current > latest {
		return domain.Errorf(domain.CodeInternal,
			"the database schema is at version %d but this vigil knows only up to %d; use a newer vigil", current, latest)
	}
	return nil
}
