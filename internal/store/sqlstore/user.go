package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

const userCols = "id, tenant_id, email, name, role, disabled, password_hash, password_changed_at, must_change_password, created_at, updated_at, " +
	"totp_secret, totp_enabled, totp_last_step"

func scanUser(sc interface{ Scan(...any) error }) (*domain.User, error) {
	var u domain.User
	var role, changed, created, updated string
	var disabled, mustChange, totp int64
	if err := sc.Scan(&u.ID, &u.TenantID, &u.Email, &u.Name, &role, &disabled, &u.PasswordHash, &changed, &mustChange, &created, &updated,
		&u.TOTPSecret, &totp, &u.TOTPLastStep); err != nil {
		return nil, err
	}
	u.Role, u.Disabled, u.MustChangePassword, u.TOTPEnabled = domain.Role(role), disabled != 0, mustChange != 0, totp != 0
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = parseTime(changed), parseTime(created), parseTime(updated)
	return &u, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// userScope is the tenant whose users the context may see: the practice on
// it, or 0 (the provider's staff).
func userScope(ctx context.Context) int64 {
	tid, _ := domain.TenantFrom(ctx)
	return tid
}

// FindUsers lists the users of the context's scope.
func (s *Store) FindUsers(ctx context.Context) ([]*domain.User, error) {
	rows, err := s.query(ctx, "SELECT "+userCols+" FROM users WHERE tenant_id = ? ORDER BY email", userScope(ctx))
	if err != nil {
		return nil, domain.Internal(err, "cannot list users")
	}
	defer rows.Close()
	var out []*domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot list users")
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindUserByEmail finds any user by address.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*domain.User, error) {
	u, err := scanUser(s.queryRow(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user", email)
	}
	if err != nil {
		return nil, wrapScan(err, "user")
	}
	return u, nil
}

// CountUsers counts every account.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, domain.Internal(err, "cannot count users")
	}
	return n, nil
}

// CreateUser stores a new user.
func (s *Store) CreateUser(ctx context.Context, u *domain.User) error {
	if tid, ok := domain.TenantFrom(ctx); ok && u.TenantID != tid {
		return domain.Errorf(domain.CodeForbidden, "a user of this practice cannot be created for another one")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if u.TenantID != 0 {
			var n int
			if err := tx.queryRow("SELECT COUNT(*) FROM tenants WHERE id = ?", u.TenantID).Scan(&n); err != nil || n == 0 {
				return domain.Errorf(domain.CodeInvalid, "no practice with id %d", u.TenantID)
			}
		}
		u.CreatedAt, u.UpdatedAt = tx.now, tx.now
		if u.PasswordHash != "" {
			u.PasswordChangedAt = tx.now
		}
		id, err := tx.insertID("users", []string{"tenant_id", "email", "name", "role", "disabled", "password_hash", "password_changed_at",
			"must_change_password", "created_at", "updated_at", "totp_secret", "totp_enabled"},
			u.TenantID, u.Email, u.Name, string(u.Role), b2i(u.Disabled), u.PasswordHash, fmtTimeOrEmpty(u.PasswordChangedAt),
			b2i(u.MustChangePassword), fmtTime(tx.now), fmtTime(tx.now), u.TOTPSecret, b2i(u.TOTPEnabled))
		if err != nil {
			return conflictOr(err, "a user with the address %s already exists", u.Email)
		}
		u.ID = id
		tx.audit(u.TenantID, "user.create", "user", id, u.Email, nil, u.Audited())
		return nil
	})
}

// UpdateUser stores a user's changes; a new password hash is audited as
// "password changed" and a new second-factor secret as "new key issued",
// never by value. The last accepted TOTP step is kept unless the secret
// changes.
func (s *Store) UpdateUser(ctx context.Context, u *domain.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanUser(tx.queryRow("SELECT "+userCols+" FROM users WHERE id = ? AND tenant_id = ?", u.ID, userScopeFor(ctx, u)))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "no user %d here", u.ID)
		}
		if err != nil {
			return wrapScan(err, "user")
		}
		if u.TenantID != old.TenantID || u.Email != old.Email {
			return domain.Errorf(domain.CodeInvalid, "a user's address and practice cannot change; create a new account")
		}
		if u.PasswordHash != old.PasswordHash {
			u.PasswordChangedAt = tx.now
		} else {
			u.PasswordChangedAt = old.PasswordChangedAt
		}
		if u.TOTPEnabled && u.TOTPSecret == "" {
			return domain.Errorf(domain.CodeInvalid, "two-factor sign-in cannot be on without a secret")
		}
		u.TOTPLastStep = old.TOTPLastStep
		if u.TOTPSecret != old.TOTPSecret {
			u.TOTPLastStep = 0
		}
		if _, err := tx.exec("UPDATE users SET name = ?, role = ?, disabled = ?, password_hash = ?, password_changed_at = ?, must_change_password = ?, updated_at = ?, "+
			"totp_secret = ?, totp_enabled = ?, totp_last_step = ? WHERE id = ?",
			u.Name, string(u.Role), b2i(u.Disabled), u.PasswordHash, fmtTimeOrEmpty(u.PasswordChangedAt), b2i(u.MustChangePassword), fmtTime(tx.now),
			u.TOTPSecret, b2i(u.TOTPEnabled), u.TOTPLastStep, u.ID); err != nil {
			return domain.Internal(err, "cannot update user")
		}
		after := u.Audited()
		if u.PasswordHash != old.PasswordHash {
			after["password"] = "changed"
		}
		if u.TOTPSecret != old.TOTPSecret && u.TOTPSecret != "" {
			after["totp"] = "new key issued"
		}
		u.CreatedAt, u.UpdatedAt = old.CreatedAt, tx.now
		tx.audit(u.TenantID, "user.update", "user", u.ID, u.Email, old.Audited(), after)
		return nil
	})
}

// userScopeFor is the tenant a user must belong to for the context to
// change it: the context's practice, or, in the provider's scope, the
// user's own.
func userScopeFor(ctx context.Context, u *domain.User) int64 {
	if tid, ok := domain.TenantFrom(ctx); ok {
		return tid
	}
	return u.TenantID
}

func fmtTimeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}

// RecordTOTPStep records the last accepted second-factor step, only
// forwards: the conditional UPDATE is atomic on both engines, so two
// requests with the same code cannot both succeed.
func (s *Store) RecordTOTPStep(ctx context.Context, userID, step int64) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.exec("UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", step, userID, step)
		if err != nil {
			return domain.Internal(err, "cannot record the two-factor step")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var n int
		if err := tx.queryRow("SELECT COUNT(*) FROM users WHERE id = ?", userID).Scan(&n); err != nil {
			return domain.Internal(err, "cannot record the two-factor step")
		}
		if n == 0 {
			return domain.Errorf(domain.CodeNotFound, "no user %d", userID)
		}
		return domain.Errorf(domain.CodeConflict, "this code was used already; wait for the next one")
	})
}
