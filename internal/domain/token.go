package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// APIToken is a credential for the REST API. It acts with one role, either
// across the provider's practices (TenantID 0) or within one practice. The
// token itself is shown once, when it is created; the store keeps only its
// SHA-256 hash.
type APIToken struct {
	ID         int64
	TenantID   int64 // 0: provider-wide; the caller picks a practice per request
	UserID     int64 // the user who created it; 0 when made on the command line
	Name       string
	Role       Role
	TokenHash  string // hex SHA-256 of the token; never shown or audited
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never expires
	LastUsedAt time.Time // zero: never used
	Revoked    bool
}

// APITokenPrefix starts every API token, so a leaked one is recognisable
// (secret scanners, logs) and the API can tell a token from other strings.
const APITokenPrefix = "vgl_"

// Validate checks the token's name and role and that the role fits its
// scope, as for users: a provider-admin token is provider-wide and a
// practice-admin token belongs to a practice.
func (t *APIToken) Validate() error {
	t.Name = strings.Join(strings.Fields(t.Name), " ")
	switch {
	case t.Name == "":
		return Errorf(CodeInvalid, "a token needs a name (say what uses it, e.g. \"ci\" or \"cmms-sync\")")
	case utf8.RuneCountInString(t.Name) > 100:
		return Errorf(CodeInvalid, "a token name is at most 100 characters")
	}
	if _, err := ParseRole(string(t.Role)); err != nil {
		return err
	}
	switch {
	case t.Role == RoleProviderAdmin && t.TenantID != 0:
		return Errorf(CodeInvalid, "a provider-admin token is provider-wide, not for one practice")
	case t.Role == RolePracticeAdmin && t.TenantID == 0:
		return Errorf(CodeInvalid, "a practice-admin token belongs to a practice; name it")
	}
	return nil
}

// Active reports whether the token may be used at now: not revoked and not
// expired.
func (t *APIToken) Active(now time.Time) bool {
	return !t.Revoked && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// Actor is the audit actor of requests made with the token.
func (t *APIToken) Actor() Actor { return Actor{Kind: ActorAPI, Name: "token:" + t.Name} }

// Audited is the token as written to the audit trail: everything but the
// hash.
func (t *APIToken) Audited() map[string]any {
	m := map[string]any{"id": t.ID, "tenant_id": t.TenantID, "user_id": t.UserID, "name": t.Name, "role": t.Role, "revoked": t.Revoked}
	if !t.ExpiresAt.IsZero() {
		m["expires_at"] = t.ExpiresAt
	}
	return m
}

// Within reports whether every permission of r is also granted by
// other, so a holder of other may hand r out without gaining anything.
func (r Role) Within(other Role) bool {
	for _, p := range rolePerms[r] {
		if !other.Can(p) {
			return false
		}
	}
	_, known := rolePerms[r]
	return known
}
