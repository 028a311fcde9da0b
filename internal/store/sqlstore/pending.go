package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/vigil-med/vigil/internal/domain"
)

type pendingOptions struct {
	SkipInvalid bool   `json:"skip_invalid,omitempty"`
	DayFirst    bool   `json:"day_first,omitempty"`
	DefaultSite string `json:"default_site,omitempty"`
}

// SavePendingImport stores an upload for the context's practice.
func (s *Store) SavePendingImport(ctx context.Context, p *domain.PendingImport) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	opts, _ := json.Marshal(pendingOptions{p.SkipInvalid, p.DayFirst, p.DefaultSite})
	return s.write(ctx, func(tx *Tx) error {
		p.TenantID, p.CreatedAt = tid, tx.now
		if _, err := tx.exec("DELETE FROM pending_imports WHERE expires_at < ?", fmtTime(tx.now)); err != nil {
			return domain.Internal(err, "cannot clear expired uploads")
		}
		if _, err := tx.exec("INSERT INTO pending_imports (id, tenant_id, user_id, file_name, content, options, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			p.ID, tid, p.UserID, p.FileName, p.Content, string(opts), fmtTime(tx.now), fmtTime(p.ExpiresAt)); err != nil {
			return domain.Internal(err, "cannot keep the upload")
		}
		return nil
	})
}

// FindPendingImport returns an unexpired upload of the practice.
func (s *Store) FindPendingImport(ctx context.Context, id string) (*domain.PendingImport, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	var p domain.PendingImport
	var opts, created, expires string
	err = s.queryRow(ctx, "SELECT id, tenant_id, user_id, file_name, content, options, created_at, expires_at FROM pending_imports WHERE id = ? AND tenant_id = ? AND expires_at > ?",
		id, tid, fmtTime(domain.Now(ctx))).Scan(&p.ID, &p.TenantID, &p.UserID, &p.FileName, &p.Content, &opts, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "the uploaded file is no longer here (uploads are kept for an hour); upload it again")
	}
	if err != nil {
		return nil, domain.Internal(err, "cannot read the upload")
	}
	var o pendingOptions
	_ = json.Unmarshal([]byte(opts), &o)
	p.SkipInvalid, p.DayFirst, p.DefaultSite = o.SkipInvalid, o.DayFirst, o.DefaultSite
	p.CreatedAt, p.ExpiresAt = parseTime(created), parseTime(expires)
	return &p, nil
}

// DeletePendingImport removes an upload of the practice.
func (s *Store) DeletePendingImport(ctx context.Context, id string) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec("DELETE FROM pending_imports WHERE id = ? AND tenant_id = ?", id, tid); err != nil {
			return domain.Internal(err, "cannot delete the upload")
		}
		return nil
	})
}
