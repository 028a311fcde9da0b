package web_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
	"github.com/vigil-med/vigil/internal/vigiltest"
	"github.com/vigil-med/vigil/internal/web"
)

const password = "a sound passphrase"

func setup(t *testing.T) (*httptest.Server, *sqlstore.Store, map[string]int64) {
	t.Helper()
	st := vigiltest.MustOpenSQLite(t)
	ids := map[string]int64{}
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(vigiltest.Context(0), &domain.User{Email: "boss@msp.example", Role: domain.RoleProviderAdmin, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ tenant, name, user string }{{"Alpha Clinic", "<script>alert(1)</script> pump", "nurse@alpha.example"}, {"Beta Clinic", "Beta monitor", "nurse@beta.example"}} {
		tn := &domain.Tenant{Name: p.tenant}
		if err := st.CreateTenant(vigiltest.Context(0), tn); err != nil {
			t.Fatal(err)
		}
		ctx := vigiltest.Context(tn.ID)
		if err := st.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(ctx, &domain.User{Email: p.user, Role: domain.RoleViewer, TenantID: tn.ID, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(ctx, &domain.User{Email: "tech@" + tn.Slug + ".example", Role: domain.RoleTechnician, TenantID: tn.ID, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		d := &domain.Device{}
		for f, v := range map[domain.Field]string{domain.FieldName: p.name, domain.FieldSerial: "S-" + tn.Slug, domain.FieldCategory: "infusion", domain.FieldManufacturer: "BD"} {
			if err := d.Set(f, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
			t.Fatal(err)
		}
		ids[tn.Slug] = d.ID
	}
	srv, err := web.NewServer(st, slog.New(slog.NewTextHandler(testLog{t}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, st, ids
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t, base, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, *html.Node) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, b.parse(resp)
}

// parse reads and closes the body of resp as HTML.
func (b *browser) parse(resp *http.Response) *html.Node {
	b.t.Helper()
	defer resp.Body.Close()
	doc, err := html.Parse(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return doc
}

func (b *browser) post(path string, form url.Values) *http.Response {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// inputValue returns the value of the form input named name.
func inputValue(doc *html.Node, name string) string {
	for _, in := range find(doc, "input", "") {
		if attr(in, "name") == name {
			return attr(in, "value")
		}
	}
	return ""
}

// signIn signs in through the form and returns the session's CSRF token.
func (b *browser) signIn(email, pw string) *http.Response {
	b.t.Helper()
	_, doc := b.get("/login")
	return b.post("/login", url.Values{"csrf": {inputValue(doc, "csrf")}, "email": {email}, "password": {pw}, "next": {"/devices"}})
}

func signedIn(t *testing.T, base, email string) *browser {
	t.Helper()
	b := newBrowser(t, base)
	if resp := b.signIn(email, password); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/devices" {
		t.Fatalf("sign in as %s: %d %s", email, resp.StatusCode, resp.Header.Get("Location"))
	}
	return b
}

// find returns the elements with the tag whose class (if given) matches.
func find(n *html.Node, tag, class string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			if class == "" || attr(n, "class") == class {
				out = append(out, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// Ensure the device list shows the chosen practice's devices only, escapes
// what users typed, and sends the security headers.
func TestDeviceIndex(t *testing.T) {
	ts, _, _ := setup(t)
	b := signedIn(t, ts.URL, "boss@msp.example")
	resp, doc := b.get("/devices?tenant=alpha-clinic")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rows := find(find(doc, "table", "devices")[0], "tr", "")
	if len(rows) != 2 { // header + one device
		t.Fatalf("rows = %d", len(rows))
	}
	if got := text(rows[1]); !strings.Contains(got, "<script>alert(1)</script> pump") || strings.Contains(got, "Beta") {
		t.Fatalf("row text = %q", got)
	}
	if len(find(doc, "script", "")) != 0 {
		t.Fatal("a device name became a script element")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("CSP = %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("nosniff missing")
	}
	_, doc = b.get("/devices?tenant=alpha-clinic&q=nothing-like-this")
	if got := text(find(doc, "table", "devices")[0]); !strings.Contains(got, "No devices match") {
		t.Fatalf("empty search shows %q", got)
	}
}

// Ensure a device page shows provenance and that another practice's device
// id is not found.
func TestDeviceView(t *testing.T) {
	ts, _, ids := setup(t)
	b := signedIn(t, ts.URL, "boss@msp.example")
	resp, doc := b.get("/devices/" + itoa(ids["alpha-clinic"]) + "?tenant=alpha-clinic")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	srcs := find(doc, "td", "src")
	if len(srcs) == 0 || !strings.Contains(text(srcs[0])+text(srcs[1]), "set by hand by cli:tester") {
		t.Fatalf("provenance cells: %d", len(srcs))
	}
	resp, _ = b.get("/devices/" + itoa(ids["beta-clinic"]) + "?tenant=alpha-clinic")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("cross-practice device: status %d, want 404", resp.StatusCode)
	}
}

// Ensure assets are served under their content hash and cached, and other
// hashes are not found.
func TestStatic(t *testing.T) {
	ts, _, _ := setup(t)
	_, doc := newBrowser(t, ts.URL).get("/login")
	var href string
	for _, l := range find(doc, "link", "") {
		href = attr(l, "href")
	}
	resp, err := http.Get(ts.URL + href)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s = %v %v", href, resp, err)
	}
	resp.Body.Close()
	resp, _ = http.Get(ts.URL + "/static/000000000000/vigil.css")
	if resp.StatusCode != 404 {
		t.Fatalf("stale hash served: %d", resp.StatusCode)
	}
	resp.Body.Close()
	resp, _ = http.Get(ts.URL + "/readyz")
	if resp.StatusCode != 200 {
		t.Fatalf("readyz = %d", resp.StatusCode)
	}
	resp.Body.Close()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Ensure strangers are sent to sign in, wrong passwords are refused with
// one message for both mistakes, and repeated failures lock the address.
func TestSignIn(t *testing.T) {
	ts, _, _ := setup(t)
	b := newBrowser(t, ts.URL)
	resp, _ := b.get("/devices?q=pump")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/devices?q=pump") {
		t.Fatalf("anonymous: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, email := range []string{"boss@msp.example", "nobody@msp.example"} {
		if resp := b.signIn(email, "not the password!"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password for %s: %d", email, resp.StatusCode)
		}
	}
	_, doc := b.get("/login")
	if resp := b.post("/login", url.Values{"csrf": {"forged"}, "email": {"boss@msp.example"}, "password": {password}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged sign-in form: %d", resp.StatusCode)
	}
	_ = doc
	for i := 0; i < 4; i++ {
		b.signIn("boss@msp.example", "still not it!!")
	}
	if resp := b.signIn("boss@msp.example", password); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures the right password got %d, want 429 (locked out)", resp.StatusCode)
	}
	if resp := newBrowser(t, ts.URL).signIn("nurse@alpha.example", password); resp.StatusCode != http.StatusTooManyRequests {
		// The same client address has failed too often as well.
		t.Fatalf("other address from the locked-out client: %d", resp.StatusCode)
	}
}

// Ensure state-changing requests need the session's CSRF token, and
// signing out ends the session on the server.
func TestCSRFAndSignOut(t *testing.T) {
	ts, st, _ := setup(t)
	b := signedIn(t, ts.URL, "boss@msp.example")
	_, doc := b.get("/devices")
	csrf := inputValue(doc, "csrf")
	if resp := b.post("/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without a CSRF token: %d", resp.StatusCode)
	}
	if resp := b.post("/logout", url.Values{"csrf": {csrf + "x"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out with a wrong CSRF token: %d", resp.StatusCode)
	}
	if resp := b.post("/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/devices"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", resp.StatusCode)
	}
	events, _ := st.FindAuditEvents(vigiltest.Context(0), domain.AuditFilter{Action: "user.sign_in"})
	if len(events) != 1 || events[0].Actor.Name != "boss@msp.example" || events[0].Actor.IP == "" {
		t.Fatalf("sign-in audit events: %+v", events)
	}
}

// Ensure a practice user sees only their practice, whatever they ask for.
func TestPracticeUserIsolation(t *testing.T) {
	ts, _, ids := setup(t)
	b := signedIn(t, ts.URL, "nurse@alpha.example")
	resp, doc := b.get("/devices")
	if resp.StatusCode != 200 || !strings.Contains(text(doc), "pump") || strings.Contains(text(doc), "Beta monitor") {
		t.Fatalf("own list: %d", resp.StatusCode)
	}
	for _, path := range []string{"/devices?tenant=beta-clinic", "/devices/" + itoa(ids["beta-clinic"]), "/devices/" + itoa(ids["beta-clinic"]) + "?tenant=beta-clinic"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// Ensure a one-time password must be replaced before anything else.
func TestMustChangePassword(t *testing.T) {
	ts, st, _ := setup(t)
	u, _ := st.FindUserByEmail(vigiltest.Context(0), "nurse@beta.example")
	u.MustChangePassword = true
	if err := st.UpdateUser(vigiltest.Context(0), u); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts.URL)
	b.signIn("nurse@beta.example", password)
	if resp, _ := b.get("/devices"); resp.Header.Get("Location") != "/password" {
		t.Fatalf("held at the password page? %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc := b.get("/password")
	csrf := inputValue(doc, "csrf")
	if resp := b.post("/password", url.Values{"csrf": {csrf}, "current": {password}, "new": {"short"}, "confirm": {"short"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("short password: %d", resp.StatusCode)
	}
	if resp := b.post("/password", url.Values{"csrf": {csrf}, "current": {password}, "new": {"a better passphrase"}, "confirm": {"a better passphrase"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/devices"); resp.StatusCode != 200 {
		t.Fatalf("after the change: %d", resp.StatusCode)
	}
	if resp := newBrowser(t, ts.URL).signIn("nurse@beta.example", "a better passphrase"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", resp.StatusCode)
	}
}

// fieldError returns the error shown under the form field named f.
func fieldError(doc *html.Node, f string) string {
	for _, p := range find(doc, "p", "field-error") {
		if attr(p, "id") == "e-"+f {
			return strings.TrimSpace(text(p))
		}
	}
	return ""
}

// editForm loads a device's edit form and returns its current values.
func editForm(b *browser, id int64) url.Values {
	b.t.Helper()
	resp, doc := b.get("/devices/" + itoa(id) + "/edit")
	if resp.StatusCode != 200 {
		b.t.Fatalf("edit form: %d", resp.StatusCode)
	}
	form := url.Values{}
	for _, in := range find(doc, "input", "") {
		if attr(in, "name") != "" && !hasAttr(in, "disabled") {
			form.Set(attr(in, "name"), attr(in, "value"))
		}
	}
	for _, sel := range find(doc, "select", "") {
		for _, o := range find(sel, "option", "") {
			if hasAttr(o, "selected") && !hasAttr(sel, "disabled") {
				form.Set(attr(sel, "name"), attr(o, "value"))
			}
		}
	}
	return form
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// Ensure a technician edits a device through the form, the change shows in
// its history with who made it, and bad values come back beside their
// fields with the input kept and nothing changed.
func TestDeviceEdit(t *testing.T) {
	ts, st, ids := setup(t)
	b := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	id := ids["alpha-clinic"]
	form := editForm(b, id)
	form.Set("firmware", "12.3.0")
	form.Set("location", "ICU room 4")
	if resp := b.post("/devices/"+itoa(id), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, doc := b.get("/devices/" + itoa(id))
	hist := text(find(doc, "ol", "history")[0])
	if !strings.Contains(hist, "device.update by user:tech@alpha-clinic.example") || !strings.Contains(hist, "12.3.0") || !strings.Contains(hist, "ICU room 4") {
		t.Fatalf("history: %s", hist)
	}
	form = editForm(b, id)
	form.Set("macs", "00:11:22:GG:44:55")
	form.Set("notes", "kept as typed")
	resp, err := b.c.PostForm(ts.URL+"/devices/"+itoa(id), form)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ = html.Parse(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(doc, "macs"), "invalid MAC address") {
		t.Fatalf("bad MAC: %d, field error %q", resp.StatusCode, fieldError(doc, "macs"))
	}
	if !strings.Contains(text(doc), "kept as typed") {
		t.Fatal("the user's other input was lost")
	}
	got, _ := st.FindDevice(domain.WithTenant(vigiltest.Context(0), tenantOf(t, st, "alpha-clinic")), itoa(id))
	if got.Notes == "kept as typed" {
		t.Fatal("a refused form changed the device")
	}
	// Who may hold administrative access is for administrators only.
	form = editForm(b, id)
	form.Set("admins", "Mallory")
	if resp := b.post("/devices/"+itoa(id), form); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("technician changing admins: %d", resp.StatusCode)
	}
	boss := signedIn(t, ts.URL, "boss@msp.example")
	form = url.Values{"csrf": {csrfOf(boss)}, "admins": {"Dana Whitfield (biomed)"}}
	if resp := boss.post("/devices/"+itoa(id)+"?tenant=alpha-clinic", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("administrator changing admins: %d", resp.StatusCode)
	}
}

// Ensure viewers cannot edit and nobody edits another practice's device.
func TestDeviceEdit_ErrForbidden(t *testing.T) {
	ts, _, ids := setup(t)
	viewer := signedIn(t, ts.URL, "nurse@alpha.example")
	if resp, _ := viewer.get("/devices/" + itoa(ids["alpha-clinic"]) + "/edit"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer edit form: %d", resp.StatusCode)
	}
	if resp := viewer.post("/devices/"+itoa(ids["alpha-clinic"]), url.Values{"csrf": {csrfOf(viewer)}, "firmware": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer save: %d", resp.StatusCode)
	}
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	if resp := tech.post("/devices/"+itoa(ids["beta-clinic"]), url.Values{"csrf": {csrfOf(tech)}, "firmware": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other practice's device: %d", resp.StatusCode)
	}
}

func csrfOf(b *browser) string {
	b.t.Helper()
	_, doc := b.get("/devices")
	return inputValue(doc, "csrf")
}

func tenantOf(t *testing.T, st *sqlstore.Store, slug string) int64 {
	tn, err := st.FindTenant(vigiltest.Context(0), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// Ensure the dashboard counts the chosen practice and draws its charts as
// SVG, provider staff get every practice's totals, and practice users only
// their own.
func TestDashboard(t *testing.T) {
	ts, _, _ := setup(t)
	boss := signedIn(t, ts.URL, "boss@msp.example")
	resp, doc := boss.get("/dashboard?tenant=beta-clinic")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	svgs := find(doc, "svg", "chart")
	if len(svgs) != 4 {
		t.Fatalf("charts = %d, want 4", len(svgs))
	}
	if bars := find(svgs[0], "rect", ""); len(bars) != len(domain.Categories()) {
		t.Fatalf("category bars = %d", len(bars))
	}
	if !strings.Contains(text(svgs[0]), "Infusion: 1") {
		t.Fatalf("category chart text: %q", text(svgs[0]))
	}
	rows := find(find(doc, "table", "practices")[0], "tr", "")
	if len(rows) != 4 || !strings.Contains(text(rows[3]), "2") { // header, two practices, total
		t.Fatalf("practices table: %d rows", len(rows))
	}
	nurse := signedIn(t, ts.URL, "nurse@alpha.example")
	_, doc = nurse.get("/dashboard")
	if len(find(doc, "table", "practices")) != 0 || !strings.Contains(text(doc), "Alpha Clinic") {
		t.Fatal("a practice user sees the provider's overview")
	}
}

// testLog sends the server's log to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Ensure the audit trail page lists, filters, exports and verifies the
// chain, and only roles that may read it get in.
func TestAudit(t *testing.T) {
	ts, st, ids := setup(t)
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	form := editForm(tech, ids["alpha-clinic"])
	form.Set("firmware", "9.9.9")
	tech.post("/devices/"+itoa(ids["alpha-clinic"]), form)

	boss := signedIn(t, ts.URL, "boss@msp.example")
	_, doc := boss.get("/audit?tenant=alpha-clinic&actor=tech@alpha-clinic.example")
	rows := find(find(doc, "table", "audit")[0], "tr", "")
	if len(rows) != 3 || !strings.Contains(text(rows[1]), "9.9.9") || !strings.Contains(text(rows[1]), "device.update") || !strings.Contains(text(rows[2]), "user.sign_in") {
		t.Fatalf("filtered audit: %d rows", len(rows))
	}
	resp, err := boss.c.Get(ts.URL + "/audit/export?tenant=alpha-clinic&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil || len(recs) < 5 || recs[0][5] != "action" || !strings.Contains(resp.Header.Get("Content-Disposition"), "vigil-audit-alpha-clinic") {
		t.Fatalf("CSV export: %d records, %v", len(recs), err)
	}
	for _, r := range recs[1:] {
		if strings.Contains(r[8], "beta") {
			t.Fatalf("the export holds another practice's event: %v", r)
		}
	}
	verify := func() string {
		resp, err := boss.c.PostForm(ts.URL+"/audit/verify?tenant=alpha-clinic", url.Values{"csrf": {csrfOf(boss)}})
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := html.Parse(resp.Body)
		resp.Body.Close()
		return text(doc)
	}
	if got := verify(); !strings.Contains(got, "The audit trail is intact") {
		t.Fatalf("verify: %s", got)
	}
	if _, err := st.DB().Exec("UPDATE audit_events SET label = 'forged' WHERE id = 3"); err != nil {
		t.Fatal(err)
	}
	if got := verify(); !strings.Contains(got, "broken at event 3") {
		t.Fatalf("verify after tampering: %s", got)
	}
	nurse := signedIn(t, ts.URL, "nurse@alpha.example")
	if resp, _ := nurse.get("/audit"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer reads the audit trail: %d", resp.StatusCode)
	}
}

// Ensure every response carries a request id (a proxy's well-formed one is
// kept) and /metrics counts requests by route pattern.
func TestRequestIDAndMetrics(t *testing.T) {
	ts, _, _ := setup(t)
	b := signedIn(t, ts.URL, "boss@msp.example")
	b.get("/devices")
	req, _ := http.NewRequest("GET", ts.URL+"/healthz", nil)
	req.Header.Set("X-Request-ID", "proxy-abc.123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-ID") != "proxy-abc.123" {
		t.Fatalf("request id = %q", resp.Header.Get("X-Request-ID"))
	}
	req.Header.Set("X-Request-ID", "<script>")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if id := resp.Header.Get("X-Request-ID"); id == "<script>" || len(id) != 16 {
		t.Fatalf("a malformed request id was kept: %q", id)
	}
	resp, _ = http.Get(ts.URL + "/metrics")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`vigil_http_requests_total{method="GET",route="GET /devices",status="200"} 1`,
		`vigil_http_requests_total{method="POST",route="POST /login",status="303"} 1`,
		`vigil_http_request_duration_seconds_count{route="GET /devices"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// upload posts a file to the import page as a browser would.
func (b *browser) upload(path, name, content string, fields map[string]string) (*http.Response, *html.Node) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	resp, err := b.c.Post(b.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := html.Parse(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, doc
}

const goodCSV = "Asset #,Equipment Type,Mfr,Model Number,Serial No.,IP Addr\n" +
	"A-1,Infusion Pump,BD,Alaris 8015,SN-1,10.0.0.1\n" +
	"A-2,Patient Monitor,GE Medical Systems,CARESCAPE B650,SN-2,10.0.0.2\n"

const badCSV = "Asset #,Equipment Type,Serial No.,IP Addr,Purchase Date\n" +
	"A-1,Infusion Pump,SN-1,10.0.0.300,2020-01-01\n" +
	"A-2,Spaceship,SN-2,10.0.0.2,2023-02-30\n"

// Ensure the import page previews a file with every problem located,
// imports nothing until confirmed, and the confirmation is single-use and
// bound to the practice and the uploader.
func TestImportPage(t *testing.T) {
	ts, st, _ := setup(t)
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	csrf := csrfOf(tech)
	resp, doc := tech.upload("/import", "bad.csv", badCSV, map[string]string{"csrf": csrf})
	page := text(doc)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "bad.csv:2:4") || !strings.Contains(page, "bad.csv:3:2") ||
		!strings.Contains(page, "bad.csv:3:5") || len(find(doc, "table", "problems")) != 1 {
		t.Fatalf("bad file preview: %d\n%s", resp.StatusCode, page)
	}
	for _, f := range find(doc, "form", "") {
		if strings.HasPrefix(attr(f, "action"), "/import/") {
			t.Fatal("a file with problems can be confirmed")
		}
	}
	resp, doc = tech.upload("/import", "good.csv", goodCSV, map[string]string{"csrf": csrf})
	if resp.StatusCode != 200 || !strings.Contains(text(doc), "would create 2") {
		t.Fatalf("good file preview: %d %s", resp.StatusCode, text(doc))
	}
	confirm := ""
	for _, f := range find(doc, "form", "") {
		if strings.HasPrefix(attr(f, "action"), "/import/") {
			confirm = attr(f, "action")
		}
	}
	alpha := domain.WithTenant(vigiltest.Context(0), tenantOf(t, st, "alpha-clinic"))
	if n, _ := st.CountDevices(alpha); n != 1 {
		t.Fatalf("the preview wrote devices: %d", n)
	}
	other := signedIn(t, ts.URL, "tech@beta-clinic.example")
	if resp := other.post(confirm, url.Values{"csrf": {csrfOf(other)}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another practice confirms the upload: %d", resp.StatusCode)
	}
	if resp := tech.post(confirm, url.Values{"csrf": {csrf}}); resp.StatusCode != 200 {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if n, _ := st.CountDevices(alpha); n != 3 {
		t.Fatalf("devices after the import: %d", n)
	}
	if resp := tech.post(confirm, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a second confirmation: %d", resp.StatusCode)
	}
	d, _ := st.FindDevice(alpha, "A-2")
	if src, _ := d.Provenance.Of(domain.FieldModel); src.Name != "good.csv" || src.Actor != "user:tech@alpha-clinic.example" {
		t.Fatalf("provenance: %+v", src)
	}
	viewer := signedIn(t, ts.URL, "nurse@alpha.example")
	if resp, _ := viewer.get("/import"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer import page: %d", resp.StatusCode)
	}
}

// Ensure administrators add users (the one-time password shown once) and
// turn them off, practice administrators only within their practice, and
// other roles not at all.
func TestUsersPage(t *testing.T) {
	ts, st, _ := setup(t)
	boss := signedIn(t, ts.URL, "boss@msp.example")
	csrf := csrfOf(boss)
	resp, err := boss.c.PostForm(ts.URL+"/users?tenant=alpha-clinic", url.Values{"csrf": {csrf}, "email": {"admin@alpha.example"},
		"name": {"Alex Admin"}, "role": {"practice-admin"}, "scope": {"practice"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := html.Parse(resp.Body)
	resp.Body.Close()
	secret := find(doc, "code", "secret")
	if resp.StatusCode != 200 || len(secret) != 1 || len(text(secret[0])) != 20 {
		t.Fatalf("add user: %d", resp.StatusCode)
	}
	admin := newBrowser(t, ts.URL)
	admin.signIn("admin@alpha.example", text(secret[0]))
	_, doc = admin.get("/password")
	admin.post("/password", url.Values{"csrf": {inputValue(doc, "csrf")}, "current": {text(secret[0])}, "new": {password}, "confirm": {password}})
	_, doc = admin.get("/users")
	if got := text(doc); !strings.Contains(got, "nurse@alpha.example") || strings.Contains(got, "boss@msp.example") || strings.Contains(got, "nurse@beta.example") {
		t.Fatalf("practice admin's users page: %s", got)
	}
	acsrf := inputValue(doc, "csrf")
	if resp := admin.post("/users", url.Values{"csrf": {acsrf}, "email": {"x@msp.example"}, "role": {"provider-admin"}, "scope": {"provider"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("practice admin adds provider staff: %d", resp.StatusCode)
	}
	nurse, _ := st.FindUserByEmail(vigiltest.Context(0), "nurse@alpha.example")
	if resp := admin.post("/users/"+itoa(nurse.ID)+"/disable", url.Values{"csrf": {acsrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn off: %d", resp.StatusCode)
	}
	if resp := newBrowser(t, ts.URL).signIn("nurse@alpha.example", password); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a turned-off user signs in: %d", resp.StatusCode)
	}
	other, _ := st.FindUserByEmail(vigiltest.Context(0), "nurse@beta.example")
	if resp := admin.post("/users/"+itoa(other.ID)+"/disable", url.Values{"csrf": {acsrf}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("turning off another practice's user: %d", resp.StatusCode)
	}
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	if resp, _ := tech.get("/users"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("technician's users page: %d", resp.StatusCode)
	}
}

// Ensure vendors show their contacts' age and only provider administrators
// change them, and sites are added by administrators only.
func TestVendorsAndSites(t *testing.T) {
	ts, st, _ := setup(t)
	boss := signedIn(t, ts.URL, "boss@msp.example")
	_, doc := boss.get("/vendors?tenant=alpha-clinic")
	if got := text(find(doc, "table", "vendors")[0]); !strings.Contains(got, "BD") || !strings.Contains(got, "never") {
		t.Fatalf("vendors: %s", got)
	}
	v, _ := st.FindVendor(vigiltest.Context(0), "BD")
	form := url.Values{"csrf": {csrfOf(boss)}, "psirt_email": {"productsecurity@bd.example"}, "verified_today": {"1"}}
	if resp := boss.post("/vendors/"+itoa(v.ID)+"?tenant=alpha-clinic", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("provider admin saves contacts: %d", resp.StatusCode)
	}
	if got, _ := st.FindVendor(vigiltest.Context(0), "BD"); got.PSIRTEmail != "productsecurity@bd.example" || got.ContactStale(time.Now()) {
		t.Fatalf("vendor after save: %+v", got)
	}
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	if resp := tech.post("/vendors/"+itoa(v.ID), url.Values{"csrf": {csrfOf(tech)}, "psirt_email": {"evil@example.com"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("technician changes a vendor: %d", resp.StatusCode)
	}
	if resp := tech.post("/sites", url.Values{"csrf": {csrfOf(tech)}, "name": {"Annex"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("technician adds a site: %d", resp.StatusCode)
	}
	if resp := boss.post("/sites?tenant=alpha-clinic", url.Values{"csrf": {csrfOf(boss)}, "name": {"Annex"}, "timezone": {"Mars/Base"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad time zone: %d", resp.StatusCode)
	}
	if resp := boss.post("/sites?tenant=alpha-clinic", url.Values{"csrf": {csrfOf(boss)}, "name": {"Annex"}, "timezone": {"America/Chicago"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add site: %d", resp.StatusCode)
	}
	_, doc = tech.get("/sites")
	if got := text(find(doc, "table", "sites")[0]); !strings.Contains(got, "Annex") || !strings.Contains(got, "America/Chicago") {
		t.Fatalf("sites: %s", got)
	}
}

// Ensure bulk edit changes every selected device or none, and sorts work.
func TestDeviceBulkEdit(t *testing.T) {
	ts, st, ids := setup(t)
	alpha := domain.WithTenant(vigiltest.Context(0), tenantOf(t, st, "alpha-clinic"))
	second := &domain.Device{Serial: "S-2", Name: "Another pump"}
	if err := st.CreateDevice(alpha, second, domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	_, doc := tech.get("/devices?sort=-name")
	rows := find(find(doc, "table", "devices")[0], "tr", "")
	if len(rows) != 3 || !strings.Contains(text(rows[1]), "pump") {
		t.Fatalf("sorted list: %d rows", len(rows))
	}
	csrf := inputValue(doc, "csrf")
	form := url.Values{"csrf": {csrf}, "field": {"department"}, "value": {"ICU"}, "id": {itoa(ids["alpha-clinic"]), itoa(second.ID)}}
	if resp := tech.post("/devices/bulk", form); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "changed=2") {
		t.Fatalf("bulk edit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	form.Set("value", "Radiology")
	form["id"] = []string{itoa(second.ID), itoa(ids["beta-clinic"])}
	if resp := tech.post("/devices/bulk", form); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("bulk edit including another practice's device: %d", resp.StatusCode)
	}
	got, _ := st.FindDeviceByID(alpha, second.ID)
	if got.Department != "ICU" {
		t.Fatalf("a refused bulk edit changed a device: %q", got.Department)
	}
	form.Set("field", "admins")
	form["id"] = []string{itoa(second.ID)}
	if resp := tech.post("/devices/bulk", form); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("technician sets admins in bulk: %d", resp.StatusCode)
	}
	viewer := signedIn(t, ts.URL, "nurse@alpha.example")
	_, doc = viewer.get("/devices")
	if len(find(doc, "div", "bulk")) != 0 {
		t.Fatal("a viewer sees the bulk edit controls")
	}
}

// Ensure a device named like a script renders inert on every page that
// shows it: no script element appears, the text is shown as typed.
func TestXSSInert(t *testing.T) {
	ts, st, ids := setup(t)
	alpha := domain.WithTenant(vigiltest.Context(0), tenantOf(t, st, "alpha-clinic"))
	evil := `<script>alert(1)</script>`
	if _, _, err := st.UpdateDevice(alpha, ids["alpha-clinic"], map[domain.Field]string{domain.FieldNotes: evil, domain.FieldLocation: `"><img src=x onerror=alert(1)>`}, domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	boss := signedIn(t, ts.URL, "boss@msp.example")
	for _, path := range []string{"/dashboard?tenant=alpha-clinic", "/devices?tenant=alpha-clinic", "/devices?tenant=alpha-clinic&q=pump",
		"/devices/" + itoa(ids["alpha-clinic"]) + "?tenant=alpha-clinic", "/devices/" + itoa(ids["alpha-clinic"]) + "/edit?tenant=alpha-clinic",
		"/audit?tenant=alpha-clinic", "/vendors?tenant=alpha-clinic"} {
		resp, doc := boss.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if n := len(find(doc, "script", "")); n != 0 {
			t.Errorf("%s: %d script elements", path, n)
		}
		for _, img := range find(doc, "img", "") {
			if attr(img, "onerror") != "" {
				t.Errorf("%s: an injected img with onerror", path)
			}
		}
	}
	_, doc := boss.get("/devices/" + itoa(ids["alpha-clinic"]) + "?tenant=alpha-clinic")
	if !strings.Contains(text(doc), evil) {
		t.Fatal("the text is not shown as typed")
	}
}

// Ensure signing in never adopts a session id the browser brought along
// (session fixation), and a new sign-in gets a new session.
func TestSessionFixation(t *testing.T) {
	ts, _, _ := setup(t)
	b := newBrowser(t, ts.URL)
	u, _ := url.Parse(ts.URL)
	planted := &http.Cookie{Name: "vigil_session", Value: "attacker-chosen-session-id-0000000000000000", Path: "/"}
	b.c.Jar.SetCookies(u, []*http.Cookie{planted})
	if resp := b.signIn("boss@msp.example", password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	var session string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "vigil_session" {
			session = c.Value
		}
	}
	if session == "" || session == planted.Value {
		t.Fatalf("session after sign-in = %q", session)
	}
	attacker := newBrowser(t, ts.URL)
	attacker.c.Jar.SetCookies(u, []*http.Cookie{planted})
	if resp, _ := attacker.get("/devices"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the planted id opens a session: %d", resp.StatusCode)
	}
	again := signedIn(t, ts.URL, "boss@msp.example")
	for _, c := range again.c.Jar.Cookies(u) {
		if c.Name == "vigil_session" && c.Value == session {
			t.Fatal("two sign-ins share a session id")
		}
	}
}

// Ensure administrators make an API token on the console (shown once),
// it opens the API for its practice, and revoking it shuts it.
func TestTokensPage(t *testing.T) {
	ts, st, _ := setup(t)
	alpha := tenantOf(t, st, "alpha-clinic")
	hash, _ := auth.HashPassword(password)
	if err := st.CreateUser(domain.WithTenant(vigiltest.Context(0), alpha), &domain.User{Email: "admin@alpha.example", Role: domain.RolePracticeAdmin, TenantID: alpha, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	admin := signedIn(t, ts.URL, "admin@alpha.example")
	resp, err := admin.c.PostForm(ts.URL+"/tokens", url.Values{"csrf": {csrfOf(admin)}, "name": {"cmms-sync"}, "role": {"viewer"}, "days": {"30"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := html.Parse(resp.Body)
	resp.Body.Close()
	secret := find(doc, "code", "secret")
	if resp.StatusCode != 200 || len(secret) != 1 || !strings.HasPrefix(text(secret[0]), "vgl_") {
		t.Fatalf("create token: %d", resp.StatusCode)
	}
	call := func() int {
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/devices", nil)
		req.Header.Set("Authorization", "Bearer "+text(secret[0]))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(); got != 200 {
		t.Fatalf("API with the new token: %d", got)
	}
	resp, err = admin.c.PostForm(ts.URL+"/tokens", url.Values{"csrf": {csrfOf(admin)}, "name": {"too-strong"}, "role": {"provider-admin"}})
	if err == nil {
		resp.Body.Close()
	}
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a token stronger than its maker: %d", resp.StatusCode)
	}
	toks, _ := st.FindTokens(domain.WithTenant(vigiltest.Context(0), alpha))
	if r := admin.post("/tokens/"+itoa(toks[0].ID)+"/revoke", url.Values{"csrf": {csrfOf(admin)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if got := call(); got != http.StatusUnauthorized {
		t.Fatalf("API with a revoked token: %d", got)
	}
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	if r, _ := tech.get("/tokens"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("technician's tokens page: %d", r.StatusCode)
	}
}
