package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
)

// apiCaller is who is calling the API: an API token, or a person signed in
// to the console whose browser sends its session cookie.
type apiCaller struct {
	role     domain.Role
	tenantID int64          // 0: provider-wide
	tenant   *domain.Tenant // the practice of a practice credential
	userID   int64          // the person, or the creator of the token; 0 for a command-line token
}

type callerKey struct{}

func callerFrom(ctx context.Context) *apiCaller {
	c, _ := ctx.Value(callerKey{}).(*apiCaller)
	return c
}

// csrfHeader carries the session's CSRF token on state-changing API
// requests made with a session cookie (a JSON body has no form field).
const csrfHeader = "X-CSRF-Token"

// isAPI reports whether path belongs to the REST API.
func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// authenticateAPI identifies an API request: a bearer token, or else a
// session cookie (then state-changing requests need the session's CSRF
// token in the X-CSRF-Token header). Failures are problem documents;
// nothing under /api/ is ever redirected to the sign-in page.
func (s *Server) authenticateAPI(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if s.apiPublic[r.URL.Path] {
		return r, true
	}
	ctx := r.Context()
	var caller *apiCaller
	var actor domain.Actor
	if h := r.Header.Get("Authorization"); h != "" {
		deny := func(detail string) (*http.Request, bool) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigil", error="invalid_token"`)
			s.apiProblem(w, r, 0, domain.Errorf(domain.CodeUnauthorized, "%s", detail))
			return r, false
		}
		token, ok := auth.BearerToken(h)
		if !ok {
			return deny("the Authorization header must be \"Bearer vgl_…\" with a Vigil API token")
		}
		t, err := s.st.FindTokenByHash(ctx, auth.HashToken(token))
		switch {
		case domain.ErrorCode(err) == domain.CodeNotFound:
			return deny("the API token is unknown, revoked or expired")
		case err != nil:
			s.apiProblem(w, r, 0, err)
			return r, false
		}
		caller = &apiCaller{role: t.Role, tenantID: t.TenantID, userID: t.UserID}
		actor = t.Actor()
	} else {
		var sess *domain.Session
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, _ = s.st.FindSession(ctx, auth.HashToken(c.Value))
		}
		if sess == nil {
			s.apiProblem(w, r, 0, domain.Errorf(domain.CodeUnauthorized, "send an API token: Authorization: Bearer vgl_… (create one with `vigil token create`)"))
			return r, false
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(sess.CSRFToken)) != 1 {
			s.apiProblem(w, r, 0, domain.Errorf(domain.CodeForbidden, "a request with the session cookie that changes something needs the session's CSRF token in the %s header", csrfHeader))
			return r, false
		}
		if sess.User.MustChangePassword {
			s.apiProblem(w, r, 0, domain.Errorf(domain.CodeForbidden, "replace your one-time password in the console first"))
			return r, false
		}
		caller = &apiCaller{role: sess.User.Role, tenantID: sess.User.TenantID, userID: sess.User.ID}
		actor = domain.Actor{Kind: domain.ActorUser, Name: sess.User.Email}
	}
	if caller.tenantID != 0 {
		// A practice credential is only as good as its practice.
		t, err := s.st.FindTenant(ctx, strconv.FormatInt(caller.tenantID, 10))
		switch {
		case domain.ErrorCode(err) == domain.CodeNotFound:
			if r.Header.Get("Authorization") != "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="vigil", error="invalid_token"`)
			}
			s.apiProblem(w, r, 0, domain.Errorf(domain.CodeUnauthorized, "the credential's practice no longer exists"))
			return r, false
		case err != nil:
			s.apiProblem(w, r, 0, err)
			return r, false
		}
		caller.tenant = t
	}
	actor.IP, actor.UserAgent = clientIP(r), r.UserAgent()
	ctx = domain.WithActor(ctx, actor)
	return r.WithContext(context.WithValue(ctx, callerKey{}, caller)), true
}
