package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

var _ store.TokenStore = (*Store)(nil)

const tokenCols = "t.id, t.tenant_id, t.user_id, t.name, t.role, t.token_hash, t.created_at, t.expires_at, t.last_used_at, t.revoked"

func scanToken(sc interface{ Scan(...any) error }) (*domain.APIToken, error) {
	var t domain.APIToken
	var role, created, expires, used string
	var revoked int64
	if err := sc.Scan(&t.ID, &t.TenantID, &t.UserID, &t.Name, &role, &t.TokenHash, &created, &expires, &used, &revoked); err != nil {
		return nil, err
	}
	t.Role, t.Revoked = domain.Role(role), revoked != 0
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = parseTime(created), parseTimeOrZero(expires), parseTimeOrZero(used)
	return &t, nil
}

func parseTimeOrZero(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	return parseTime(s)
}

// touchEvery is how stale last_used_at may get before a use rewrites it:
// noting every request would make every API read a database write.
const touchEvery = time.Minute

// CreateToken stores a token whose hash the caller has set.
func (s *Store) CreateToken(ctx context.Context, t *domain.APIToken) error {
	if tid, ok := domain.TenantFrom(ctx); ok && t.TenantID != tid {
		return domain.Errorf(domain.CodeForbidden, "a token of this practice cannot be made for another one")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if len(t.TokenHash) != 64 {
		return domain.Errorf(domain.CodeInvalid, "a token is stored by its SHA-256 hash; none was given")
	}
	return s.write(ctx, func(tx *Tx) error {
		if t.TenantID != 0 {
			var n int
			if err := tx.queryRow("SELECT COUNT(*) FROM tenants WHERE id = ?", t.TenantID).Scan(&n); err != nil || n == 0 {
				return domain.Errorf(domain.CodeInvalid, "no practice with id %d", t.TenantID)
			}
		}
		t.CreatedAt, t.LastUsedAt, t.Revoked = tx.now, time.Time{}, false
		id, err := tx.insertID("api_tokens", []string{"tenant_id", "user_id", "name", "role", "token_hash", "created_at", "expires_at", "last_used_at", "revoked"},
			t.TenantID, t.UserID, t.Name, string(t.Role), t.TokenHash, fmtTime(tx.now), fmtTimeOrEmpty(t.ExpiresAt), "", 0)
		if err != nil {
			return conflictOr(err, "a token named %q is already in use here; revoke it or choose another name", t.Name)
		}
		t.ID = id
		tx.audit(t.TenantID, "token.create", "token", id, t.Name, nil, t.Audited())
		return nil
	})
}

// FindTokenByHash returns a live token of an enabled (or no) creator and
// notes its use.
func (s *Store) FindTokenByHash(ctx context.Context, tokenHash string) (*domain.APIToken, error) {
	now := domain.Now(ctx)
	t, err := scanToken(s.queryRow(ctx, "SELECT "+tokenCols+" FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id "+
		"WHERE t.token_hash = ? AND t.revoked = 0 AND (t.expires_at = '' OR t.expires_at > ?) AND (t.user_id = 0 OR u.disabled = 0)",
		tokenHash, fmtTime(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "no such token")
	}
	if err != nil {
		return nil, domain.Internal(err, "cannot read token")
	}
	if now.Sub(t.LastUsedAt) >= touchEvery {
		err := s.write(ctx, func(tx *Tx) error {
			_, err := tx.exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", fmtTime(now), t.ID)
			return err
		})
		if err != nil {
			return nil, domain.Internal(err, "cannot note the token's use")
		}
		t.LastUsedAt = now
	}
	return t, nil
}

// FindTokens lists the scope's tokens, newest first.
func (s *Store) FindTokens(ctx context.Context) ([]*domain.APIToken, error) {
	rows, err := s.query(ctx, "SELECT "+tokenCols+" FROM api_tokens t WHERE t.tenant_id = ? ORDER BY t.id DESC", userScope(ctx))
	if err != nil {
		return nil, domain.Internal(err, "cannot list tokens")
	}
	defer rows.Close()
	var out []*domain.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot list tokens")
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internal(err, "cannot list tokens")
	}
	return out, nil
}

// RevokeToken revokes a live token of the scope (any token in the
// provider's scope).
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	q, args := "SELECT "+tokenCols+" FROM api_tokens t WHERE t.id = ? AND t.revoked = 0", []any{id}
	if tid, ok := domain.TenantFrom(ctx); ok {
		q, args = q+" AND t.tenant_id = ?", append(args, tid)
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanToken(tx.queryRow(q, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "no live token %d here", id)
		}
		if err != nil {
			return wrapScan(err, "token")
		}
		// The condition makes a concurrent revocation of the same token
		// find nothing to do, without locking the row it read.
		res, err := tx.exec("UPDATE api_tokens SET revoked = 1 WHERE id = ? AND revoked = 0", id)
		if err != nil {
			return domain.Internal(err, "cannot revoke token")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return domain.Errorf(domain.CodeNotFound, "no live token %d here", id)
		}
		after := *old
		after.Revoked = true
		tx.audit(old.TenantID, "token.revoke", "token", id, old.Name, old.Audited(), after.Audited())
		return nil
	})
}
