package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) registerUserRoutes() {
	s.handle("GET /users", s.handleUserIndex)
	s.handle("POST /users", s.handleUserCreate)
	s.handle("POST /users/{id}/disable", s.handleUserDisable)
	s.handle("POST /users/{id}/enable", s.handleUserDisable)
}

type userView struct {
	Practice []*domain.User
	Provider []*domain.User // provider staff; only provider administrators see them
	Roles    []domain.Role
	Created  *domain.User // the account just added,
	Password string       // and its one-time password, shown this once
	Error    string
	Form     map[string]string
}

// userScope checks the user may manage accounts and returns the practice
// scope and, for provider administrators, the provider's scope.
func (s *Server) userScope(r *http.Request) (practice context.Context, provider context.Context, p page, err error) {
	practice, p, err = s.tenantScope(r)
	if err != nil {
		return nil, nil, p, err
	}
	if !p.Session.User.Role.Can(domain.PermManageUsers) {
		return nil, nil, p, domain.Errorf(domain.CodeForbidden, "only administrators manage users")
	}
	if p.Session.User.TenantID == 0 {
		provider = r.Context() // no practice on it: the provider's own staff
	}
	return practice, provider, p, nil
}

func (s *Server) userView(practice, provider context.Context, v *userView) error {
	var err error
	if v.Practice, err = s.st.FindUsers(practice); err != nil {
		return err
	}
	if provider != nil {
		if v.Provider, err = s.st.FindUsers(provider); err != nil {
			return err
		}
	}
	v.Roles = domain.Roles()
	return nil
}

func (s *Server) handleUserIndex(w http.ResponseWriter, r *http.Request) {
	practice, provider, p, err := s.userScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &userView{}
	if err := s.userView(practice, provider, v); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title, p.Data = "Users", v
	s.render(w, http.StatusOK, "users", p)
}

// handleUserCreate adds an account with a one-time password shown once.
func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	practice, provider, p, err := s.userScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &userView{Form: map[string]string{"email": r.PostFormValue("email"), "name": r.PostFormValue("name"), "role": r.PostFormValue("role"), "scope": r.PostFormValue("scope")}}
	ctx, tid := practice, p.Tenant.ID
	if r.PostFormValue("scope") == "provider" {
		if provider == nil {
			s.fail(w, r, domain.Errorf(domain.CodeForbidden, "only provider administrators add provider staff"))
			return
		}
		ctx, tid = provider, 0
	}
	pw, err := auth.OneTimePassword()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := &domain.User{TenantID: tid, Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: domain.Role(r.PostFormValue("role")),
		PasswordHash: hash, MustChangePassword: true}
	status := http.StatusOK
	if err := s.st.CreateUser(ctx, u); err != nil {
		if c := domain.ErrorCode(err); c != domain.CodeInvalid && c != domain.CodeConflict {
			s.fail(w, r, err)
			return
		}
		v.Error, status = domain.ErrorMessage(err), http.StatusUnprocessableEntity
	} else {
		v.Created, v.Password, v.Form = u, pw, nil
	}
	if err := s.userView(practice, provider, v); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title, p.Data = "Users", v
	s.render(w, status, "users", p)
}

// handleUserDisable turns an account off or on again; nobody turns off
// their own.
func (s *Server) handleUserDisable(w http.ResponseWriter, r *http.Request) {
	practice, provider, p, err := s.userScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var target *domain.User
	ctx := practice
	for _, scope := range []context.Context{practice, provider} {
		if scope == nil {
			continue
		}
		users, err := s.st.FindUsers(scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range users {
			if u.ID == id {
				target, ctx = u, scope
			}
		}
	}
	if target == nil {
		s.fail(w, r, domain.Errorf(domain.CodeNotFound, "no user %d here", id))
		return
	}
	if target.ID == p.Session.User.ID {
		s.fail(w, r, domain.Errorf(domain.CodeInvalid, "you cannot turn off your own account"))
		return
	}
	target.Disabled = r.URL.Path == "/users/"+r.PathValue("id")+"/disable"
	if err := s.st.UpdateUser(ctx, target); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users?tenant="+p.Tenant.Slug, http.StatusSeeOther)
}
