package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

const siteCols = "id, tenant_id, slug, name, address, timezone, created_at, updated_at"

func scanSite(sc interface{ Scan(...any) error }) (*domain.Site, error) {
	var x domain.Site
	var created, updated string
	if err := sc.Scan(&x.ID, &x.TenantID, &x.Slug, &x.Name, &x.Address, &x.TimeZone, &created, &updated); err != nil {
		return nil, err
	}
	x.CreatedAt, x.UpdatedAt = parseTime(created), parseTime(updated)
	return &x, nil
}

// FindSites returns the tenant's sites ordered by name.
func (s *Store) FindSites(ctx context.Context) ([]*domain.Site, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+siteCols+" FROM sites WHERE tenant_id = ? ORDER BY name, id", tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot list sites")
	}
	defer rows.Close()
	var out []*domain.Site
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot list sites")
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// FindSite finds one of the tenant's sites by id, slug or name.
func (s *Store) FindSite(ctx context.Context, ref string) (*domain.Site, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	ref = strings.TrimSpace(ref)
	id, _ := isNumericRef(ref)
	x, err := scanSite(s.queryRow(ctx, "SELECT "+siteCols+" FROM sites WHERE tenant_id = ? AND (id = ? OR slug = ? OR lower(name) = lower(?)) ORDER BY id LIMIT 1",
		tid, id, ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("site", ref)
	}
	if err != nil {
		return nil, wrapScan(err, "site")
	}
	return x, nil
}

// CreateSite stores a site for the tenant on the context.
func (s *Store) CreateSite(ctx context.Context, x *domain.Site) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		x.TenantID, x.CreatedAt, x.UpdatedAt = tid, tx.now, tx.now
		id, err := tx.insertID("sites", []string{"tenant_id", "slug", "name", "address", "timezone", "created_at", "updated_at"},
			tid, x.Slug, x.Name, x.Address, x.TimeZone, fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return conflictOr(err, "a site with short name %q already exists", x.Slug)
		}
		x.ID = id
		tx.audit(tid, "site.create", "site", id, x.Name, nil, x)
		return nil
	})
}

// UpdateSite changes one of the tenant's sites.
func (s *Store) UpdateSite(ctx context.Context, x *domain.Site) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanSite(tx.queryRow("SELECT "+siteCols+" FROM sites WHERE tenant_id = ? AND id = ?", tid, x.ID))
		if err != nil {
			return wrapScan(err, "site")
		}
		x.TenantID, x.CreatedAt, x.UpdatedAt = tid, old.CreatedAt, tx.now
		if _, err := tx.exec("UPDATE sites SET slug = ?, name = ?, address = ?, timezone = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
			x.Slug, x.Name, x.Address, x.TimeZone, fmtTime(tx.now), tid, x.ID); err != nil {
			return conflictOr(err, "a site with short name %q already exists", x.Slug)
		}
		tx.audit(tid, "site.update", "site", x.ID, x.Name, old, x)
		return nil
	})
}

// DeleteSite removes a site that has no devices.
func (s *Store) DeleteSite(ctx context.Context, id int64) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanSite(tx.queryRow("SELECT "+siteCols+" FROM sites WHERE tenant_id = ? AND id = ?", tid, id))
		if err != nil {
			return wrapScan(err, "site")
		}
		var n int
		if err := tx.queryRow("SELECT COUNT(*) FROM devices WHERE tenant_id = ? AND site_id = ?", tid, id).Scan(&n); err != nil {
			return domain.Internal(err, "cannot count devices")
		}
		if n > 0 {
			return domain.Errorf(domain.CodeConflict, "site %q still has %d devices; move or remove them first", old.Name, n)
		}
		if _, err := tx.exec("DELETE FROM sites WHERE tenant_id = ? AND id = ?", tid, id); err != nil {
			return domain.Internal(err, "cannot delete site")
		}
		tx.audit(tid, "site.delete", "site", id, old.Name, old, nil)
		return nil
	})
}

// siteIndex resolves site references (slug, name or id) for one tenant.
type siteIndex struct {
	byRef map[string]*domain.Site
	all   []*domain.Site
}

func (tx *Tx) loadSites(tid int64) (*siteIndex, error) {
	rows, err := tx.query("SELECT "+siteCols+" FROM sites WHERE tenant_id = ? ORDER BY id", tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot read sites")
	}
	defer rows.Close()
	idx := &siteIndex{byRef: map[string]*domain.Site{}}
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot read sites")
		}
		idx.all = append(idx.all, x)
		idx.byRef[x.Slug] = x
		idx.byRef[strings.ToLower(x.Name)] = x
		idx.byRef[domain.Slugify(x.Name)] = x
	}
	return idx, rows.Err()
}

// resolve finds the site named by ref, or the only site when ref is empty.
func (idx *siteIndex) resolve(ref string) (*domain.Site, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		switch len(idx.all) {
		case 0:
			return nil, domain.Errorf(domain.CodeInvalid, "this practice has no sites yet; add one with `vigil site add NAME`")
		case 1:
			return idx.all[0], nil
		}
		return nil, domain.Errorf(domain.CodeInvalid, "no site given and the practice has %d sites (%s); name one", len(idx.all), idx.names())
	}
	if x, ok := idx.byRef[strings.ToLower(ref)]; ok {
		return x, nil
	}
	if x, ok := idx.byRef[domain.Slugify(ref)]; ok {
		return x, nil
	}
	if id, ok := isNumericRef(ref); ok {
		for _, x := range idx.all {
			if x.ID == id {
				return x, nil
			}
		}
	}
	if len(idx.all) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "unknown site %q: this practice has no sites yet; add one with `vigil site add`", ref)
	}
	return nil, domain.Errorf(domain.CodeInvalid, "unknown site %q (known: %s); add it with `vigil site add`", ref, idx.names())
}

func (idx *siteIndex) names() string {
	n := make([]string, len(idx.all))
	for i, x := range idx.all {
		n[i] = x.Slug
	}
	return strings.Join(n, ", ")
}
