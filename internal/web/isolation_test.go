package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
	"github.com/vigil-med/vigil/internal/web"
)

// Ensure no user of practice A, in any role, reads or changes anything of
// practice B through any console route, and no role does more than it may.
// The routes are enumerated from the server, so a new page is covered
// without changing this test.
func TestTenantIsolationMatrix(t *testing.T) {
	ts, st, ids := setup(t)
	ctx := vigiltest.Context(0)
	alpha, beta := tenantOf(t, st, "alpha-clinic"), tenantOf(t, st, "beta-clinic")
	hash, _ := auth.HashPassword(password)
	for _, r := range []domain.Role{domain.RolePracticeAdmin, domain.RoleAuditor} {
		if err := st.CreateUser(domain.WithTenant(ctx, alpha), &domain.User{Email: string(r) + "@alpha.example", Role: r, TenantID: alpha, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	betaUser, _ := st.FindUserByEmail(ctx, "nurse@beta.example")
	betaCtx := domain.WithTenant(ctx, beta)
	if err := st.SavePendingImport(betaCtx, &domain.PendingImport{ID: "beta-upload", UserID: betaUser.ID, FileName: "b.csv",
		Content: []byte("Serial\nB-NEW\n"), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	before, _ := st.FindDeviceByID(betaCtx, ids["beta-clinic"])
	betaUsersBefore, _ := st.FindUsers(betaCtx)

	srv, err := web.NewServer(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	// What each path parameter names: always practice B's object.
	params := map[string]string{"{id}": itoa(ids["beta-clinic"])}
	targets := func(pattern string) []string {
		method, path, _ := strings.Cut(pattern, " ")
		_ = method
		switch {
		case strings.HasPrefix(path, "/static/"), path == "/favicon.ico":
			return nil // public files
		case strings.HasPrefix(path, "/users/{id}"):
			path = strings.Replace(path, "{id}", itoa(betaUser.ID), 1)
		case strings.HasPrefix(path, "/import/{id}"):
			path = strings.Replace(path, "{id}", "beta-upload", 1)
		case strings.HasPrefix(path, "/vendors/{id}"):
			path = strings.Replace(path, "{id}", "bd", 1) // vendors are shared; the page must show A's counts only
		}
		path = strings.Replace(path, "{$}", "", 1)
		for k, v := range params {
			path = strings.ReplaceAll(path, k, v)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		// Once as B's practice by name, once without naming a practice.
		return []string{path + sep + "tenant=beta-clinic", path}
	}
	users := []string{"nurse@alpha.example", "tech@alpha-clinic.example", "practice-admin@alpha.example", "auditor@alpha.example"}
	leaks := []string{"Beta monitor", "S-beta-clinic", "nurse@beta.example", "tech@beta-clinic.example"}
	checked := 0
	for _, email := range users {
		b := signedIn(t, ts.URL, email)
		csrf := csrfOf(b)
		for _, pattern := range srv.Routes() {
			method, _, _ := strings.Cut(pattern, " ")
			for _, target := range targets(pattern) {
				if pattern == "POST /logout" || pattern == "POST /login" {
					continue // they end or start this test's session
				}
				var resp *http.Response
				var err error
				if method == "POST" {
					resp, err = b.c.PostForm(ts.URL+target, url.Values{"csrf": {csrf}, "firmware": {"HIJACKED"}, "name": {"HIJACKED"},
						"email": {"intruder@beta.example"}, "role": {"practice-admin"}, "scope": {"practice"}, "action": {"begin"}})
				} else {
					resp, err = b.c.Get(ts.URL + target)
				}
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				checked++
				for _, leak := range leaks {
					if strings.Contains(string(body), leak) {
						t.Errorf("%s %s %s: the response shows practice B's %q (status %d)", email, method, target, leak, resp.StatusCode)
					}
				}
				if strings.Contains(pattern, "{id}") && !strings.HasPrefix(pattern, "GET /vendors/") && resp.StatusCode < 300 {
					t.Errorf("%s %s %s: status %d for practice B's object", email, method, target, resp.StatusCode)
				}
			}
		}
	}
	after, _ := st.FindDeviceByID(betaCtx, ids["beta-clinic"])
	if after.Version != before.Version || after.Firmware == "HIJACKED" {
		t.Fatalf("practice B's device changed: %+v", after)
	}
	betaUsersAfter, _ := st.FindUsers(betaCtx)
	if len(betaUsersAfter) != len(betaUsersBefore) {
		t.Fatalf("practice B's users changed: %d → %d", len(betaUsersBefore), len(betaUsersAfter))
	}
	for _, u := range betaUsersAfter {
		if u.Disabled {
			t.Fatalf("practice B's user %s was turned off", u.Email)
		}
	}
	if _, err := st.FindPendingImport(betaCtx, "beta-upload"); err != nil {
		t.Fatalf("practice B's pending upload was used: %v", err)
	}
	if n, _ := st.CountDevices(betaCtx); n != 1 {
		t.Fatalf("practice B has %d devices", n)
	}
	if checked < 4*len(srv.Routes()) {
		t.Fatalf("only %d requests checked", checked)
	}
}

// Ensure each role gets exactly what its permissions allow on practice A's
// own pages: no privilege escalation.
func TestRolesMatrix(t *testing.T) {
	ts, st, ids := setup(t)
	alpha := tenantOf(t, st, "alpha-clinic")
	hash, _ := auth.HashPassword(password)
	for _, r := range []domain.Role{domain.RolePracticeAdmin, domain.RoleAuditor} {
		if err := st.CreateUser(domain.WithTenant(vigiltest.Context(0), alpha), &domain.User{Email: string(r) + "@alpha.example", Role: r, TenantID: alpha, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	dev := "/devices/" + itoa(ids["alpha-clinic"])
	cases := []struct {
		path string
		perm domain.Permission
	}{
		{"/dashboard", domain.PermReadInventory},
		{"/devices", domain.PermReadInventory},
		{dev, domain.PermReadInventory},
		{dev + "/edit", domain.PermEditInventory},
		{"/import", domain.PermEditInventory},
		{"/users", domain.PermManageUsers},
		{"/audit", domain.PermReadAudit},
	}
	for email, role := range map[string]domain.Role{"nurse@alpha.example": domain.RoleViewer, "tech@alpha-clinic.example": domain.RoleTechnician,
		"practice-admin@alpha.example": domain.RolePracticeAdmin, "auditor@alpha.example": domain.RoleAuditor} {
		b := signedIn(t, ts.URL, email)
		for _, c := range cases {
			resp, _ := b.get(c.path)
			allowed := role.Can(c.perm)
			if allowed && resp.StatusCode != 200 || !allowed && resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s (%s) GET %s: %d, allowed=%v", email, role, c.path, resp.StatusCode, allowed)
			}
		}
	}
}
