package web

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
)

// apiToken is an API token in the API's JSON form: never its hash, and the
// token itself only in the answer to its creation.
type apiToken struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Role       domain.Role `json:"role"`
	TenantID   int64       `json:"tenant_id"` // 0: provider-wide
	UserID     int64       `json:"user_id"`   // who created it; 0: the command line
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  *time.Time  `json:"expires_at"` // null: never
	LastUsedAt *time.Time  `json:"last_used_at"`
	Revoked    bool        `json:"revoked"`
	Token      string      `json:"token,omitempty"`
}

func tokenJSON(t *domain.APIToken) apiToken {
	out := apiToken{ID: t.ID, Name: t.Name, Role: t.Role, TenantID: t.TenantID, UserID: t.UserID, CreatedAt: t.CreatedAt, Revoked: t.Revoked}
	if !t.ExpiresAt.IsZero() {
		out.ExpiresAt = &t.ExpiresAt
	}
	if !t.LastUsedAt.IsZero() {
		out.LastUsedAt = &t.LastUsedAt
	}
	return out
}

// handleAPITokenIndex lists the tokens of the chosen practice, or the
// provider-wide ones when no practice is chosen.
func (s *Server) handleAPITokenIndex(w http.ResponseWriter, c *apiCall) error {
	all, err := s.st.FindTokens(c.ctx)
	if err != nil {
		return err
	}
	items := make([]apiToken, len(all))
	for i, t := range all {
		items[i] = tokenJSON(t)
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}

// handleAPITokenCreate makes a token for the chosen practice, or a
// provider-wide one when none is chosen (which only a provider-wide
// credential can do). A token never gets a right its creator lacks.
func (s *Server) handleAPITokenCreate(w http.ResponseWriter, c *apiCall) error {
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	v, err := stringMembers(members, "name", "role", "expires_at")
	if err != nil {
		return err
	}
	t := &domain.APIToken{Name: v["name"], UserID: c.caller.userID}
	if c.tenant != nil {
		t.TenantID = c.tenant.ID
	}
	var problems []domain.Problem
	if name := strings.Join(strings.Fields(t.Name), " "); name == "" || utf8.RuneCountInString(name) > 100 {
		problems = append(problems, bodyProblem([]string{"name"}, "name", "a token needs a name of at most 100 characters saying what uses it"))
	}
	role, err := domain.ParseRole(v["role"])
	if err != nil {
		problems = append(problems, bodyProblem([]string{"role"}, "role", domain.ErrorMessage(err)))
	}
	t.Role = role
	if e := v["expires_at"]; e != "" {
		at, ok := parseInstant(e)
		if !ok || !at.After(domain.Now(c.ctx)) {
			problems = append(problems, bodyProblem([]string{"expires_at"}, "expires_at", "expected a future time in RFC 3339 form (2026-12-31T23:59:59Z)"))
		}
		t.ExpiresAt = at.UTC()
	}
	if err := invalid(problems); err != nil {
		return err
	}
	if !role.Within(c.caller.role) {
		return domain.Errorf(domain.CodeForbidden, "a %s cannot create a %s token: a token never has more rights than its creator", c.caller.role, role)
	}
	if err := t.Validate(); err != nil { // the name is checked: the role does not fit the scope
		return invalid([]domain.Problem{bodyProblem([]string{"role"}, "role", domain.ErrorMessage(err))})
	}
	token, hash, err := auth.NewAPIToken()
	if err != nil {
		return err
	}
	t.TokenHash = hash
	if err := s.st.CreateToken(c.ctx, t); err != nil {
		return err
	}
	out := tokenJSON(t)
	out.Token = token
	return writeJSON(w, http.StatusCreated, out)
}

// handleAPITokenDelete revokes a token of the chosen practice (any token
// in the provider's scope).
func (s *Server) handleAPITokenDelete(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "token")
	if err != nil {
		return err
	}
	if err := s.st.RevokeToken(c.ctx, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
