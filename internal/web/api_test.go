package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
	"github.com/vigil-med/vigil/internal/vigiltest"
	"github.com/vigil-med/vigil/internal/web"
)

// apiEnv is a server on a real SQLite store with two practices, Alpha and
// Beta, each with a site and a device. What belongs to a practice carries
// the marker "SECRET-<slug>" in its name, so a leak shows in any body.
type apiEnv struct {
	t       *testing.T
	ts      *httptest.Server
	st      *sqlstore.Store
	doc     *openAPI
	logs    *lockedBuffer
	tenants map[string]*domain.Tenant // by slug
	devices map[string]*domain.Device // each practice's first device, by slug
	seq     int
}

// lockedBuffer is a log sink the server's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	e := &apiEnv{t: t, st: vigiltest.MustOpenSQLite(t), doc: loadOpenAPI(t), logs: &lockedBuffer{},
		tenants: map[string]*domain.Tenant{}, devices: map[string]*domain.Device{}}
	for _, name := range []string{"Alpha", "Beta"} {
		tn := &domain.Tenant{Name: name + " Clinic", Slug: strings.ToLower(name) + "-clinic"}
		if err := e.st.CreateTenant(vigiltest.Context(0), tn); err != nil {
			t.Fatal(err)
		}
		e.tenants[tn.Slug] = tn
		ctx := vigiltest.Context(tn.ID)
		if err := e.st.CreateSite(ctx, &domain.Site{Name: "SECRET-" + tn.Slug + " main", Slug: "main"}); err != nil {
			t.Fatal(err)
		}
		e.devices[tn.Slug] = e.mustDevice(tn.Slug, map[domain.Field]string{domain.FieldName: "SECRET-" + tn.Slug + " pump",
			domain.FieldSerial: "SECRET-" + tn.Slug + "-1", domain.FieldCategory: "infusion", domain.FieldManufacturer: name + "-only Medical"})
	}
	srv, err := web.NewServer(e.st, slog.New(slog.NewTextHandler(e.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	return e
}

// mustDevice creates a device in the practice through the store.
func (e *apiEnv) mustDevice(slug string, vals map[domain.Field]string) *domain.Device {
	e.t.Helper()
	d := &domain.Device{}
	for f, v := range vals {
		if err := d.Set(f, v); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.st.CreateDevice(vigiltest.Context(e.tenants[slug].ID), d, domain.Source{Kind: domain.SourceManual}); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// cred is one way to call the API: a bearer token or a session cookie with
// its CSRF token.
type cred struct {
	name   string
	role   domain.Role
	tenant string // the practice's slug; "" for provider-wide
	bearer string
	cookie string
	csrf   string
	actor  string // the actor name audit events carry
	token  *domain.APIToken
}

func (c cred) isToken() bool { return c.bearer != "" }

// newToken creates a token through the store (as `vigil token create`
// does) and returns it as a credential.
func (e *apiEnv) newToken(slug string, role domain.Role, name string, edit ...func(*domain.APIToken)) cred {
	e.t.Helper()
	tok, hash, err := auth.NewAPIToken()
	if err != nil {
		e.t.Fatal(err)
	}
	t := &domain.APIToken{Name: name, Role: role, TokenHash: hash}
	if slug != "" {
		t.TenantID = e.tenants[slug].ID
	}
	for _, f := range edit {
		f(t)
	}
	if err := e.st.CreateToken(vigiltest.Context(0), t); err != nil {
		e.t.Fatalf("CreateToken(%s): %v", name, err)
	}
	return cred{name: "token " + name, role: role, tenant: slug, bearer: tok, actor: "token:" + name, token: t}
}

// newSession creates a user and a signed-in session for them.
func (e *apiEnv) newSession(slug string, role domain.Role, email string) cred {
	e.t.Helper()
	u := &domain.User{Email: email, Role: role, PasswordHash: "$argon2id$unused"}
	if slug != "" {
		u.TenantID = e.tenants[slug].ID
	}
	if err := e.st.CreateUser(vigiltest.Context(u.TenantID), u); err != nil {
		e.t.Fatal(err)
	}
	token, _ := auth.NewToken()
	csrf, _ := auth.NewToken()
	s := &domain.Session{TokenHash: auth.HashToken(token), User: u, TenantID: u.TenantID, CSRFToken: csrf, ExpiresAt: time.Now().Add(time.Hour)}
	if err := e.st.CreateSession(vigiltest.Context(0), s); err != nil {
		e.t.Fatal(err)
	}
	return cred{name: "session " + email, role: role, tenant: slug, cookie: token, csrf: csrf, actor: email}
}

// apiResp is a response read whole.
type apiResp struct {
	status int
	header http.Header
	body   []byte
}

func (r *apiResp) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// items returns a listing's items.
func (r *apiResp) items(tb testing.TB) []map[string]any {
	tb.Helper()
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		tb.Fatalf("not a listing: %v: %s", err, r.body)
	}
	return page.Items
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send makes a request below /api/v1. body is nil, a string of raw JSON,
// or a value to encode.
func (e *apiEnv) send(c cred, method, path string, body any, header ...string) *apiResp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.ts.URL+"/api/v1"+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "vigil_session", Value: c.cookie})
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &apiResp{status: resp.StatusCode, header: resp.Header, body: b}
}

// do sends a request and checks the response against the OpenAPI document
// of the route the path belongs to.
func (e *apiEnv) do(c cred, method, path string, body any, header ...string) *apiResp {
	e.t.Helper()
	r := e.send(c, method, path, body, header...)
	if pattern := routeOf(method, path); pattern != "" {
		e.doc.checkResponse(e.t, method, pattern, r.status, r.header.Get("Content-Type"), r.body)
	}
	return r
}

// routeOf returns the route pattern a path (below /api/v1, with or
// without a query) belongs to, or "".
func routeOf(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	for _, rt := range web.APIRoutes() {
		ps := strings.Split(rt.Path, "/")
		if rt.Method != method || len(ps) != len(segs) {
			continue
		}
		match := true
		for i := range ps {
			if !strings.HasPrefix(ps[i], "{") && ps[i] != segs[i] {
				match = false
			}
		}
		if match {
			return rt.Path
		}
	}
	return ""
}

// wantProblem fails unless r is a problem document with the status, and
// returns it.
func wantProblem(tb testing.TB, r *apiResp, status int) map[string]any {
	tb.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" {
		tb.Fatalf("status %d %s, want a %d problem: %s", r.status, r.header.Get("Content-Type"), status, r.body)
	}
	p := r.json(tb)
	if p["status"] != float64(status) || p["title"] == "" || p["detail"] == "" || p["type"] == "" {
		tb.Fatalf("problem %v", p)
	}
	return p
}

// problemErrors renders a problem's errors as "location field: message"
// lines.
func problemErrors(p map[string]any) []string {
	var out []string
	list, _ := p["errors"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v: %v", m["location"], m["field"], m["message"]))
	}
	return out
}

func hasError(p map[string]any, location, contains string) bool {
	for _, l := range problemErrors(p) {
		loc, rest, _ := strings.Cut(l, " ")
		if loc == location && strings.Contains(rest, contains) {
			return true
		}
	}
	return false
}

func id(v any) string { return strconv.FormatInt(int64(v.(float64)), 10) }

// Ensure requests without valid credentials get a 401 problem (never a
// redirect to the sign-in page), and a role without the permission a 403.
func TestAPI_Auth(t *testing.T) {
	e := newAPIEnv(t)
	good := e.newToken("alpha-clinic", domain.RoleViewer, "reader")
	revoked := e.newToken("alpha-clinic", domain.RoleViewer, "revoked")
	if err := e.st.RevokeToken(vigiltest.Context(0), revoked.token.ID); err != nil {
		t.Fatal(err)
	}
	expired := e.newToken("alpha-clinic", domain.RoleViewer, "expired", func(t *domain.APIToken) { t.ExpiresAt = time.Now().Add(-time.Minute) })
	admin := e.newSession("alpha-clinic", domain.RolePracticeAdmin, "admin@alpha.example")
	orphan := e.newToken("alpha-clinic", domain.RoleViewer, "orphan", func(t *domain.APIToken) {
		u, _ := e.st.FindUserByEmail(vigiltest.Context(0), "admin@alpha.example")
		t.UserID = u.ID
	})
	u, _ := e.st.FindUserByEmail(vigiltest.Context(0), "admin@alpha.example")
	u.Disabled = true
	if err := e.st.UpdateUser(vigiltest.Context(u.TenantID), u); err != nil {
		t.Fatal(err)
	}
	gamma := &domain.Tenant{Name: "Gamma Clinic"}
	if err := e.st.CreateTenant(vigiltest.Context(0), gamma); err != nil {
		t.Fatal(err)
	}
	e.tenants[gamma.Slug] = gamma
	gone := e.newToken(gamma.Slug, domain.RoleViewer, "gone")
	if err := e.st.DeleteTenant(vigiltest.Context(0), gamma.ID); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]cred{
		"none": {}, "unknown": {bearer: "vgl_" + strings.Repeat("A", 43)}, "not a vigil token": {bearer: "abc"},
		"revoked": revoked, "expired": expired, "creator disabled": orphan, "session of a disabled user": admin,
		"practice removed": gone,
	} {
		for _, method := range []string{"GET", "POST", "DELETE"} {
			r := e.do(c, method, "/devices?tenant=alpha-clinic", nil)
			p := wantProblem(t, r, http.StatusUnauthorized)
			if p["code"] != "unauthorized" || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="vigil"`) {
				t.Errorf("%s %s: %v, WWW-Authenticate %q", name, method, p, r.header.Get("WWW-Authenticate"))
			}
			if c.bearer != "" && !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("%s: WWW-Authenticate %q lacks the error", name, r.header.Get("WWW-Authenticate"))
			}
		}
	}
	r := e.send(cred{}, "GET", "/devices", nil, "Authorization", "Basic dXNlcjpwYXNz")
	wantProblem(t, r, http.StatusUnauthorized)
	// The right token works, and its use is noted.
	if r := e.do(good, "GET", "/devices", nil); r.status != 200 || len(r.items(t)) != 1 {
		t.Fatalf("good token: %d %s", r.status, r.body)
	}
	list, _ := e.st.FindTokens(vigiltest.Context(e.tenants["alpha-clinic"].ID))
	for _, x := range list {
		if x.Name == "reader" && x.LastUsedAt.IsZero() {
			t.Fatal("last_used_at not noted")
		}
	}
	// A viewer may read but not write.
	p := wantProblem(t, e.do(good, "POST", "/devices", `{"name": "x"}`), http.StatusForbidden)
	if p["code"] != "forbidden" || !strings.Contains(p["detail"].(string), "inventory.edit") {
		t.Fatalf("viewer POST: %v", p)
	}
	wantProblem(t, e.do(good, "GET", "/audit", nil), http.StatusForbidden)
	wantProblem(t, e.do(good, "GET", "/tokens", nil), http.StatusForbidden)
	// Unknown routes and methods are problems too.
	wantProblem(t, e.send(good, "GET", "/nothing-here", nil), http.StatusNotFound)
	r = e.send(good, "PUT", "/devices", nil)
	if p := wantProblem(t, r, http.StatusMethodNotAllowed); !strings.Contains(r.header.Get("Allow"), "POST") || p["code"] != "method_not_allowed" {
		t.Fatalf("405: %v Allow %q", p, r.header.Get("Allow"))
	}
	// The document needs nothing.
	if r := e.do(cred{}, "GET", "/openapi.json", nil); r.status != 200 {
		t.Fatalf("openapi.json: %d", r.status)
	}
}

// Ensure a browser session works too, with the CSRF token required for
// changes, and a one-time password must be replaced first.
func TestAPI_Session(t *testing.T) {
	e := newAPIEnv(t)
	tech := e.newSession("alpha-clinic", domain.RoleTechnician, "tech@alpha.example")
	id := strconv.FormatInt(e.devices["alpha-clinic"].ID, 10)
	if r := e.do(tech, "GET", "/devices/"+id, nil); r.status != 200 {
		t.Fatalf("GET with a session: %d %s", r.status, r.body)
	}
	noCSRF := tech
	noCSRF.csrf = ""
	p := wantProblem(t, e.do(noCSRF, "PATCH", "/devices/"+id, `{"firmware": "2.0"}`), http.StatusForbidden)
	if !strings.Contains(p["detail"].(string), "X-CSRF-Token") {
		t.Fatalf("no CSRF: %v", p)
	}
	wrong := tech
	wrong.csrf = "forged"
	wantProblem(t, e.do(wrong, "PATCH", "/devices/"+id, `{"firmware": "2.0"}`), http.StatusForbidden)
	r := e.do(tech, "PATCH", "/devices/"+id, `{"firmware": "2.0"}`)
	if r.status != 200 || r.json(t)["firmware"] != "2.0" {
		t.Fatalf("PATCH with CSRF: %d %s", r.status, r.body)
	}
	events, _ := e.st.FindAuditEvents(vigiltest.Context(e.tenants["alpha-clinic"].ID), domain.AuditFilter{Action: "device.update"})
	if len(events) != 1 || events[0].Actor.Kind != domain.ActorUser || events[0].Actor.Name != "tech@alpha.example" {
		t.Fatalf("audit: %+v", events)
	}
	u, _ := e.st.FindUserByEmail(vigiltest.Context(0), "tech@alpha.example")
	u.MustChangePassword = true
	e.st.UpdateUser(vigiltest.Context(u.TenantID), u)
	wantProblem(t, e.do(tech, "GET", "/devices", nil), http.StatusForbidden)
}

// Ensure a device's whole life through the API: create, read, change,
// history, delete, with every change audited under the token's name and
// the chain intact.
func TestAPI_DeviceCRUD(t *testing.T) {
	e := newAPIEnv(t)
	tech := e.newToken("alpha-clinic", domain.RoleTechnician, "cmms-sync")
	r := e.do(tech, "POST", "/devices", `{
		"serial": "SN-9", "asset_tag": 4711, "name": "Infusion pump 9", "category": "Infusion Pump", "manufacturer": "Baxter Healthcare Corporation",
		"model": "Sigma Spectrum", "macs": ["00-1B-2C-3D-4E-5F", "001b.2c3d.4e60"], "ips": "10.20.1.15; 10.20.1.16", "vlans": [40, "41"],
		"network_required": true, "phi": "stores", "phi_records": 1500, "purchase_date": "2019-03-15", "site": "main", "notes": null}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	d := r.json(t)
	did := id(d["id"])
	if r.header.Get("Location") != "/api/v1/devices/"+did {
		t.Fatalf("Location %q", r.header.Get("Location"))
	}
	want := map[string]any{"serial": "SN-9", "asset_tag": "4711", "category": "infusion", "manufacturer": "Baxter", "network_required": "yes",
		"phi_records": float64(1500), "version": float64(1), "site": "main"}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v, want %v", k, d[k], v)
		}
	}
	if fmt.Sprint(d["macs"]) != "[00:1b:2c:3d:4e:5f 00:1b:2c:3d:4e:60]" || fmt.Sprint(d["vlans"]) != "[40 41]" || fmt.Sprint(d["ips"]) != "[10.20.1.15 10.20.1.16]" {
		t.Fatalf("lists: %v %v %v", d["macs"], d["vlans"], d["ips"])
	}
	if _, ok := d["notes"]; ok {
		t.Fatal("an empty field is in the body")
	}
	prov := d["provenance"].(map[string]any)["serial"].(map[string]any)
	if prov["kind"] != "api" || prov["actor"] != "api:token:cmms-sync" {
		t.Fatalf("provenance %v", prov)
	}
	got := e.do(tech, "GET", "/devices/"+did, nil).json(t)
	if fmt.Sprint(got) != fmt.Sprint(d) {
		t.Fatalf("GET differs from the create answer:\n%v\n%v", got, d)
	}
	// Change two fields and clear one; an unchanged read-only member and
	// the matching id are accepted.
	r = e.do(tech, "PATCH", "/devices/"+did, map[string]any{"id": d["id"], "version": 1, "firmware": "12.3.0", "location": "ICU 4", "ips": nil})
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	d = r.json(t)
	if d["firmware"] != "12.3.0" || d["location"] != "ICU 4" || d["ips"] != nil || d["version"] != float64(2) || d["serial"] != "SN-9" {
		t.Fatalf("after patch: %v", d)
	}
	hist := e.do(tech, "GET", "/devices/"+did+"/history", nil).items(t)
	if len(hist) != 2 || hist[0]["action"] != "device.create" || hist[1]["action"] != "device.update" {
		t.Fatalf("history: %v", hist)
	}
	actor := hist[1]["actor"].(map[string]any)
	if actor["kind"] != "api" || actor["name"] != "token:cmms-sync" || actor["ip"] != "127.0.0.1" {
		t.Fatalf("history actor %v", actor)
	}
	if fmt.Sprint(hist[1]["changes"]) != "[map[field:firmware new:12.3.0 old:] map[field:ips new: old:10.20.1.15; 10.20.1.16] map[field:location new:ICU 4 old:]]" {
		t.Fatalf("changes %v", hist[1]["changes"])
	}
	// The listing finds it with filters.
	if items := e.do(tech, "GET", "/devices?category=infusion&q=sigma&site=main", nil).items(t); len(items) != 1 || id(items[0]["id"]) != did {
		t.Fatalf("filtered list: %v", items)
	}
	if r := e.do(tech, "DELETE", "/devices/"+did, nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantProblem(t, e.do(tech, "GET", "/devices/"+did, nil), http.StatusNotFound)
	wantProblem(t, e.do(tech, "DELETE", "/devices/"+did, nil), http.StatusNotFound)
	// The audit trail, read through the API by an auditor, names the token
	// for every change, and the chain holds.
	auditor := e.newToken("alpha-clinic", domain.RoleAuditor, "auditor")
	events := e.do(auditor, "GET", "/audit?object_type=device&object_id="+did, nil).items(t)
	var actions []string
	for _, ev := range events {
		actions = append(actions, ev["action"].(string))
		if a := ev["actor"].(map[string]any); a["kind"] != "api" || a["name"] != "token:cmms-sync" {
			t.Fatalf("audit actor %v", a)
		}
	}
	if strings.Join(actions, ",") != "device.create,device.update,device.delete" {
		t.Fatalf("audit actions %v", actions)
	}
	if v := e.do(auditor, "GET", "/audit/verify", nil).json(t); v["ok"] != true || v["events"] != nil {
		t.Fatalf("verify for a practice token: %v", v)
	}
	rep, err := audit.Verify(vigiltest.Context(0), e.st)
	if err != nil || !rep.OK {
		t.Fatalf("chain: %+v %v", rep, err)
	}
}

// Ensure refused input comes back as one problem listing every complaint
// with its place, and nothing is written.
func TestAPI_ValidationErrors(t *testing.T) {
	e := newAPIEnv(t)
	tech := e.newToken("alpha-clinic", domain.RoleTechnician, "tech")
	alpha := vigiltest.Context(e.tenants["alpha-clinic"].ID)
	before, _ := e.st.CountDevices(alpha)
	r := e.do(tech, "POST", "/devices", `{"serial": "N1", "macs": ["00:11:22:33:44:55", "zz"], "purchase_date": "2023-02-30",
		"colour": "red", "model": ["a", "b"], "notes": {"x": 1}, "vlans": [1, {"n": 2}], "id": 7, "category": "spaceship"}`)
	p := wantProblem(t, r, http.StatusBadRequest)
	for loc, msg := range map[string]string{"#/colour": "unknown field", "#/model": "one value, not a list", "#/notes": "not an object",
		"#/vlans/1": "strings or numbers", "#/id": "Vigil assigns"} {
		if !hasError(p, loc, msg) {
			t.Errorf("no %s error %q in %v", loc, msg, problemErrors(p))
		}
	}
	// Each value is checked, all at once.
	p = wantProblem(t, e.do(tech, "POST", "/devices", `{"serial": "N1", "macs": ["zz"], "purchase_date": "2023-02-30", "category": "spaceship"}`),
		http.StatusBadRequest)
	for loc, msg := range map[string]string{"#/macs": "invalid MAC address", "#/purchase_date": "2023-02-30", "#/category": "spaceship"} {
		if !hasError(p, loc, msg) {
			t.Errorf("no %s error %q in %v", loc, msg, problemErrors(p))
		}
	}
	if p["code"] != "invalid" || p["type"] != "https://github.com/vigil-med/vigil/blob/main/docs/api.md#invalid" {
		t.Fatalf("problem %v", p)
	}
	// A device with no identity at all is refused as a whole.
	p = wantProblem(t, e.do(tech, "POST", "/devices", `{"notes": "just a note"}`), http.StatusBadRequest)
	if !strings.Contains(p["detail"].(string), "needs at least a name") {
		t.Fatalf("no identity: %v", p)
	}
	// The body itself.
	for body, want := range map[string]string{`{"serial": "x",}`: "not JSON", `[{"serial": "x"}]`: "JSON object", ``: "not JSON",
		`{"serial": "a", "serial": "b"}`: "more than once"} {
		p := wantProblem(t, e.do(tech, "POST", "/devices", body), http.StatusBadRequest)
		if l := problemErrors(p); len(l) != 1 || !strings.Contains(l[0], want) {
			t.Errorf("body %q: %v", body, l)
		}
	}
	wantProblem(t, e.do(tech, "POST", "/devices", `{"serial": "x"}`, "Content-Type", "text/plain"), http.StatusBadRequest)
	// Query parameters.
	p = wantProblem(t, e.do(tech, "GET", "/devices?colour=red&limit=1", nil), http.StatusBadRequest)
	if l := problemErrors(p); len(l) != 1 || !hasError(p, "?colour", "unknown query parameter; this route takes: category") {
		t.Fatalf("unknown parameter: %v", l)
	}
	p = wantProblem(t, e.do(tech, "GET", "/devices?limit=501&category=spaceship&sort=sideways&cursor=nonsense&site=nowhere", nil), http.StatusBadRequest)
	for loc, msg := range map[string]string{"?limit": "1 to 500", "?category": "spaceship", "?sort": "use one of",
		"?cursor": "not a cursor", "?site": "no site"} {
		if !hasError(p, loc, msg) {
			t.Errorf("no %s error %q in %v", loc, msg, problemErrors(p))
		}
	}
	wantProblem(t, e.do(tech, "GET", "/devices?q=a&q=b", nil), http.StatusBadRequest)
	// Keys already in use are a conflict.
	p = wantProblem(t, e.do(tech, "POST", "/devices", `{"serial": "SECRET-alpha-clinic-1"}`), http.StatusConflict)
	if !strings.Contains(p["detail"].(string), "already used by device") {
		t.Fatalf("conflict: %v", p)
	}
	if n, _ := e.st.CountDevices(alpha); n != before {
		t.Fatalf("refused requests created %d devices", n-before)
	}
	// A refused change leaves the device as it was.
	did := strconv.FormatInt(e.devices["alpha-clinic"].ID, 10)
	p = wantProblem(t, e.do(tech, "PATCH", "/devices/"+did, `{"firmware": "9", "ips": "10.0.0.300", "id": 12345}`), http.StatusBadRequest)
	if !hasError(p, "#/ips", "invalid IP") || !hasError(p, "#/id", "cannot change") {
		t.Fatalf("patch problems %v", problemErrors(p))
	}
	if d := e.do(tech, "GET", "/devices/"+did, nil).json(t); d["firmware"] != nil || d["version"] != float64(1) {
		t.Fatalf("refused patch changed the device: %v", d)
	}
	// Sites (administrators add them).
	wantProblem(t, e.do(tech, "POST", "/sites", `{"name": "Annex"}`), http.StatusForbidden)
	tech = e.newToken("alpha-clinic", domain.RolePracticeAdmin, "site-admin")
	p = wantProblem(t, e.do(tech, "POST", "/sites", `{"name": " ", "timezone": "Mars/Olympus", "floor": 2}`), http.StatusBadRequest)
	if !hasError(p, "#/floor", "unknown member") {
		t.Fatalf("site problems %v", problemErrors(p))
	}
	p = wantProblem(t, e.do(tech, "POST", "/sites", `{"name": " ", "timezone": "Mars/Olympus"}`), http.StatusBadRequest)
	if !hasError(p, "#/name", "needs a name") || !hasError(p, "#/timezone", "unknown time zone") {
		t.Fatalf("site problems %v", problemErrors(p))
	}
	wantProblem(t, e.do(tech, "POST", "/sites", `{"name": "x", "slug": "main"}`), http.StatusConflict)
	if r := e.do(tech, "POST", "/sites", `{"name": "East Wing", "timezone": "America/Chicago"}`); r.status != http.StatusCreated ||
		r.json(t)["slug"] != "east-wing" || e.do(tech, "GET", strings.TrimPrefix(r.header.Get("Location"), "/api/v1"), nil).status != 200 {
		t.Fatalf("site create: %d %s", r.status, r.body)
	}
}

// Ensure only administrators change who holds administrative access to a
// device, while sending the list back unchanged needs no such right.
func TestAPI_DeviceAdmins(t *testing.T) {
	e := newAPIEnv(t)
	tech := e.newToken("alpha-clinic", domain.RoleTechnician, "tech")
	admin := e.newToken("alpha-clinic", domain.RolePracticeAdmin, "admin")
	did := strconv.FormatInt(e.devices["alpha-clinic"].ID, 10)
	wantProblem(t, e.do(tech, "PATCH", "/devices/"+did, `{"admins": ["Mallory"]}`), http.StatusForbidden)
	wantProblem(t, e.do(tech, "POST", "/devices", `{"serial": "N2", "admins": ["Mallory"]}`), http.StatusForbidden)
	r := e.do(admin, "PATCH", "/devices/"+did, `{"admins": ["Dana Whitfield (biomed)", "On-call"]}`)
	if r.status != 200 || fmt.Sprint(r.json(t)["admins"]) != "[Dana Whitfield (biomed) On-call]" {
		t.Fatalf("admin sets admins: %d %s", r.status, r.body)
	}
	// The technician reads the device and sends it back whole with one
	// change: allowed, and the access list stays.
	d := e.do(tech, "GET", "/devices/"+did, nil).json(t)
	d["firmware"] = "7.1"
	r = e.do(tech, "PATCH", "/devices/"+did, d)
	if r.status != 200 || r.json(t)["firmware"] != "7.1" || fmt.Sprint(r.json(t)["admins"]) != "[Dana Whitfield (biomed) On-call]" {
		t.Fatalf("round trip: %d %s", r.status, r.body)
	}
	wantProblem(t, e.do(tech, "PATCH", "/devices/"+did, `{"admins": null}`), http.StatusForbidden)
}

// Ensure cursor paging walks every device exactly once, in order, for
// several sort orders and page sizes, and survives changes between pages.
func TestAPI_DevicePagination(t *testing.T) {
	e := newAPIEnv(t)
	alpha := vigiltest.Context(e.tenants["alpha-clinic"].ID)
	var recs []domain.ImportRecord
	for i := 0; i < 120; i++ {
		vals := map[domain.Field]string{domain.FieldSerial: fmt.Sprintf("P-%03d", (i*37)%120), domain.FieldName: fmt.Sprintf("Monitor %d", i%9),
			domain.FieldCategory: []string{"imaging", "infusion", "laboratory"}[i%3], domain.FieldSite: "main"}
		r := domain.ImportRecord{Row: i + 2, Location: fmt.Sprintf("p.csv:%d", i+2)}
		for _, fi := range domain.DeviceFields() {
			if v, ok := vals[fi.Field]; ok {
				r.Device.Set(fi.Field, v)
				r.Fields = append(r.Fields, fi.Field)
			}
		}
		recs = append(recs, r)
	}
	if _, err := e.st.ImportDevices(alpha, &domain.ImportBatch{File: "p.csv", Records: recs}); err != nil {
		t.Fatal(err)
	}
	viewer := e.newToken("alpha-clinic", domain.RoleViewer, "viewer")
	walk := func(query string) ([]string, int) {
		var ids []string
		cursor := ""
		for pages := 0; ; pages++ {
			path := "/devices?" + query
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := e.do(viewer, "GET", path, nil)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			var page struct {
				Items []struct {
					ID int64 `json:"id"`
				} `json:"items"`
				Total      int     `json:"total"`
				NextCursor *string `json:"next_cursor"`
			}
			json.Unmarshal(r.body, &page)
			for _, d := range page.Items {
				ids = append(ids, strconv.FormatInt(d.ID, 10))
			}
			if page.NextCursor == nil {
				return ids, page.Total
			}
			cursor = *page.NextCursor
			if pages > 200 {
				t.Fatal("paging does not end")
			}
		}
	}
	for _, q := range []string{"limit=25", "limit=7&sort=-updated", "sort=serial&limit=50", "limit=10&sort=-name", "limit=500", "", "limit=13&category=imaging",
		"limit=1&q=monitor&sort=id"} {
		ids, total := walk(q)
		var want []string
		sort, _ := url.ParseQuery(q)
		all, n, err := e.st.FindDevices(alpha, domain.DeviceFilter{Sort: sort.Get("sort"), Category: domain.Category(sort.Get("category")), Query: sort.Get("q")})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range all {
			want = append(want, strconv.FormatInt(d.ID, 10))
		}
		if total != n || !slices.Equal(ids, want) {
			t.Fatalf("%q: total %d (want %d), walked %d ids, want %d in order:\n%v\n%v", q, total, n, len(ids), len(want), ids, want)
		}
	}
	r := e.do(viewer, "GET", "/devices", nil)
	var page struct {
		Items      []any   `json:"items"`
		Total      int     `json:"total"`
		NextCursor *string `json:"next_cursor"`
	}
	json.Unmarshal(r.body, &page)
	if len(page.Items) != 50 || page.Total != 121 || page.NextCursor == nil {
		t.Fatalf("default page: %d items, total %d", len(page.Items), page.Total)
	}
	// A cursor belongs to its sort order.
	p := wantProblem(t, e.do(viewer, "GET", "/devices?sort=serial&cursor="+*page.NextCursor, nil), http.StatusBadRequest)
	if !hasError(p, "?cursor", "not a cursor") {
		t.Fatalf("cursor of another sort: %v", problemErrors(p))
	}
	// Without sort, the cursor's own order continues.
	if r := e.do(viewer, "GET", "/devices?limit=5&cursor="+*page.NextCursor, nil); r.status != 200 || len(r.items(t)) != 5 {
		t.Fatalf("cursor alone: %d %s", r.status, r.body)
	}
}

// Ensure tokens are managed through the API by administrators, shown once,
// never stronger than their creator nor outside the creator's practice.
func TestAPI_Tokens(t *testing.T) {
	e := newAPIEnv(t)
	padmin := e.newToken("alpha-clinic", domain.RolePracticeAdmin, "alpha-admin")
	boss := e.newSession("", domain.RoleProviderAdmin, "boss@msp.example")
	r := e.do(padmin, "POST", "/tokens", `{"name": "cmms", "role": "technician", "expires_at": "2099-01-01T00:00:00Z"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	made := r.json(t)
	tok := made["token"].(string)
	if made["tenant_id"] != float64(e.tenants["alpha-clinic"].ID) || made["role"] != "technician" || made["expires_at"] != "2099-01-01T00:00:00Z" {
		t.Fatalf("created %v", made)
	}
	// The new token works, in its practice only.
	cmms := cred{bearer: tok}
	if r := e.do(cmms, "POST", "/devices", `{"serial": "C-1"}`); r.status != http.StatusCreated {
		t.Fatalf("new token: %d %s", r.status, r.body)
	}
	wantProblem(t, e.do(cmms, "GET", "/devices?tenant=beta-clinic", nil), http.StatusNotFound)
	// The list never shows a token or its hash.
	r = e.do(padmin, "GET", "/tokens", nil)
	if strings.Contains(string(r.body), tok) || strings.Contains(string(r.body), auth.HashToken(tok)) || len(r.items(t)) != 2 {
		t.Fatalf("list: %s", r.body)
	}
	// No escalation: not a stronger role, not another practice, not
	// provider-wide, not without the right to manage users.
	p := wantProblem(t, e.do(padmin, "POST", "/tokens", `{"name": "x", "role": "provider-admin"}`), http.StatusForbidden)
	if !strings.Contains(p["detail"].(string), "more rights than its creator") {
		t.Fatalf("stronger role: %v", p)
	}
	wantProblem(t, e.do(padmin, "POST", "/tokens?tenant=beta-clinic", `{"name": "x", "role": "viewer"}`), http.StatusNotFound)
	wantProblem(t, e.do(cmms, "POST", "/tokens", `{"name": "x", "role": "viewer"}`), http.StatusForbidden)
	p = wantProblem(t, e.do(padmin, "POST", "/tokens", `{"name": "", "role": "janitor", "expires_at": "2001-01-01"}`), http.StatusBadRequest)
	if !hasError(p, "#/name", "needs a name") || !hasError(p, "#/role", "unknown role") || !hasError(p, "#/expires_at", "future") {
		t.Fatalf("token problems %v", problemErrors(p))
	}
	wantProblem(t, e.do(padmin, "POST", "/tokens", `{"name": "cmms", "role": "viewer"}`), http.StatusConflict)
	// The provider makes a provider-wide token and one for Beta.
	r = e.do(boss, "POST", "/tokens", `{"name": "report", "role": "auditor"}`)
	if r.status != http.StatusCreated || r.json(t)["tenant_id"] != float64(0) || r.json(t)["user_id"] == float64(0) {
		t.Fatalf("provider-wide: %d %s", r.status, r.body)
	}
	report := cred{bearer: r.json(t)["token"].(string)}
	wantProblem(t, e.do(report, "GET", "/devices", nil), http.StatusBadRequest) // must name the practice
	if items := e.do(report, "GET", "/devices?tenant=beta-clinic", nil).items(t); len(items) != 1 {
		t.Fatalf("provider-wide token in Beta: %v", items)
	}
	r = e.do(boss, "POST", "/tokens?tenant=beta-clinic", `{"name": "beta-ci", "role": "practice-admin"}`)
	if r.status != http.StatusCreated || r.json(t)["tenant_id"] != float64(e.tenants["beta-clinic"].ID) {
		t.Fatalf("provider makes Beta's token: %d %s", r.status, r.body)
	}
	// Revoking: not another practice's token, then for good.
	betaID := id(r.json(t)["id"])
	wantProblem(t, e.do(padmin, "DELETE", "/tokens/"+betaID, nil), http.StatusNotFound)
	if r := e.do(padmin, "DELETE", "/tokens/"+id(made["id"]), nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	wantProblem(t, e.do(cmms, "GET", "/devices", nil), http.StatusUnauthorized)
	if r := e.do(boss, "DELETE", "/tokens/"+betaID, nil); r.status != http.StatusNoContent {
		t.Fatalf("provider revokes Beta's token: %d %s", r.status, r.body)
	}
	// The audit trail has the token's life and never the token.
	events, _ := e.st.FindAuditEvents(vigiltest.Context(0), domain.AuditFilter{ObjectType: "token"})
	for _, ev := range events {
		if strings.Contains(string(ev.Before)+string(ev.After), tok[4:12]) || strings.Contains(string(ev.Before)+string(ev.After), auth.HashToken(tok)[:12]) {
			t.Fatal("a token or its hash reached the audit trail")
		}
	}
	var got []string
	for _, ev := range events {
		got = append(got, ev.Action+" "+ev.Label+" by "+ev.Actor.String())
	}
	want := []string{"token.create alpha-admin by cli:tester", "token.create cmms by api:token:alpha-admin", "token.create report by user:boss@msp.example",
		"token.create beta-ci by user:boss@msp.example", "token.revoke cmms by api:token:alpha-admin", "token.revoke beta-ci by user:boss@msp.example"}
	if !slices.Equal(got, want) {
		t.Fatalf("token events:\n%v\nwant\n%v", got, want)
	}
}

// Ensure an internal fault answers 500 with a generic problem and keeps
// its cause in the log only.
func TestAPI_InternalErrorHidden(t *testing.T) {
	e := newAPIEnv(t)
	viewer := e.newToken("alpha-clinic", domain.RoleViewer, "viewer")
	e.st.Close()
	r := e.do(viewer, "GET", "/devices", nil)
	p := wantProblem(t, r, http.StatusInternalServerError)
	if p["code"] != "internal" || strings.Contains(string(r.body), "sql") || strings.Contains(string(r.body), "closed") || p["errors"] != nil {
		t.Fatalf("500 body leaks: %s", r.body)
	}
	if !strings.Contains(e.logs.String(), "closed") {
		t.Fatalf("the cause is not logged: %s", e.logs.String())
	}
}
