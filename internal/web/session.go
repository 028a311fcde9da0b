package web

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
)

const (
	sessionCookie = "vigil_session"
	loginCookie   = "vigil_login" // the sign-in form's CSRF token, before any session exists
	sessionLife   = 12 * time.Hour
)

type sessionKey struct{}

// sessionFrom returns the signed-in session of the request.
func sessionFrom(ctx context.Context) *domain.Session {
	s, _ := ctx.Value(sessionKey{}).(*domain.Session)
	return s
}

// public paths need no session.
func public(path string) bool {
	return path == "/login" || path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/favicon.ico" || strings.HasPrefix(path, "/static/")
}

// authenticate runs before every route: it loads the session, sends
// strangers to the sign-in page, checks the CSRF token of every
// state-changing request, and holds users with a one-time password at the
// password page.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if isAPI(r.URL.Path) {
		return s.authenticateAPI(w, r)
	}
	if public(r.URL.Path) {
		return r, true
	}
	var sess *domain.Session
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		sess, _ = s.st.FindSession(r.Context(), auth.HashToken(c.Value))
	}
	if sess == nil {
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		} else {
			http.Error(w, "sign in first", http.StatusUnauthorized)
		}
		return r, false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.CSRFToken)) != 1 {
			http.Error(w, "the form is out of date or did not come from Vigil; reload the page and try again", http.StatusForbidden)
			return r, false
		}
	}
	if sess.Pending {
		// Password given, second factor not yet: the code page and
		// signing out are all there is.
		if r.URL.Path != secondFactorPath && r.URL.Path != "/logout" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, secondFactorPath, http.StatusSeeOther)
			} else {
				http.Error(w, "enter your two-factor code first", http.StatusUnauthorized)
			}
			return r, false
		}
	} else if sess.User.MustChangePassword && r.URL.Path != "/password" && r.URL.Path != "/logout" {
		http.Redirect(w, r, "/password", http.StatusSeeOther)
		return r, false
	}
	ctx := domain.WithActor(r.Context(), domain.Actor{Kind: domain.ActorUser, Name: sess.User.Email, IP: clientIP(r), UserAgent: r.UserAgent()})
	return r.WithContext(context.WithValue(ctx, sessionKey{}, sess)), true
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

type loginView struct {
	Email, Next, Error, CSRF string
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginView{Next: r.URL.Query().Get("next")})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) {
	// Reuse the browser's sign-in token when it has one: a second tab, or
	// a background request that lands on this page, must not invalidate a
	// form already shown.
	var token string
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == 43 {
		token = c.Value
	} else if token, err = auth.NewToken(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, loginCookie, token, 3600)
	v.CSRF = token
	s.render(w, status, "login", page{Title: "Sign in", Data: v})
}

// dummyHash is verified against when the address is unknown, so a wrong
// address costs as long as a wrong password.
var dummyHash, _ = auth.HashPassword("vigil dummy password for timing")

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.renderLogin(w, r, http.StatusForbidden, loginView{Error: "The sign-in form expired; please try again."})
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	next := safeNext(r.PostFormValue("next"))
	now := time.Now()
	for _, key := range []string{"email:" + email, "ip:" + clientIP(r)} {
		if locked, until := s.limiter.Locked(key, now); locked {
			s.renderLogin(w, r, http.StatusTooManyRequests, loginView{Email: email, Next: next,
				Error: "Too many failed sign-ins. Try again after " + until.Format("15:04 MST") + "."})
			return
		}
	}
	ctx := domain.WithActor(r.Context(), domain.Actor{Kind: domain.ActorUser, Name: email, IP: clientIP(r), UserAgent: r.UserAgent()})
	u, err := s.st.FindUserByEmail(ctx, email)
	hash := dummyHash
	if err == nil {
		hash = u.PasswordHash
	}
	ok := auth.VerifyPassword(hash, r.PostFormValue("password")) && err == nil && !u.Disabled
	if !ok {
		s.limiter.Fail("email:"+email, now)
		s.limiter.Fail("ip:"+clientIP(r), now)
		s.log.Info("sign-in failed", "email", email, "ip", clientIP(r))
		s.renderLogin(w, r, http.StatusUnauthorized, loginView{Email: email, Next: next, Error: "Wrong e-mail address or password."})
		return
	}
	if u.TOTPEnabled {
		// The failures are forgotten only once the code is right too.
		s.beginSecondFactor(ctx, w, r, u, next)
		return
	}
	s.limiter.Reset("email:" + email)
	if err := s.startSession(ctx, w, r, u, false); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, loginCookie, "", -1)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext keeps a post-sign-in destination on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/dashboard"
	}
	return next
}

// startSession creates a session for u and sets its cookie. A pending one
// (second factor still to come) lives only a few minutes.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, u *domain.User, pending bool) error {
	token, err := auth.NewToken()
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken()
	if err != nil {
		return err
	}
	life := sessionLife
	if pending {
		life = pendingLife
	}
	sess := &domain.Session{TokenHash: auth.HashToken(token), User: u, TenantID: u.TenantID, CSRFToken: csrf,
		IP: clientIP(r), UserAgent: r.UserAgent(), Pending: pending, ExpiresAt: time.Now().Add(life)}
	if err := s.st.CreateSession(ctx, sess); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, token, int(life/time.Second))
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if sess := sessionFrom(r.Context()); sess != nil {
		if err := s.st.DeleteSession(r.Context(), sess.TokenHash); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type passwordView struct {
	Error string
	Must  bool
}

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	s.render(w, http.StatusOK, "password", s.page(r, "Change password", passwordView{Must: sess.User.MustChangePassword}))
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	u := *sess.User
	fail := func(msg string) {
		s.render(w, http.StatusBadRequest, "password", s.page(r, "Change password", passwordView{Error: msg, Must: u.MustChangePassword}))
	}
	if !auth.VerifyPassword(u.PasswordHash, r.PostFormValue("current")) {
		fail("The current password is wrong.")
		return
	}
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		fail("The two new passwords differ.")
		return
	}
	if r.PostFormValue("new") == r.PostFormValue("current") {
		fail("Choose a password different from the current one.")
		return
	}
	hash, err := auth.HashPassword(r.PostFormValue("new"))
	if err != nil {
		fail(domain.ErrorMessage(err) + ".")
		return
	}
	u.PasswordHash, u.MustChangePassword = hash, false
	if err := s.st.UpdateUser(r.Context(), &u); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}
