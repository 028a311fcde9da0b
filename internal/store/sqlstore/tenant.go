package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

const tenantCols = "id, slug, name, notes, created_at, updated_at"

func scanTenant(sc interface{ Scan(...any) error }) (*domain.Tenant, error) {
	var t domain.Tenant
	var created, updated string
	if err := sc.Scan(&t.ID, &t.Slug, &t.Name, &t.Notes, &created, &updated); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = parseTime(created), parseTime(updated)
	return &t, nil
}

// FindTenants returns all tenants ordered by name.
func (s *Store) FindTenants(ctx context.Context) ([]*domain.Tenant, error) {
	rows, err := s.query(ctx, "SELECT "+tenantCols+" FROM tenants ORDER BY name, id")
	if err != nil {
		return nil, domain.Internal(err, "cannot list practices")
	}
	defer rows.Close()
	var out []*domain.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot list practices")
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FindTenant finds a tenant by id, slug or name.
func (s *Store) FindTenant(ctx context.Context, ref string) (*domain.Tenant, error) {
	ref = strings.TrimSpace(ref)
	id, _ := isNumericRef(ref)
	t, err := scanTenant(s.queryRow(ctx, "SELECT "+tenantCols+" FROM tenants WHERE id = ? OR slug = ? OR lower(name) = lower(?) ORDER BY id LIMIT 1", id, ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("practice", ref)
	}
	if err != nil {
		return nil, wrapScan(err, "practice")
	}
	return t, nil
}

// CreateTenant stores a new tenant.
func (s *Store) CreateTenant(ctx context.Context, t *domain.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		t.CreatedAt, t.UpdatedAt = tx.now, tx.now
		id, err := tx.insertID("tenants", []string{"slug", "name", "notes", "created_at", "updated_at"},
			t.Slug, t.Name, t.Notes, fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return conflictOr(err, "a practice with short name %q already exists", t.Slug)
		}
		t.ID = id
		tx.audit(id, "tenant.create", "tenant", id, t.Name, nil, t)
		return nil
	})
}

// UpdateTenant renames a tenant.
func (s *Store) UpdateTenant(ctx context.Context, t *domain.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanTenant(tx.queryRow("SELECT "+tenantCols+" FROM tenants WHERE id = ?", t.ID))
		if err != nil {
			return wrapScan(err, "practice")
		}
		t.CreatedAt, t.UpdatedAt = old.CreatedAt, tx.now
		if _, err := tx.exec("UPDATE tenants SET slug = ?, name = ?, notes = ?, updated_at = ? WHERE id = ?",
			t.Slug, t.Name, t.Notes, fmtTime(tx.now), t.ID); err != nil {
			return conflictOr(err, "a practice with short name %q already exists", t.Slug)
		}
		tx.audit(t.ID, "tenant.update", "tenant", t.ID, t.Name, old, t)
		return nil
	})
}

// DeleteTenant removes a tenant that has no devices.
func (s *Store) DeleteTenant(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanTenant(tx.queryRow("SELECT "+tenantCols+" FROM tenants WHERE id = ?", id))
		if err != nil {
			return wrapScan(err, "practice")
		}
		var n int
		if err := tx.queryRow("SELECT COUNT(*) FROM devices WHERE tenant_id = ?", id).Scan(&n); err != nil {
			return domain.Internal(err, "cannot count devices")
		}
		if n > 0 {
			return domain.Errorf(domain.CodeConflict, "practice %q still has %d devices; remove them first", old.Name, n)
		}
		if _, err := tx.exec("DELETE FROM sites WHERE tenant_id = ?", id); err != nil {
			return domain.Internal(err, "cannot delete sites")
		}
		if _, err := tx.exec("DELETE FROM tenants WHERE id = ?", id); err != nil {
			return domain.Internal(err, "cannot delete practice")
		}
		tx.audit(id, "tenant.delete", "tenant", id, old.Name, old, nil)
		return nil
	})
}

// conflictOr turns a unique-violation into a conflict with the message, and
// any other error into an internal one.
func conflictOr(err error, format string, args ...any) error {
	if domain.ErrorCode(err) == domain.CodeConflict {
		return domain.Errorf(domain.CodeConflict, format, args...)
	}
	if domain.ErrorCode(err) != domain.CodeInternal {
		return err
	}
	return domain.Internal(err, "database write failed")
}
