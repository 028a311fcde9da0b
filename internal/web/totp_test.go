package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/qr"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
	"github.com/vigil-med/vigil/internal/vigiltest"
	"github.com/vigil-med/vigil/internal/web"
)

// clock is the server's time for second-factor codes, in Unix seconds,
// moved by the test so codes of later steps can be made at will.
type clock struct{ unix atomic.Int64 }

func (c *clock) now() time.Time { return time.Unix(c.unix.Load(), 0) }

// next moves the clock to the next 30-second step.
func (c *clock) next() { c.unix.Add(30) }

func setClock(ts *httptest.Server) *clock {
	c := &clock{}
	c.unix.Store(time.Date(2026, 3, 2, 9, 0, 10, 0, time.UTC).Unix()) // 10 s into a step
	ts.Config.Handler.(*web.Server).SetClock(c.now)
	return c
}

func code(t *testing.T, secret string, c *clock) string {
	t.Helper()
	s, err := auth.TOTP(secret, c.now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wrongCode returns a code no step within the drift window accepts.
func wrongCode(t *testing.T, secret string, c *clock) string {
	t.Helper()
	bad := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		s, _ := auth.TOTP(secret, c.now().Add(d))
		bad[s] = true
	}
	for i := 0; ; i++ {
		if s := fmt.Sprintf("%06d", i*111111%1000000); !bad[s] {
			return s
		}
	}
}

// postDoc posts a form and parses the page that comes back.
func (b *browser) postDoc(path string, form url.Values) (*http.Response, *html.Node) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, b.parse(resp)
}

// errorText is the page's alert message.
func errorText(doc *html.Node) string {
	for _, p := range find(doc, "p", "error") {
		return strings.TrimSpace(text(p))
	}
	return ""
}

// enableTOTP turns on the second factor for a user through the store and
// returns the secret.
func enableTOTP(t *testing.T, st *sqlstore.Store, email string) string {
	t.Helper()
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.FindUserByEmail(vigiltest.Context(0), email)
	if err != nil {
		t.Fatal(err)
	}
	u.TOTPSecret, u.TOTPEnabled = secret, true
	if err := st.UpdateUser(vigiltest.Context(0), u); err != nil {
		t.Fatal(err)
	}
	return secret
}

// signInWithCode signs in through both steps.
func signInWithCode(t *testing.T, base, email, secret string, c *clock) *browser {
	t.Helper()
	b := newBrowser(t, base)
	if resp := b.signIn(email, password); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login/totp") {
		t.Fatalf("password step: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc := b.get("/login/totp?next=%2Fdevices")
	resp := b.post("/login/totp", url.Values{"csrf": {inputValue(doc, "csrf")}, "next": {inputValue(doc, "next")}, "code": {code(t, secret, c)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/devices" {
		t.Fatalf("code step: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return b
}

// Ensure a user sets up two-factor sign-in from the QR code and key on the
// page, confirmed by a code; afterwards signing in takes the password and
// then a code, the pending state reaches nothing else, and a code is good
// once.
func TestTOTP_EnrolAndSignIn(t *testing.T) {
	ts, st, ids := setup(t)
	c := setClock(ts)
	const email = "nurse@alpha.example"
	b := signedIn(t, ts.URL, email)
	_, doc := b.get("/devices")
	linked := false
	for _, a := range find(doc, "a", "") {
		linked = linked || attr(a, "href") == "/account/totp"
	}
	if !linked {
		t.Fatal("the layout has no link to the two-factor page")
	}
	csrf := inputValue(doc, "csrf")
	if resp := b.post("/account/totp", url.Values{"csrf": {csrf}, "action": {"begin"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("begin: %d", resp.StatusCode)
	}
	resp, doc := b.get("/account/totp")
	secrets := find(doc, "code", "totp-secret")
	if resp.StatusCode != 200 || len(secrets) != 1 {
		t.Fatalf("enrolment page: %d, %d secrets shown", resp.StatusCode, len(secrets))
	}
	secret := strings.ReplaceAll(text(secrets[0]), " ", "")
	// The QR code on the page is the symbol of the otpauth URI.
	figs := find(doc, "figure", "qr")
	if len(figs) != 1 || len(find(figs[0], "path", "")) != 1 {
		t.Fatal("no QR code on the enrolment page")
	}
	want, err := qr.Encode([]byte(auth.TOTPURI(secret, email)), qr.M)
	if err != nil {
		t.Fatal(err)
	}
	if d := attr(find(figs[0], "path", "")[0], "d"); !strings.Contains(want.SVG(0), `d="`+d+`"`) {
		t.Fatal("the QR code on the page is not the otpauth URI's")
	}
	if len(find(figs[0], "svg", "")) != 1 || strings.Contains(attr(find(figs[0], "svg", "")[0], "style"), ":") {
		t.Fatal("the QR code is not an inline SVG without style")
	}

	resp, doc = b.postDoc("/account/totp", url.Values{"csrf": {csrf}, "action": {"enable"}, "code": {wrongCode(t, secret, c)}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errorText(doc), "not right") {
		t.Fatalf("wrong code at enrolment: %d %q", resp.StatusCode, errorText(doc))
	}
	if u, _ := st.FindUserByEmail(vigiltest.Context(0), email); u.TOTPEnabled || u.TOTPSecret != secret {
		t.Fatalf("after a wrong code: enabled %v", u.TOTPEnabled)
	}
	enrolCode := code(t, secret, c)
	if resp := b.post("/account/totp", url.Values{"csrf": {csrf}, "action": {"enable"}, "code": {enrolCode}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if u, _ := st.FindUserByEmail(vigiltest.Context(0), email); !u.TOTPEnabled {
		t.Fatal("not enabled after the right code")
	}
	_, doc = b.get("/account/totp")
	if !strings.Contains(text(doc), "is on") || len(find(doc, "code", "totp-secret")) != 0 || len(find(doc, "figure", "qr")) != 0 {
		t.Fatal("the page still shows the key once enabled")
	}
	tid := tenantOf(t, st, "alpha-clinic")
	events, _ := st.FindAuditEvents(vigiltest.Context(tid), domain.AuditFilter{ObjectType: "user"})
	var trail strings.Builder
	for _, e := range events {
		trail.WriteString(string(e.Before) + string(e.After) + "\n")
	}
	if strings.Contains(trail.String(), secret) || !strings.Contains(trail.String(), `"totp_enabled":true`) ||
		events[len(events)-1].Actor.Name != email {
		t.Fatalf("audit trail:\n%s", trail.String())
	}
	if resp := b.post("/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}

	// Signing in now stops at the code.
	p := newBrowser(t, ts.URL)
	resp = p.signIn(email, password)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/totp?next=%2Fdevices" {
		t.Fatalf("password step: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{"/devices", "/devices/" + itoa(ids["alpha-clinic"]), "/account/totp", "/password", "/"} {
		if resp, _ := p.get(path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/totp" {
			t.Errorf("pending GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, doc = p.get("/login/totp?next=%2Fdevices")
	if resp.StatusCode != 200 || len(find(doc, "form", "account")) != 0 {
		t.Fatalf("code page: %d (or it shows the account header)", resp.StatusCode)
	}
	pcsrf := inputValue(doc, "csrf")
	for path, form := range map[string]url.Values{
		"/account/totp":                         {"csrf": {pcsrf}, "action": {"disable"}, "password": {password}, "code": {enrolCode}},
		"/password":                             {"csrf": {pcsrf}, "current": {password}, "new": {"another passphrase"}, "confirm": {"another passphrase"}},
		"/devices/" + itoa(ids["alpha-clinic"]): {"csrf": {pcsrf}, "firmware": {"9"}},
	} {
		if resp := p.post(path, form); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("pending POST %s: %d, want 401", path, resp.StatusCode)
		}
	}
	// The code that confirmed the enrolment is spent.
	resp, doc = p.postDoc("/login/totp", url.Values{"csrf": {pcsrf}, "next": {"/devices"}, "code": {enrolCode}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(errorText(doc), "used already") {
		t.Fatalf("replayed code: %d %q", resp.StatusCode, errorText(doc))
	}
	c.next()
	signInCode := code(t, secret, c)
	resp = p.post("/login/totp", url.Values{"csrf": {pcsrf}, "next": {"/devices"}, "code": {signInCode}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/devices" {
		t.Fatalf("right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := p.get("/devices"); resp.StatusCode != 200 {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	if resp, _ := p.get("/login/totp"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/devices" {
		t.Fatalf("code page once signed in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	signIns, _ := st.FindAuditEvents(vigiltest.Context(tid), domain.AuditFilter{Action: "user.sign_in"})
	if len(signIns) != 2 {
		t.Fatalf("%d sign-in events, want 2 (the pending step is not a sign-in)", len(signIns))
	}
	// Someone who saw that code cannot use it again, even with the password.
	q := newBrowser(t, ts.URL)
	q.signIn(email, password)
	_, doc = q.get("/login/totp")
	if resp := q.post("/login/totp", url.Values{"csrf": {inputValue(doc, "csrf")}, "code": {signInCode}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the same code in another browser: %d", resp.StatusCode)
	}
	// Cancel at the code page signs out.
	if resp := q.post("/logout", url.Values{"csrf": {inputValue(doc, "csrf")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	if resp, _ := q.get("/login/totp"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("code page after cancel: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Ensure wrong codes count toward the sign-in lockout, a right password
// does not forgive them, and a locked-out pending session ends.
func TestTOTP_WrongCodesLockOut(t *testing.T) {
	ts, st, _ := setup(t)
	c := setClock(ts)
	const email = "nurse@beta.example"
	secret := enableTOTP(t, st, email)
	b := newBrowser(t, ts.URL)
	b.signIn(email, password)
	_, doc := b.get("/login/totp")
	csrf := inputValue(doc, "csrf")
	wrong := url.Values{"csrf": {csrf}, "code": {wrongCode(t, secret, c)}}
	for i := 0; i < 4; i++ {
		if resp := b.post("/login/totp", wrong); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, resp.StatusCode)
		}
	}
	// The password again: a new pending session, the failures remembered.
	if resp := b.signIn(email, password); !strings.HasPrefix(resp.Header.Get("Location"), "/login/totp") {
		t.Fatalf("password again: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.get("/login/totp")
	csrf = inputValue(doc, "csrf")
	if resp := b.post("/login/totp", url.Values{"csrf": {csrf}, "code": {wrongCode(t, secret, c)}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("fifth wrong code: %d", resp.StatusCode)
	}
	resp, doc := b.postDoc("/login/totp", url.Values{"csrf": {csrf}, "code": {code(t, secret, c)}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(errorText(doc), "Too many") {
		t.Fatalf("right code after five wrong ones: %d %q, want 429", resp.StatusCode, errorText(doc))
	}
	if resp, _ := b.get("/devices"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("after the lockout the pending session lives on: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := b.signIn(email, password); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("password during the lockout: %d", resp.StatusCode)
	}
}

// Ensure turning two-factor sign-in off takes the password and a fresh
// code, and afterwards the password alone signs in.
func TestTOTP_Disable(t *testing.T) {
	ts, st, _ := setup(t)
	c := setClock(ts)
	const email = "tech@alpha-clinic.example"
	secret := enableTOTP(t, st, email)
	b := signInWithCode(t, ts.URL, email, secret, c)
	_, doc := b.get("/account/totp")
	csrf := inputValue(doc, "csrf")
	c.next()
	for _, tc := range []struct {
		name, password, code, want string
	}{
		{"ErrPassword", "not the password", code(t, secret, c), "password is wrong"},
		{"ErrCode", password, wrongCode(t, secret, c), "not right"},
		{"ErrEmpty", password, "", "not right"},
	} {
		resp, doc := b.postDoc("/account/totp", url.Values{"csrf": {csrf}, "action": {"disable"}, "password": {tc.password}, "code": {tc.code}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errorText(doc), tc.want) {
			t.Fatalf("%s: %d %q", tc.name, resp.StatusCode, errorText(doc))
		}
	}
	if u, _ := st.FindUserByEmail(vigiltest.Context(0), email); !u.TOTPEnabled {
		t.Fatal("turned off by a refused form")
	}
	if resp := b.post("/account/totp", url.Values{"csrf": {csrf}, "action": {"disable"}, "password": {password}, "code": {code(t, secret, c)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if u, _ := st.FindUserByEmail(vigiltest.Context(0), email); u.TOTPEnabled || u.TOTPSecret != "" {
		t.Fatalf("after disable: enabled %v, secret kept %v", u.TOTPEnabled, u.TOTPSecret != "")
	}
	_, doc = b.get("/account/totp")
	if !strings.Contains(text(doc), "is off") {
		t.Fatal("the page does not say it is off")
	}
	signedIn(t, ts.URL, email) // the password alone again
}

// Ensure a reset by an administrator while a user waits at the code page
// sends them back to sign in with the password alone.
func TestTOTP_ResetWhilePending(t *testing.T) {
	ts, st, _ := setup(t)
	setClock(ts)
	const email = "nurse@alpha.example"
	enableTOTP(t, st, email)
	b := newBrowser(t, ts.URL)
	b.signIn(email, password)
	_, doc := b.get("/login/totp")
	u, _ := st.FindUserByEmail(vigiltest.Context(0), email)
	u.TOTPEnabled, u.TOTPSecret = false, ""
	if err := st.UpdateUser(vigiltest.Context(0), u); err != nil {
		t.Fatal(err)
	}
	if resp := b.post("/login/totp", url.Values{"csrf": {inputValue(doc, "csrf")}, "code": {"123456"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("code after a reset: %d", resp.StatusCode)
	}
	signedIn(t, ts.URL, email)
}
