package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigil-med/vigil/internal/domain"
)

// CreateSession stores a session. Signing in is recorded in the audit
// trail; a pending session (second factor still to come) is not a sign-in
// yet.
func (s *Store) CreateSession(ctx context.Context, x *domain.Session) error {
	return s.write(ctx, func(tx *Tx) error {
		x.CreatedAt = tx.now
		if _, err := tx.exec("INSERT INTO sessions (token_hash, user_id, tenant_id, csrf_token, ip, user_agent, created_at, expires_at, pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			x.TokenHash, x.User.ID, x.TenantID, x.CSRFToken, x.IP, x.UserAgent, fmtTime(tx.now), fmtTime(x.ExpiresAt), b2i(x.Pending)); err != nil {
			return domain.Internal(err, "cannot create session")
		}
		// Expired sessions of this user go at the same time.
		if _, err := tx.exec("DELETE FROM sessions WHERE user_id = ? AND expires_at < ?", x.User.ID, fmtTime(tx.now)); err != nil {
			return domain.Internal(err, "cannot clear expired sessions")
		}
		if !x.Pending {
			tx.audit(x.User.TenantID, "user.sign_in", "user", x.User.ID, x.User.Email, nil, map[string]string{"ip": x.IP})
		}
		return nil
	})
}

// FindSession returns an unexpired session of an enabled user.
func (s *Store) FindSession(ctx context.Context, tokenHash string) (*domain.Session, error) {
	var x domain.Session
	var userID int64
	var created, expires string
	var pending int64
	err := s.queryRow(ctx, "SELECT token_hash, user_id, tenant_id, csrf_token, ip, user_agent, created_at, expires_at, pending FROM sessions WHERE token_hash = ? AND expires_at > ?",
		tokenHash, fmtTime(domain.Now(ctx))).Scan(&x.TokenHash, &userID, &x.TenantID, &x.CSRFToken, &x.IP, &x.UserAgent, &created, &expires, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "no such session")
	}
	if err != nil {
		return nil, domain.Internal(err, "cannot read session")
	}
	u, err := scanUser(s.queryRow(ctx, "SELECT "+userCols+" FROM users WHERE id = ? AND disabled = 0", userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "no such session")
	}
	if err != nil {
		return nil, domain.Internal(err, "cannot read session")
	}
	x.User, x.CreatedAt, x.ExpiresAt, x.Pending = u, parseTime(created), parseTime(expires), pending != 0
	return &x, nil
}

// SetSessionTenant changes the practice a session works in.
func (s *Store) SetSessionTenant(ctx context.Context, tokenHash string, tenantID int64) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec("UPDATE sessions SET tenant_id = ? WHERE token_hash = ?", tenantID, tokenHash)
		if err != nil {
			return domain.Internal(err, "cannot update session")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.CodeNotFound, "no such session")
		}
		return nil
	})
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec("DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
			return domain.Internal(err, "cannot delete session")
		}
		return nil
	})
}
