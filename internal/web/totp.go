package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/qr"
)

// The TOTP second factor: the account page where a signed-in user sets it
// up (a QR code drawn by Vigil, and the key to type in by hand) or turns
// it off, and the code step of signing in. After a right password a user
// with two-factor sign-in gets a pending session, kept in the store like
// any other so replicas share it, that reaches only the code page and
// lives a few minutes; the right code replaces it with a full session
// under a new token.

const (
	secondFactorPath = "/login/totp"
	pendingLife      = 5 * time.Minute
	qrModulePixels   = 4 // CSS pixels per QR module on the page
)

func (s *Server) registerTOTPRoutes() {
	s.handle("GET /account/totp", s.handleTOTPPage)
	s.handle("POST /account/totp", s.handleTOTP)
	s.handle("GET "+secondFactorPath, s.handleSecondFactorForm)
	s.handle("POST "+secondFactorPath, s.handleSecondFactor)
}

// now is the time codes are checked against.
func (s *Server) now() time.Time {
	if f := s.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

type totpView struct {
	Enabled bool
	Pending bool          // a key is issued and waits for its first code
	QR      template.HTML // the otpauth URI as an SVG QR code
	Secret  string        // the key in groups of four, for typing in
	Error   string
}

func (s *Server) handleTOTPPage(w http.ResponseWriter, r *http.Request) {
	s.renderTOTP(w, r, http.StatusOK, "")
}

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u := sessionFrom(r.Context()).User
	v := totpView{Enabled: u.TOTPEnabled, Pending: !u.TOTPEnabled && u.TOTPSecret != "", Error: msg}
	if v.Pending {
		code, err := qr.Encode([]byte(auth.TOTPURI(u.TOTPSecret, u.Email)), qr.M)
		if err != nil {
			// Only an address of some hundred characters is too long for
			// the largest symbol drawn; the key can still be typed in.
			s.log.Warn("two-factor QR code not drawn", "email", u.Email, "err", err)
		} else {
			// The SVG is built by package qr from numbers alone.
			v.QR = template.HTML(code.SVG((code.Size + 2*qr.QuietZone) * qrModulePixels))
		}
		v.Secret = auth.GroupSecret(u.TOTPSecret)
	}
	s.render(w, status, "totp", s.page(r, "Two-factor sign-in", v))
}

// handleTOTP sets up, confirms or turns off the second factor, by the
// form's action: begin (issue a new key), enable (confirm it with a code),
// disable (with the password and a code).
func (s *Server) handleTOTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := *sessionFrom(ctx).User
	switch r.PostFormValue("action") {
	case "begin":
		if u.TOTPEnabled {
			s.renderTOTP(w, r, http.StatusConflict, "Two-factor sign-in is already on; turn it off first to use a new key.")
			return
		}
		secret, err := auth.NewTOTPSecret()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		u.TOTPSecret = secret
	case "enable":
		if u.TOTPEnabled || u.TOTPSecret == "" {
			http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			return
		}
		if msg := s.checkCode(ctx, &u, r.PostFormValue("code")); msg != "" {
			s.renderTOTP(w, r, http.StatusBadRequest, msg)
			return
		}
		u.TOTPEnabled = true
	case "disable":
		if !u.TOTPEnabled {
			http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			return
		}
		// Someone at an unattended signed-in browser must not be able to
		// guess their way through: failures count toward the lockout.
		key := "email:" + u.Email
		now := time.Now()
		if locked, until := s.limiter.Locked(key, now); locked {
			s.renderTOTP(w, r, http.StatusTooManyRequests, "Too many failed attempts. Try again after "+until.Format("15:04 MST")+".")
			return
		}
		if !auth.VerifyPassword(u.PasswordHash, r.PostFormValue("password")) {
			s.limiter.Fail(key, now)
			s.renderTOTP(w, r, http.StatusBadRequest, "The password is wrong.")
			return
		}
		if msg := s.checkCode(ctx, &u, r.PostFormValue("code")); msg != "" {
			s.limiter.Fail(key, now)
			s.renderTOTP(w, r, http.StatusBadRequest, msg)
			return
		}
		u.TOTPEnabled, u.TOTPSecret = false, ""
	default:
		s.renderTOTP(w, r, http.StatusBadRequest, "Unknown action.")
		return
	}
	if err := s.st.UpdateUser(ctx, &u); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
}

// checkCode verifies a code against u's key and records its step so it
// cannot be used again; it returns what to tell the user, or "".
func (s *Server) checkCode(ctx context.Context, u *domain.User, code string) string {
	step, err := auth.VerifyTOTP(u.TOTPSecret, code, u.TOTPLastStep, s.now())
	if err != nil {
		return sentence(err.Error())
	}
	if err := s.st.RecordTOTPStep(ctx, u.ID, step); err != nil {
		if domain.ErrorCode(err) == domain.CodeConflict { // another request took the step first
			return sentence(auth.ErrTOTPUsed.Error())
		}
		s.log.Error("recording a two-factor step failed", "email", u.Email, "err", err)
		return "The code could not be checked; try again."
	}
	u.TOTPLastStep = step
	return ""
}

// beginSecondFactor follows a right password for a user with two-factor
// sign-in: a pending session, then the code page.
func (s *Server) beginSecondFactor(ctx context.Context, w http.ResponseWriter, r *http.Request, u *domain.User, next string) {
	if err := s.startSession(ctx, w, r, u, true); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, loginCookie, "", -1)
	http.Redirect(w, r, secondFactorPath+"?next="+url.QueryEscape(next), http.StatusSeeOther)
}

type secondFactorView struct {
	CSRF, Next, Error string
}

func (s *Server) handleSecondFactorForm(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	if !sess.Pending {
		http.Redirect(w, r, "/devices", http.StatusSeeOther)
		return
	}
	s.renderSecondFactor(w, http.StatusOK, secondFactorView{CSRF: sess.CSRFToken, Next: safeNext(r.URL.Query().Get("next"))})
}

// renderSecondFactor shows the code page; like the sign-in page it has no
// account header, since the user is not signed in yet.
func (s *Server) renderSecondFactor(w http.ResponseWriter, status int, v secondFactorView) {
	s.render(w, status, "login_totp", page{Title: "Two-factor sign-in", Data: v})
}

// handleSecondFactor checks the code of a pending session. Wrong codes
// count toward the same lockout as wrong passwords; once locked out, the
// pending session ends and signing in starts again.
func (s *Server) handleSecondFactor(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := sessionFrom(ctx)
	if !sess.Pending {
		http.Redirect(w, r, "/devices", http.StatusSeeOther)
		return
	}
	u := sess.User
	next := safeNext(r.PostFormValue("next"))
	v := secondFactorView{CSRF: sess.CSRFToken, Next: next}
	restart := func(status int, msg string) {
		if err := s.st.DeleteSession(ctx, sess.TokenHash); err != nil {
			s.fail(w, r, err)
			return
		}
		s.setCookie(w, r, sessionCookie, "", -1)
		s.renderLogin(w, r, status, loginView{Email: u.Email, Next: next, Error: msg})
	}
	now := time.Now()
	keys := []string{"email:" + u.Email, "ip:" + clientIP(r)}
	for _, key := range keys {
		if locked, until := s.limiter.Locked(key, now); locked {
			restart(http.StatusTooManyRequests, "Too many failed sign-ins. Try again after "+until.Format("15:04 MST")+".")
			return
		}
	}
	if !u.TOTPEnabled {
		// Reset by an administrator meanwhile: the password alone will do.
		restart(http.StatusUnauthorized, "Two-factor sign-in was turned off for your account; sign in again.")
		return
	}
	if msg := s.checkCode(ctx, u, r.PostFormValue("code")); msg != "" {
		for _, key := range keys {
			s.limiter.Fail(key, now)
		}
		s.log.Info("two-factor sign-in failed", "email", u.Email, "ip", clientIP(r))
		v.Error = msg
		s.renderSecondFactor(w, http.StatusUnauthorized, v)
		return
	}
	s.limiter.Reset(keys[0])
	if err := s.st.DeleteSession(ctx, sess.TokenHash); err != nil {
		s.fail(w, r, err)
		return
	}
	// A new token for the signed-in session: whoever saw the pending
	// one's cookie gains nothing.
	if err := s.startSession(ctx, w, r, u, false); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// sentence capitalises a message and ends it with a full stop.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}
