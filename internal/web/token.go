package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) registerTokenRoutes() {
	s.handle("GET /tokens", s.handleTokenIndex)
	s.handle("POST /tokens", s.handleTokenCreate)
	s.handle("POST /tokens/{id}/revoke", s.handleTokenRevoke)
}

type tokenView struct {
	Tokens  []*domain.APIToken
	Roles   []domain.Role
	Created *domain.APIToken // the token just made,
	Secret  string           // and its value, shown this once
	Error   string
	Now     time.Time
}

// tokenCtx scopes the request to the practice in view and checks the user
// is an administrator, who alone manage API tokens.
func (s *Server) tokenCtx(r *http.Request) (context.Context, page, error) {
	ctx, p, err := s.tenantScope(r)
	if err == nil && !p.Session.User.Role.Can(domain.PermManageUsers) {
		err = domain.Errorf(domain.CodeForbidden, "only administrators manage API tokens")
	}
	return ctx, p, err
}

// tokenScope lists the tokens of the practice in view.
func (s *Server) tokenScope(r *http.Request) (*tokenView, page, error) {
	ctx, p, err := s.tokenCtx(r)
	if err != nil {
		return nil, p, err
	}
	v := &tokenView{Roles: domain.Roles(), Now: time.Now()}
	v.Tokens, err = s.st.FindTokens(ctx)
	return v, p, err
}

func (s *Server) handleTokenIndex(w http.ResponseWriter, r *http.Request) {
	v, p, err := s.tokenScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title, p.Data = "API tokens", v
	s.render(w, http.StatusOK, "tokens", p)
}

// handleTokenCreate makes a token for the practice in view; its value is
// shown once and only its hash is kept.
func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tokenCtx(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tok := &domain.APIToken{TenantID: p.Tenant.ID, UserID: p.Session.User.ID, Name: r.PostFormValue("name"), Role: domain.Role(r.PostFormValue("role"))}
	status := http.StatusOK
	var secret string
	switch {
	case !tok.Role.Within(p.Session.User.Role):
		err = domain.Errorf(domain.CodeForbidden, "a token cannot have more rights than you")
	default:
		if days, _ := strconv.Atoi(r.PostFormValue("days")); days > 0 {
			tok.ExpiresAt = time.Now().AddDate(0, 0, days)
		}
		if secret, tok.TokenHash, err = auth.NewAPIToken(); err == nil {
			err = s.st.CreateToken(ctx, tok)
		}
	}
	v, _, verr := s.tokenScope(r)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	if err != nil {
		if c := domain.ErrorCode(err); c != domain.CodeInvalid && c != domain.CodeConflict && c != domain.CodeForbidden {
			s.fail(w, r, err)
			return
		}
		v.Error, status = domain.ErrorMessage(err), http.StatusUnprocessableEntity
	} else {
		v.Created, v.Secret = tok, secret
	}
	p.Title, p.Data = "API tokens", v
	s.render(w, status, "tokens", p)
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tokenCtx(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.st.RevokeToken(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/tokens?tenant="+p.Tenant.Slug, http.StatusSeeOther)
}
